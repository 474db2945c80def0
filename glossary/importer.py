"""Put glossary files into a store: all or nothing, or the good entries only.

``import_file`` streams a file (see ``glossary.formats``) into one store
transaction. By default a file with any problem imports nothing: the transaction
is rolled back and ``GlossaryImportError`` carries the full report. With
``skip_bad=True`` the good entries are kept and the problems returned. Memory
stays bounded because concepts go to the store as they are read.

Entries already in the glossary (the same id, or, for an entry without an id, the
same preferred term in the same language and the same subject fields) are never
added twice silently. ``existing`` says what to do with them: ``ask`` (the
default) imports nothing and raises ``AlreadyInGlossary`` saying how many there are,
so the person can choose; ``merge`` adds the file's new terms, definitions in new
languages and subject fields to the stored concept; ``skip`` leaves the stored one
as it is; ``replace`` overwrites it with the file's version (same concept id, so
links to it stay). Every import is one undo step.

``load_starter`` loads the bilingual starter glossaries shipped in
``resources/glossaries`` (medicine, law, finance); loading twice adds nothing new.

Runs on whichever thread owns the store; knows nothing of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from glossary.errors import GlossaryError, GlossaryImportError
from glossary.formats import Problem, ProgressFn, read
from glossary.model import Concept, TermStatus
from glossary.rows import load_concepts

if TYPE_CHECKING:
    from glossary.store import GlossaryStore

#: How many problems a report keeps; the rest are counted in one closing line.
MAX_REPORTED = 1000
#: Concepts written to the store at a time (few statements, bounded memory).
BATCH = 1000

STARTER_DIR = Path(__file__).resolve().parents[1] / "resources" / "glossaries"


#: What to do with an entry that is already in the glossary.
EXISTING_CHOICES = ("ask", "merge", "skip", "replace")


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0  # lines or entries not imported because they are bad
    problems: list[Problem] = field(default_factory=list)
    merged: int = 0  # entries already in the glossary that gained terms or definitions
    replaced: int = 0  # entries already in the glossary overwritten with the file's version
    kept: int = 0  # entries already in the glossary left as they were (skip, or nothing new to merge)


class AlreadyInGlossary(GlossaryImportError):
    """Entries of the file are already in the glossary and the person has not said what to do.
    ``count`` is how many; ``first`` names the first of them."""

    count: int = 0
    first: str = ""


class _Rollback(Exception):
    """Raised inside the transaction to undo an import that found problems."""


def _check_stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise GlossaryImportError.of("The import was cancelled; nothing was added.")


def _unreadable(p: Path, exc: GlossaryError | OSError) -> GlossaryImportError:
    """The import error for a file that cannot be opened (its sentence kept, template and all)."""
    if isinstance(exc, GlossaryError):
        err = GlossaryImportError(exc.args[0] if exc.args else str(exc))
        err.template, err.params = exc.template, exc.params
        return err
    return GlossaryImportError.of("'{file}' cannot be read: {reason}.", file=p.name, reason=exc.strerror or str(exc))


def _with_report(err: GlossaryImportError, problems: list[Problem]) -> GlossaryImportError:
    err.report = list(problems)
    return err


def import_file(
    store: GlossaryStore,
    path: str | PathLike[str],
    *,
    format: str | None = None,
    skip_bad: bool = False,
    existing: str = "ask",
    encoding: str | None = None,
    on_progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import a glossary file into ``store`` in one transaction; see the module docstring.

    Raises GlossaryImportError (with ``report``, a list of Problems) when the file
    is empty, cannot be read, or has problems and ``skip_bad`` is false, or when
    ``should_stop()`` turns true (cancel); ``AlreadyInGlossary`` when entries are
    already there and ``existing`` is ``"ask"``. The store is then unchanged.
    ``encoding`` names a CSV file's text encoding (None: detected).
    """
    if existing not in EXISTING_CHOICES:
        raise GlossaryError.of("'{choice}' is not one of ask, merge, skip, replace.", choice=existing)
    p = Path(path)
    try:
        if p.is_file() and p.stat().st_size == 0:
            raise GlossaryImportError.of("The file '{file}' is empty: there is nothing to import.", file=p.name)
        items = read(p, format, on_progress, encoding=encoding)
    except GlossaryImportError:
        raise
    except (GlossaryError, OSError) as exc:
        raise _unreadable(p, exc) from exc

    result = ImportResult()
    extra = 0
    pending: list[Concept] = []
    try:
        with store.transaction() as db:
            known = _Known(db)
            placed = _Placer(store, db, known, existing, result)
            for item in items:
                _check_stop(should_stop)
                if isinstance(item, Problem):
                    result.skipped += 1
                    if len(result.problems) < MAX_REPORTED:
                        result.problems.append(item)
                    else:
                        extra += 1
                    continue
                if result.problems and not skip_bad:
                    pending.clear()
                    continue  # keep reading only to report every problem; nothing will be kept
                pending.append(item)
                if len(pending) >= BATCH:
                    placed.put(pending)
                    pending.clear()
            if pending:
                placed.put(pending)
            if extra:
                result.problems.append(Problem("file", f"{extra} more problems are not listed."))
            if result.problems and not skip_bad:
                raise _Rollback
            if placed.asked:
                raise placed.question(p.name)
            if result.added == 0 and not result.problems and not placed.seen:
                raise GlossaryImportError.of("The file '{file}' holds no glossary entries.", file=p.name)
    except _Rollback:
        if result.skipped == 1:
            err = GlossaryImportError.of(
                "Nothing was imported: '{file}' has 1 problem (the first: {problem}). "
                "Fix them, or import again skipping the bad entries.",
                file=p.name, problem=str(result.problems[0]))
        else:
            err = GlossaryImportError.of(
                "Nothing was imported: '{file}' has {n} problems (the first: {problem}). "
                "Fix them, or import again skipping the bad entries.",
                file=p.name, n=result.skipped, problem=str(result.problems[0]))
        raise _with_report(err, result.problems) from None
    except OSError as exc:
        raise GlossaryImportError.of("Nothing was imported: reading '{file}' failed ({reason}).", file=p.name,
                                     reason=exc.strerror or str(exc)) from exc
    if result.added == 0 and not placed.seen:
        raise _with_report(GlossaryImportError.of(
            "Nothing was imported: none of the entries in '{file}' could be read (the first problem: {problem}).",
            file=p.name, problem=str(result.problems[0])), result.problems)
    return result


