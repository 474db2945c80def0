"""Put glossary files into a store: all or nothing, or the good entries only.

``import_file`` streams a file (see ``glossary.formats``) into one store
transaction. By default a file with any problem imports nothing: the transaction
is rolled back and ``GlossaryImportError`` carries the full report. With
``skip_bad=True`` the good entries are kept and the problems returned. Memory
stays bounded because concepts go to the store as they are read.

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
from glossary.model import Concept

if TYPE_CHECKING:
    from glossary.store import GlossaryStore

#: How many problems a report keeps; the rest are counted in one closing line.
MAX_REPORTED = 1000
#: Concepts written to the store at a time (few statements, bounded memory).
BATCH = 1000

STARTER_DIR = Path(__file__).resolve().parents[1] / "resources" / "glossaries"


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0  # lines or entries not imported
    problems: list[Problem] = field(default_factory=list)


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
    on_progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import a glossary file into ``store`` in one transaction; see the module docstring.

    Raises GlossaryImportError (with ``report``, a list of Problems) when the file
    is empty, cannot be read, or has problems and ``skip_bad`` is false, or when
    ``should_stop()`` turns true (cancel); the store is then unchanged.
    """
    p = Path(path)
    try:
        if p.is_file() and p.stat().st_size == 0:
            raise GlossaryImportError.of("The file '{file}' is empty: there is nothing to import.", file=p.name)
        items = read(p, format, on_progress)
    except GlossaryImportError:
        raise
    except (GlossaryError, OSError) as exc:
        raise _unreadable(p, exc) from exc

    result = ImportResult()
    extra = 0
    pending: list[Concept] = []
    try:
        with store.transaction():
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
                result.added += 1
                if len(pending) >= BATCH:
                    store.add_concepts(pending)
                    pending.clear()
            if pending:
                store.add_concepts(pending)
            if extra:
                result.problems.append(Problem("file", f"{extra} more problems are not listed."))
            if result.problems and not skip_bad:
                raise _Rollback
            if result.added == 0 and not result.problems:
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
    if result.added == 0:
        raise _with_report(GlossaryImportError.of(
            "Nothing was imported: none of the entries in '{file}' could be read (the first problem: {problem}).",
            file=p.name, problem=str(result.problems[0])), result.problems)
    return result


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
