"""A concept in the store's tables: loaded from its rows, kept as JSON, indexed for search.

``load_concepts`` builds concepts from the rows of ``concepts``, ``terms``, ``definitions``,
``concept_fields`` and ``relations`` in a few queries per 500 ids. ``to_json`` and
``from_json`` write and read the before-image of a concept that undo keeps.
``fts_texts`` and ``index_concept`` make a concept's entry in the FTS5 trigram index
(terms, definitions and note, normalised).

Helpers of ``glossary.store`` and ``glossary.migrations``: the tables themselves are
created by the migrations, and writing rows, transactions and undo belong to the
store. This module knows nothing of Qt or of file formats.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from glossary.model import Concept, MatchMode, Status, Term, TermStatus, TermType
from glossary.normalize import norm


_STATUS = {s.value: s for s in Status}
_TERM_TYPE = {t.value: t for t in TermType}
_TERM_STATUS = {t.value: t for t in TermStatus}
_MATCH_MODE = {m.value: m for m in MatchMode}

# The columns of a term row as the store writes them (after id and concept_id).
TERM_COLUMNS = "id, concept_id, position, text, lang, type, case_sensitive, status, match_mode"


def term_row(t: Term, concept_id: int | None, pos: int, tid: int | None) -> tuple:
    """The values of ``TERM_COLUMNS`` for term ``t``."""
    return (tid, concept_id, pos, t.text, t.lang, t.type.value, int(t.case_sensitive),
            t.status.value if t.status is not None else None,
            t.match_mode.value if t.match_mode is not None else None)


def load_concepts(db: sqlite3.Connection, ids: list[int]) -> list[Concept]:
    """The concepts with ``ids``, in that order (missing ones left out), in a few queries."""
    out: list[Concept] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        by_id: dict[int, Concept] = {}
        for row in db.execute(
            f"SELECT id, external_id, note, source, status, created_at, updated_at FROM concepts WHERE id IN ({marks})",
            chunk,
        ):
            by_id[row[0]] = Concept(
                id=row[0], external_id=row[1], note=row[2], source=row[3], status=_STATUS[row[4]],
                created_at=row[5], updated_at=row[6],
            )
        for cid, tid, text, lang, typ, cs, st, mode in db.execute(
            "SELECT concept_id, id, text, lang, type, case_sensitive, status, match_mode"
            f" FROM terms WHERE concept_id IN ({marks}) ORDER BY concept_id, position, id",
            chunk,
        ):
            by_id[cid].terms.append(Term(text, lang, _TERM_TYPE[typ], bool(cs), tid,
                                         _TERM_STATUS.get(st or ""), _MATCH_MODE.get(mode or "")))
        for cid, lang, text in db.execute(
            f"SELECT concept_id, lang, text FROM definitions WHERE concept_id IN ({marks}) ORDER BY concept_id, rowid",
            chunk,
        ):
            by_id[cid].definitions[lang] = text
        for cid, fld in db.execute(
            f"SELECT concept_id, field FROM concept_fields WHERE concept_id IN ({marks}) ORDER BY concept_id, position",
            chunk,
        ):
            by_id[cid].subject_fields.append(fld)
        for cid, rid in db.execute(
            f"SELECT concept_id, related_id FROM relations WHERE concept_id IN ({marks}) ORDER BY concept_id, related_id",
            chunk,
        ):
            by_id[cid].related.append(rid)
        out.extend(by_id[c] for c in chunk if c in by_id)
    return out


def fts_texts(c: Concept) -> tuple[str, str, str]:
    """What the search index holds for a concept: its terms, definitions and note, normalised."""
    texts = (" | ".join(t.text for t in c.terms), "\n".join(c.definitions.values()), c.note)
    return tuple(norm(x, fold=False) for x in texts)  # type: ignore[return-value]


def index_concept(db: sqlite3.Connection, c: Concept) -> None:
    db.execute("DELETE FROM concepts_fts WHERE rowid = ?", (c.id,))
    db.execute("INSERT INTO concepts_fts(rowid, terms, definitions, note) VALUES (?, ?, ?, ?)", (c.id, *fts_texts(c)))


def to_json(c: Concept) -> str:
    return json.dumps(asdict(c), ensure_ascii=False)  # the enums are str subclasses: written as their values


def from_json(s: str) -> Concept:
    d = json.loads(s)
    d["terms"] = [Term(**t) for t in d["terms"]]
    return Concept(**d)