def _preferred_key(c: Concept) -> tuple | None:
    """What makes an entry without an id "the same" as a stored one: its preferred term (language,
    case-folded text) and its subject fields."""
    t = c.preferred()
    if t is None:
        return None
    return (t.lang, " ".join(t.text.casefold().split()), frozenset(f.casefold() for f in c.subject_fields))


class _Known:
    """Finds stored concepts an entry of the file is already: by external id, else by preferred term.
    The term index is built at the first entry without an id (one query over the terms)."""

    def __init__(self, db) -> None:  # noqa: ANN001 - the store's sqlite3 connection
        self._db = db
        self._by_term: dict[tuple, int] | None = None

    def find(self, concepts: list[Concept]) -> list[int | None]:
        ids = sorted({c.external_id for c in concepts if c.external_id})
        by_ext: dict[str, int] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for cid, ext in self._db.execute(
                    f"SELECT id, external_id FROM concepts WHERE external_id IN ({','.join('?' * len(chunk))})", chunk):
                by_ext.setdefault(ext, cid)
        out: list[int | None] = []
        for c in concepts:
            if c.external_id:
                out.append(by_ext.get(c.external_id))
            else:
                key = _preferred_key(c)
                c.__dict__["_key"] = key  # kept for ``add``
                out.append(self._terms().get(key) if key else None)
        return out

    def _terms(self) -> dict[tuple, int]:
        if self._by_term is None:
            fields: dict[int, set[str]] = {}
            for cid, fld in self._db.execute("SELECT concept_id, field FROM concept_fields"):
                fields.setdefault(cid, set()).add(fld.casefold())
            self._by_term = {}
            for cid, lang, text in self._db.execute(
                    "SELECT concept_id, lang, text FROM terms "
                    "WHERE status = ? OR (status IS NULL AND type = 'preferred') "
                    "ORDER BY concept_id, position", (TermStatus.PREFERRED.value,)):
                key = (lang, " ".join(text.casefold().split()), frozenset(fields.get(cid, ())))
                self._by_term.setdefault(key, cid)
        return self._by_term

    def add(self, concepts: list[Concept]) -> None:
        if self._by_term is None:
            return
        for c in concepts:
            key = c.__dict__.pop("_key", None)
            if key and not c.external_id:
                self._by_term.setdefault(key, c.id)  # type: ignore[arg-type]


