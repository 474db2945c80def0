"""The glossary's schema, changed only through numbered migrations.

``MIGRATIONS`` lists ``m001_initial`` onwards in order; each takes the connection and
runs inside the transaction opened for it. ``run_migrations`` applies the ones not yet
recorded in a table of names (``schema_migrations`` for the glossary), each in its own
transaction, so a failing one leaves the file as it was; a database that records a
migration this version does not know is refused. The runner and ``recorded_migrations``
serve ``desktop.storage.conversations`` as well, with its own list and table;
``glossary.store.migrate`` applies this list when a store opens.

This module knows nothing of the store's undo, of Qt or of file formats.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from glossary.model import Concept, Term, now_iso
from glossary.rows import index_concept


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (``executescript`` would commit it)."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""


def m001_initial(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE concepts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: undo and the matcher rely on it
            external_id TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'draft',
            created_at TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX concepts_external_id ON concepts(external_id);
        CREATE TABLE concept_fields (
            concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            field TEXT NOT NULL,
            PRIMARY KEY (concept_id, field)
        );
        CREATE INDEX concept_fields_field ON concept_fields(field);
        CREATE TABLE definitions (
            concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            lang TEXT NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (concept_id, lang)
        );
        CREATE TABLE terms (
            id INTEGER PRIMARY KEY,
            concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            lang TEXT NOT NULL DEFAULT 'en',
            type TEXT NOT NULL DEFAULT 'preferred',
            case_sensitive INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX terms_concept ON terms(concept_id);
        CREATE TABLE relations (
            concept_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            related_id INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
            PRIMARY KEY (concept_id, related_id)
        );
        CREATE INDEX relations_related ON relations(related_id);
        """
    )


def m002_changelog(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE operations (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL);
        CREATE TABLE changes (
            op_id INTEGER NOT NULL REFERENCES operations(id) ON DELETE CASCADE,
            concept_id INTEGER NOT NULL,
            before TEXT,  -- the concept as JSON before the operation, NULL if it did not exist
            PRIMARY KEY (op_id, concept_id)
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta(key, value) VALUES ('version', '0');
        """
    )


def m003_search(db: sqlite3.Connection) -> None:
    db.execute("CREATE VIRTUAL TABLE concepts_fts USING fts5(terms, definitions, note, tokenize='trigram')")
    # Reads only the columns this migration's schema has (``load_concepts`` reads later ones too).
    concepts = {cid: Concept(id=cid, note=note) for cid, note in db.execute("SELECT id, note FROM concepts")}
    for cid, text in db.execute("SELECT concept_id, text FROM terms ORDER BY concept_id, position, id"):
        if cid in concepts:
            concepts[cid].terms.append(Term(text))
    for cid, lang, text in db.execute("SELECT concept_id, lang, text FROM definitions ORDER BY concept_id, rowid"):
        if cid in concepts:
            concepts[cid].definitions[lang] = text
    for c in concepts.values():
        index_concept(db, c)


def m004_field_index(db: sqlite3.Connection) -> None:
    # Concepts of one subject field, in id order, straight from the index (paging a large domain).
    db.execute("DROP INDEX concept_fields_field")
    db.execute("CREATE INDEX concept_fields_field ON concept_fields(field, concept_id)")


def m005_term_status_mode(db: sqlite3.Connection) -> None:
    # A term's usage status (TBX administrativeStatus, plus forbidden) and match mode
    # (exact / inflected). NULL in both: derived from the type and the script, as before.
    db.execute("ALTER TABLE terms ADD COLUMN status TEXT")
    db.execute("ALTER TABLE terms ADD COLUMN match_mode TEXT")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial, m002_changelog, m003_search, m004_field_index, m005_term_status_mode,
]


def recorded_migrations(db: Any, table: str) -> list[str]:
    """The names of the migrations recorded in ``table`` (created if missing)."""
    db.execute(f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [r[0] for r in db.execute(f"SELECT name FROM {table} ORDER BY name")]


def run_migrations(db: Any, migrations: list[Callable[[Any], None]], *, table: str, upto: int | None,
                   newer: Exception) -> list[str]:
    """Apply, each in its own transaction and recorded in ``table``, the migrations not yet
    applied (the first ``upto`` only, if given); raise ``newer`` when the database records
    one this version does not know. Returns the names applied."""
    done = set(recorded_migrations(db, table))
    if done - {m.__name__ for m in migrations}:
        raise newer
    ran: list[str] = []
    for m in migrations[:upto]:
        if m.__name__ in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            m(db)
            db.execute(f"INSERT INTO {table}(name, applied_at) VALUES (?, ?)", (m.__name__, now_iso()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        ran.append(m.__name__)
    return ran
