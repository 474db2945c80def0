"""Glossary files in and out: CSV, JSON, JSON Lines and TBX.

``read`` streams a file as ``Concept`` objects and ``Problem`` records (a bad
line or entry never raises); ``write`` writes concepts and returns how many.
The format comes from the file extension unless given. This package knows
nothing of the store: ``glossary.importer`` puts what is read into one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path

from glossary.errors import GlossaryError
from glossary.formats.base import Problem, ProgressFn, ReadItem, concept_from_dict, concept_to_dict
from glossary.formats.clean import checked
from glossary.formats.csv_format import read_csv, write_csv
from glossary.formats.json_format import read_json, read_jsonl, write_json, write_jsonl
from glossary.formats.tbx import read_tbx, write_tbx
from glossary.model import Concept

__all__ = [
    "FORMATS",
    "Problem",
    "ProgressFn",
    "ReadItem",
    "concept_from_dict",
    "concept_to_dict",
    "detect_format",
    "read",
    "write",
]

#: format name -> file extensions it is recognised by
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv", ".tsv", ".txt"),
    "json": (".json",),
    "jsonl": (".jsonl", ".ndjson"),
    "tbx": (".tbx", ".xml"),
}

_READERS = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl, "tbx": read_tbx}


def detect_format(path: str | PathLike[str]) -> str:
    """The format name for ``path`` from its extension; GlossaryError when unknown."""
    suffix = Path(path).suffix.lower()
    for name, suffixes in FORMATS.items():
        if suffix in suffixes:
            return name
    raise GlossaryError.of(
        "TermLens cannot tell the format of '{name}': use a .csv, .json, .jsonl or .tbx file.", name=Path(path).name
    )


def _format(path: Path, format: str | None) -> str:
    if format is None:
        return detect_format(path)
    name = format.lower().lstrip(".")
    if name == "xml":
        name = "tbx"
    if name not in FORMATS:
        raise GlossaryError.of("'{format}' is not a glossary format; choose one of {formats}.", format=format,
                               formats=", ".join(FORMATS))
    return name


def read(
    path: str | PathLike[str],
    format: str | None = None,
    on_progress: ProgressFn | None = None,
    *,
    encoding: str | None = None,
) -> Iterator[Concept | Problem]:
    """Stream the concepts of a glossary file, with a ``Problem`` for each bad line or entry.

    ``on_progress(done, total)`` is called with bytes read and the file size. ``encoding``
    names a CSV file's text encoding (None: detected); JSON is UTF-8 by definition and XML
    declares its own. Every text read is checked by ``glossary.formats.clean``.
    Raises GlossaryError only when the file cannot be opened or its format is unknown.
    """
    p = Path(path)
    name = _format(p, format)
    if not p.is_file():
        raise GlossaryError.of("The file '{path}' does not exist or is not a file.", path=str(p))
    if name == "csv":
        return checked(read_csv(p, on_progress, encoding=encoding))
    return checked(_READERS[name](p, on_progress))


def write(
    concepts: Iterable[Concept],
    path: str | PathLike[str],
    format: str | None = None,
    *,
    encoding: str | None = None,
    neutralise: bool = True,
) -> int:
    """Write ``concepts`` to ``path``; returns how many were written.

    The file is written under a temporary name and renamed at the end
    (``glossary.formats.output``): an export that fails leaves any earlier file as it
    was and raises ``ExportError`` with one sentence. ``encoding`` applies to CSV only
    (default UTF-8 with a byte-order mark, which Excel needs; ``"gb18030"`` for older
    Chinese spreadsheets); so does ``neutralise`` (cells that start like a spreadsheet
    formula get a leading apostrophe).
    """
    p = Path(path)
    name = _format(p, format)
    if name == "csv":
        return write_csv(concepts, p, encoding=encoding or "utf-8-sig", neutralise=neutralise)
    if name == "json":
        return write_json(concepts, p)
    if name == "jsonl":
        return write_jsonl(concepts, p)
    return write_tbx(concepts, p)