class _Placer:
    """Puts a batch of read concepts into the store: new ones added, ones already there handled
    as ``existing`` says."""

    def __init__(self, store: GlossaryStore, db, known: _Known, existing: str, result: ImportResult) -> None:  # noqa: ANN001
        self.store, self.db, self.known, self.existing, self.result = store, db, known, existing, result
        self.seen = 0  # entries found already in the glossary
        self.asked = False
        self.first = ""

    def put(self, batch: list[Concept]) -> None:
        found = self.known.find(batch)
        new = [c for c, cid in zip(batch, found) if cid is None]
        if new:
            self.store.add_concepts(new)
            self.known.add(new)
            self.result.added += len(new)
        pairs = [(c, cid) for c, cid in zip(batch, found) if cid is not None]
        if not pairs:
            return
        self.seen += len(pairs)
        if self.existing == "ask":
            self.asked = True
            self.first = self.first or pairs[0][0].label()
            return
        if self.existing == "skip":
            self.result.kept += len(pairs)
            return
        stored = {c.id: c for c in load_concepts(self.db, [cid for _, cid in pairs])}
        for incoming, cid in pairs:
            old = stored[cid]
            if self.existing == "replace":
                incoming.id, incoming.created_at, incoming.related = cid, old.created_at, old.related
                self.store.update_concept(incoming)
                self.result.replaced += 1
                continue
            merged = merge(old, incoming)
            if merged is None:
                self.result.kept += 1
            else:
                self.store.update_concept(merged)
                self.result.merged += 1

    def question(self, file: str) -> AlreadyInGlossary:
        if self.seen == 1:
            err = AlreadyInGlossary.of(
                "Nothing was imported: '{first}' from '{file}' is already in the glossary. Import again choosing "
                "to merge, skip or replace the entries already there.", first=self.first, file=file)
        else:
            err = AlreadyInGlossary.of(
                "Nothing was imported: {n} entries of '{file}' are already in the glossary (the first: '{first}'). "
                "Import again choosing to merge, skip or replace them.", n=self.seen, file=file, first=self.first)
        err.count, err.first = self.seen, self.first
        return err


def merge(old: Concept, new: Concept) -> Concept | None:
    """``old`` with what ``new`` adds (terms it lacks, definitions in languages it lacks, subject
    fields, a note or source where it has none), or None when ``new`` adds nothing."""
    merged = old.copy()
    have = {(t.lang, t.text.casefold()) for t in merged.terms}
    for t in new.terms:
        if (t.lang, t.text.casefold()) not in have:
            merged.terms.append(t)
            have.add((t.lang, t.text.casefold()))
    for lang, text in new.definitions.items():
        merged.definitions.setdefault(lang, text)
    merged.subject_fields = list(dict.fromkeys([*merged.subject_fields, *new.subject_fields]))
    merged.note = merged.note or new.note
    merged.source = merged.source or new.source
    same = (len(merged.terms) == len(old.terms) and merged.definitions == old.definitions
            and merged.subject_fields == old.subject_fields and merged.note == old.note and merged.source == old.source)
    return None if same else merged


# --- starter glossaries ---


def starter_names() -> list[str]:
    """The starter glossaries shipped with TermLens ("finance", "law", "medicine")."""
    if not STARTER_DIR.is_dir():
        return []
    return sorted(p.stem for p in STARTER_DIR.glob("*.jsonl"))


def load_starter(
    store: GlossaryStore,
    names: Iterable[str] | None = None,
    on_progress: ProgressFn | None = None,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Load starter glossaries (all when ``names`` is None); returns how many concepts were added.

    Concepts whose id is already in the store are skipped, so loading twice adds nothing.
    ``on_progress(done, total)`` counts concepts.
    """
    available = starter_names()
    chosen = list(available if names is None else names)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        if not available:
            raise GlossaryError.of("There is no starter glossary called '{name}'; the starters are missing.",
                                   name=unknown[0])
        raise GlossaryError.of("There is no starter glossary called '{name}'; the starters are {starters}.",
                               name=unknown[0], starters=", ".join(available))
    concepts: list[Concept] = []
    for name in chosen:
        path = STARTER_DIR / f"{name}.jsonl"
        for item in read(path, "jsonl"):
            if isinstance(item, Problem):  # a broken shipped file is a packaging bug
                raise _with_report(GlossaryImportError.of(
                    "The starter glossary '{name}' is damaged ({problem}); reinstall TermLens.", name=name,
                    problem=str(item)), [item])
            concepts.append(item)
    present = store.external_ids(c.external_id for c in concepts)
    todo = [c for c in concepts if not c.external_id or c.external_id not in present]
    added = 0
    with store.transaction():
        for start in range(0, len(todo), 20):
            _check_stop(should_stop)
            added += len(store.add_concepts(todo[start : start + 20]))
            if on_progress:
                on_progress(added, len(todo))
    return added
