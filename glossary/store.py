"""The glossary on disk: one SQLite file with numbered migrations, undo and search.

``GlossaryStore`` keeps concepts, their terms, definitions, subject fields and
relations. Every change runs in a transaction (nested ``transaction()`` blocks join
the outer one), records the before-image of each concept it touches so that
``undo()`` can revert the last operation, bumps ``version()``, and keeps an FTS5
trigram index current for ``search()``. After a commit the ids of the changed
concepts are passed to each callable in ``store.changed`` (the matcher listens).
``add_concepts`` writes many new concepts with a few statements per thousand (an
import, ICD-10-CM); ``external_ids`` says which of a file's ids are already stored.

A failure of the database itself (disk full, the file locked by another program,
a damaged file) rolls the transaction back and becomes a ``GlossaryError`` with one
sentence. The connection may come from a factory (``connect=``, the app's
encrypted one); its module's own exception classes are caught as well.

Opening a store brings the file up to date with ``migrate``, which applies the
numbered migrations of ``glossary.migrations`` (``MIGRATIONS``) and records them in
``schema_migrations``. How a concept maps to rows, JSON and the search index is
``glossary.rows``.

One thread at a time uses a store (the GUI thread owns it). This module knows
nothing of Qt, of term detection or of file formats.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from glossary.errors import GlossaryError
from glossary.history import UndoHistory
from glossary.migrations import MIGRATIONS, recorded_migrations, run_migrations
from glossary.model import Concept, Status, now_iso
from glossary.normalize import norm
from glossary.store_checks import check_texts, like_escape as _like_escape, opening as _opening, oversized, \
    storage_error as _storage_error
from glossary.rows import TERM_COLUMNS, fts_texts, index_concept, load_concepts, term_row, to_json

# --- migrations -------------------------------------------------------------------

# The glossary's list on the generic runner. ``migrate`` looks ``MIGRATIONS`` up in this
# module when it runs, so a test that replaces ``glossary.store.MIGRATIONS`` changes what
# opening a store applies.


def applied_migrations(db: sqlite3.Connection) -> list[str]:
    return recorded_migrations(db, "schema_migrations")


def migrate(db: sqlite3.Connection, upto: int | None = None) -> list[str]:
    """Apply the migrations not yet applied (the first ``upto`` only, if given); return their names."""
    return run_migrations(db, MIGRATIONS, table="schema_migrations", upto=upto, newer=GlossaryError.of(
        "This glossary was written by a newer version of TermLens; update TermLens to open it."))


# --- the store --------------------------------------------------------------------


class GlossaryStore(UndoHistory):
    """A glossary in one SQLite file (or ``":memory:"``). See the module docstring; undo and redo
    are in ``glossary.history``."""

    def __init__(self, path: str | Path, *, connect: Callable[[str], Any] | None = None) -> None:
        """``connect``: a factory that opens ``path`` already configured (the app passes an
        encrypted connection, see ``desktop.storage.db.opener``); without it a plain SQLite file."""
        self.path = str(path)
        self.connect = connect  # kept so that a worker thread can open its own connection alike
        if connect is not None:
            self._db = connect(self.path)
        else:
            try:
                self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
            except sqlite3.Error as exc:
                raise GlossaryError.of("{what} ({detail}).", what=_opening(self.path), detail=str(exc)) from exc
        # An encrypted connection raises its own module's errors, not sqlite3.Error: catch both.
        module = sys.modules.get(type(self._db).__module__)
        own = getattr(module, "Error", None)
        self._errors: tuple[type[BaseException], ...] = (sqlite3.Error,) + (
            (own,) if isinstance(own, type) and issubclass(own, BaseException) and own is not sqlite3.Error else ()
        )
        try:
            if connect is None:
                self._db.execute("PRAGMA foreign_keys = ON")
                if self.path != ":memory:":
                    self._db.execute("PRAGMA journal_mode = WAL")
                    self._db.execute("PRAGMA synchronous = NORMAL")
            migrate(self._db)
        except self._errors as exc:
            self._db.close()
            raise _storage_error(exc, self.path) from exc
        except BaseException:
            self._db.close()
            raise
        self._depth = 0
        self._op_id: int | None = None
        self._touched: set[int] = set()
        self._recorded: set[int] = set()
        self._undoing = False
        self.changed: list[Callable[[list[int]], None]] = []  # called with changed concept ids after commit

    # -- transactions --

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit: nested calls join the outer one, which commits once or rolls back.

        A database failure (disk full, file locked by another program, damaged file)
        rolls everything back and becomes a ``GlossaryError`` with one sentence.
        """
        outer = self._depth == 0
        if outer:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except self._errors as exc:
                raise _storage_error(exc) from exc
            self._op_id, self._touched, self._recorded = None, set(), set()
        self._depth += 1
        try:
            yield self._db
        except BaseException as exc:
            self._depth -= 1
            if not outer:
                raise
            self._rollback()
            if isinstance(exc, self._errors):
                raise _storage_error(exc) from exc
            raise
        self._depth -= 1
        if not outer:
            return
        touched = sorted(self._touched)
        try:
            if touched:
                self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            self._db.execute("COMMIT")
        except self._errors as exc:
            self._rollback()
            raise _storage_error(exc) from exc
        except BaseException:
            self._rollback()
            raise
        self._op_id, self._touched, self._recorded = None, set(), set()
        if touched:
            for callback in list(self.changed):
                callback(touched)

    def _rollback(self) -> None:
        self._op_id, self._touched, self._recorded = None, set(), set()
        try:
            self._db.execute("ROLLBACK")
        except self._errors:
            pass  # SQLite already rolled back (it does on some errors, e.g. a full disk)

    def _record(self, concept_id: int, before: Concept | None) -> None:
        """Keep the before-image of a concept for undo (the first one per operation wins)."""
        self._touched.add(concept_id)
        if self._undoing or concept_id in self._recorded:
            return
        if self._op_id is None:
            self._op_id = self._db.execute("INSERT INTO operations(created_at) VALUES (?)", (now_iso(),)).lastrowid
        self._db.execute(
            "INSERT INTO changes(op_id, concept_id, before) VALUES (?, ?, ?)",
            (self._op_id, concept_id, None if before is None else to_json(before)),
        )
        self._recorded.add(concept_id)

    # -- writing --

    def _check(self, c: Concept) -> None:
        check_texts(c)
        if c.related:
            ids = sorted({r for r in c.related if r != c.id})
            marks = ",".join("?" * len(ids))
            found = {r[0] for r in self._db.execute(f"SELECT id FROM concepts WHERE id IN ({marks})", ids)}
            missing = [r for r in ids if r not in found]
            if missing:
                raise GlossaryError.of("Related concept {id} does not exist.", id=missing[0])

    def _write(self, c: Concept, *, relations: bool = True) -> None:
        """Replace the rows of concept ``c.id`` (which must exist) with ``c``."""
        db = self._db
        db.execute(
            "UPDATE concepts SET external_id=?, note=?, source=?, status=?, created_at=?, updated_at=? WHERE id=?",
            (c.external_id, c.note, c.source, Status(c.status).value, c.created_at, c.updated_at, c.id),
        )
        for table in ("terms", "definitions", "concept_fields"):
            db.execute(f"DELETE FROM {table} WHERE concept_id=?", (c.id,))
        for pos, t in enumerate(c.terms):
            if not t.text.strip():
                continue
            free = t.id is not None and db.execute("SELECT 1 FROM terms WHERE id=?", (t.id,)).fetchone() is None
            tid = t.id if free else None
            t.id = db.execute(
                f"INSERT INTO terms({TERM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", term_row(t, c.id, pos, tid)
            ).lastrowid
        db.executemany(
            "INSERT INTO definitions(concept_id, lang, text) VALUES (?,?,?)",
            [(c.id, lang, text) for lang, text in c.definitions.items()],
        )
        fields = list(dict.fromkeys(f.strip() for f in c.subject_fields if f.strip()))
        db.executemany(
            "INSERT INTO concept_fields(concept_id, position, field) VALUES (?,?,?)",
            [(c.id, i, f) for i, f in enumerate(fields)],
        )
        if relations:
            self._write_relations(c)
        index_concept(db, c)

    def _write_relations(self, c: Concept) -> None:
        self._db.execute("DELETE FROM relations WHERE concept_id=?", (c.id,))
        related = sorted({r for r in c.related if r != c.id})
        if related:
            marks = ",".join("?" * len(related))
            related = [r[0] for r in self._db.execute(f"SELECT id FROM concepts WHERE id IN ({marks})", related)]
        self._db.executemany(
            "INSERT INTO relations(concept_id, related_id) VALUES (?,?)", [(c.id, r) for r in related]
        )

    def add_concept(self, c: Concept) -> int:
        """Store a new concept; sets and returns its id (and its terms' ids and timestamps)."""
        return self.add_concepts([c])[0]

    def add_concepts(self, concepts: Iterable[Concept], *, batch: int = 2000) -> list[int]:
        """Store many new concepts in one transaction (one undo step); returns their ids in order.

        Sets each concept's id, its terms' ids and its timestamps, as ``add_concept`` does.
        ``concepts`` may be a generator: it is consumed ``batch`` at a time, so a long
        stream (ICD-10-CM, a large file) keeps memory bounded. Any bad concept (no term,
        an unknown related id) rolls the whole call back.
        """
        ids: list[int] = []
        with self.transaction():
            pending: list[Concept] = []
            for c in concepts:
                pending.append(c)
                if len(pending) >= batch:
                    ids += self._insert(pending)
                    pending = []
            if pending:
                ids += self._insert(pending)
        return ids

    def _next_ids(self) -> tuple[int, int]:
        """The next free concept id (AUTOINCREMENT: never one used before) and term id."""
        db = self._db
        seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'concepts'").fetchone()
        top = db.execute("SELECT MAX(id) FROM concepts").fetchone()[0] or 0
        term = db.execute("SELECT MAX(id) FROM terms").fetchone()[0] or 0
        return max(top, seq[0] if seq else 0) + 1, term + 1

    def _insert(self, batch: list[Concept]) -> list[int]:
        """Insert new concepts with a few ``executemany`` calls (inside a transaction)."""
        db = self._db
        for c in batch:
            check_texts(c)
        next_id, next_term = self._next_ids()
        stamp = now_iso()
        concepts, terms, definitions, fields, relations, fts = [], [], [], [], [], []
        for c in batch:
            c.id, next_id = next_id, next_id + 1
            c.created_at = c.created_at or stamp
            c.updated_at = c.updated_at or c.created_at
            concepts.append((c.id, c.external_id, c.note, c.source, Status(c.status).value, c.created_at, c.updated_at))
            for pos, t in enumerate(c.terms):
                if not t.text.strip():
                    t.id = None
                    continue
                t.id, next_term = next_term, next_term + 1
                terms.append(term_row(t, c.id, pos, t.id))
            definitions += [(c.id, lang, text) for lang, text in c.definitions.items()]
            kept = list(dict.fromkeys(f.strip() for f in c.subject_fields if f.strip()))
            fields += [(c.id, i, f) for i, f in enumerate(kept)]
            relations += [(c.id, r) for r in dict.fromkeys(c.related) if r != c.id]
            fts.append((c.id, *fts_texts(c)))
        db.executemany(
            "INSERT INTO concepts(id, external_id, note, source, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
            concepts,
        )
        db.executemany(f"INSERT INTO terms({TERM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)", terms)
        db.executemany("INSERT INTO definitions(concept_id, lang, text) VALUES (?,?,?)", definitions)
        db.executemany("INSERT INTO concept_fields(concept_id, position, field) VALUES (?,?,?)", fields)
        if relations:
            wanted = sorted({r for _, r in relations})
            found = self._existing(wanted)
            missing = [r for r in wanted if r not in found]
            if missing:
                raise GlossaryError.of("Related concept {id} does not exist.", id=missing[0])
            db.executemany("INSERT INTO relations(concept_id, related_id) VALUES (?,?)", relations)
        db.executemany("INSERT INTO concepts_fts(rowid, terms, definitions, note) VALUES (?, ?, ?, ?)", fts)
        self._record_new([c.id for c in batch])  # type: ignore[misc]
        return [c.id for c in batch]  # type: ignore[misc]

    def _existing(self, ids: list[int]) -> set[int]:
        found: set[int] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._db.execute(f"SELECT id FROM concepts WHERE id IN ({marks})", chunk))
        return found

    def _record_new(self, ids: list[int]) -> None:
        """``_record`` for concepts that did not exist before (undo deletes them)."""
        self._touched.update(ids)
        if self._undoing:
            return
        if self._op_id is None:
            self._op_id = self._db.execute("INSERT INTO operations(created_at) VALUES (?)", (now_iso(),)).lastrowid
        self._db.executemany(
            "INSERT INTO changes(op_id, concept_id, before) VALUES (?, ?, NULL)", [(self._op_id, i) for i in ids]
        )
        self._recorded.update(ids)

    def update_concept(self, c: Concept) -> None:
        """Replace the stored concept ``c.id`` with ``c``."""
        with self.transaction():
            before = self.get_concept(c.id)
            self._check(c)
            self._record(c.id, before)
            c.created_at = c.created_at or before.created_at
            c.updated_at = now_iso()
            self._write(c)

    def delete_concept(self, concept_id: int) -> None:
        with self.transaction() as db:
            before = self.get_concept(concept_id)
            referring = [r[0] for r in db.execute("SELECT concept_id FROM relations WHERE related_id=?", (concept_id,))]
            for other in load_concepts(db, referring):
                self._record(other.id, other)
            self._record(concept_id, before)
            db.execute("DELETE FROM concepts WHERE id=?", (concept_id,))
            db.execute("DELETE FROM concepts_fts WHERE rowid=?", (concept_id,))

    def set_status(self, ids: Iterable[int], status: Status | str) -> None:
        """Set the review status of many concepts: one transaction, one undo step."""
        status = Status(status)
        stamp = now_iso()
        with self.transaction() as db:
            ids = list(dict.fromkeys(ids))
            for c in load_concepts(db, ids):
                if c.status is status:
                    continue
                self._record(c.id, c)
                db.execute("UPDATE concepts SET status=?, updated_at=? WHERE id=?", (status.value, stamp, c.id))

    # -- reading --

    def get_concept(self, concept_id: int | None) -> Concept:
        found = load_concepts(self._db, [concept_id]) if concept_id is not None else []
        if not found:
            raise GlossaryError.of("Concept {id} is not in the glossary.", id=str(concept_id))
        return found[0]

    def get_many(self, ids: Iterable[int]) -> list[Concept]:
        """The concepts that exist among ``ids``, in that order."""
        return load_concepts(self._db, list(ids))

    def _ids(self, domain: str | None, status: Status | str | None, limit: int | None, offset: int) -> list[int]:
        sql, args = "SELECT c.id FROM concepts c", []
        where = []
        if domain is not None:
            where.append("EXISTS (SELECT 1 FROM concept_fields f WHERE f.concept_id = c.id AND f.field = ?)")
            args.append(domain)
        if status is not None:
            where.append("c.status = ?")
            args.append(Status(status).value)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY c.id LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset]
        return [r[0] for r in self._db.execute(sql, args)]

    def concepts(
        self, domain: str | None = None, status: Status | str | None = None, limit: int | None = None, offset: int = 0
    ) -> list[Concept]:
        """Concepts in id order, optionally of one subject field (``domain``) and/or status."""
        return load_concepts(self._db, self._ids(domain, status, limit, offset))

    def iter_concepts(self, domain: str | None = None, batch: int = 1000) -> Iterator[Concept]:
        """Every concept in id order (of one subject field if ``domain``), loaded ``batch`` at a time."""
        last = 0
        while True:
            if domain is None:
                rows = self._db.execute("SELECT id FROM concepts WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
            else:
                rows = self._db.execute(
                    "SELECT concept_id FROM concept_fields WHERE field = ? AND concept_id > ?"
                    " ORDER BY concept_id LIMIT ?",
                    (domain, last, batch),
                )
            ids = [r[0] for r in rows]
            if not ids:
                return
            yield from load_concepts(self._db, ids)
            last = ids[-1]

    def external_ids(self, wanted: Iterable[str], *, source: str | None = None) -> set[str]:
        """Those of ``wanted`` that some stored concept (of ``source``, if given) has as external id."""
        wanted = sorted({w for w in wanted if w})
        found: set[str] = set()
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            sql = f"SELECT external_id FROM concepts WHERE external_id IN ({','.join('?' * len(chunk))})"
            if source is not None:
                sql += " AND source = ?"
                chunk = [*chunk, source]
            found.update(r[0] for r in self._db.execute(sql, chunk))
        return found

    def oversized(self) -> list[tuple[int, str]]:
        """Stored concepts whose terms or definitions exceed the limits (data from before them):
        (concept id, what), for a report at start. The matcher leaves such terms out."""
        return oversized(self._db)

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM concepts").fetchone()[0]

    def subject_fields(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT field FROM concept_fields ORDER BY field")]

    def version(self) -> int:
        """A counter bumped by every committed change (undo included): the glossary version."""
        return int(self._db.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])

    def search(self, text: str, limit: int = 50) -> list[Concept]:
        """Concepts whose terms, definitions or note contain every word of ``text``, best first.

        Words of three or more characters use the trigram index (ranked by bm25, terms
        weighted highest); shorter words (one or two Chinese characters, "AF") use LIKE.
        Concepts with a term equal to the query come first.
        """
        q = norm(text, fold=False)
        words = q.split()
        if not words:
            return []
        long = [w for w in words if len(w) >= 3]
        short = [w for w in words if len(w) < 3]
        args: dict[str, object] = {"q": q, "qlike": f"%{_like_escape(q)}%", "limit": limit}
        where: list[str] = []
        if long:
            where.append("concepts_fts MATCH :match")
            args["match"] = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
        for i, w in enumerate(short):
            where.append(f"(terms LIKE :s{i} ESCAPE '\\' OR definitions LIKE :s{i} ESCAPE '\\' OR note LIKE :s{i} ESCAPE '\\')")
            args[f"s{i}"] = f"%{_like_escape(w)}%"
        rank = " bm25(concepts_fts, 10.0, 2.0, 1.0)," if long else ""
        sql = (
            "SELECT rowid FROM concepts_fts WHERE " + " AND ".join(where) + " ORDER BY "
            "(SELECT COUNT(*) FROM terms t WHERE t.concept_id = concepts_fts.rowid AND lower(t.text) = lower(:q)) DESC, "
            f"(terms LIKE :qlike ESCAPE '\\') DESC,{rank} rowid LIMIT :limit"
        )
        ids = [r[0] for r in self._db.execute(sql, args)]
        return load_concepts(self._db, ids)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> GlossaryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
