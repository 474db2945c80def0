"""JSON and JSON Lines glossaries.

One concept is one JSON object::

    {"id": "med-af",                       # optional: the entry's own id (external id)
     "subject_fields": ["medicine", "cardiology"],
     "status": "draft",                    # or "approved"
     "source": "ESC 2024 AF guidelines",
     "note": "",
     "definitions": {"en": "...", "zh": "..."},
     "terms": [
       {"text": "atrial fibrillation", "lang": "en", "type": "preferred"},
       {"text": "AF", "lang": "en", "type": "abbreviation", "case_sensitive": true},
       {"text": "心房颤动", "lang": "zh", "type": "preferred"}]}

A ``.json`` file is a list of such objects; a ``.jsonl`` file holds one per line
(blank lines are skipped). Both are UTF-8 (a BOM is accepted). Both are read as a
stream, so a large file keeps memory bounded. Keys starting with ``x_`` are
ignored; any other unknown key is a problem, so that a misspelt field is not lost
silently. Store ids, links and timestamps are not written.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from glossary.formats.base import (
    CountingReader,
    HugeNumber,
    ProgressFn,
    Problem,
    ReadItem,
    concept_from_dict,
    concept_to_dict,
    entry_label,
)
from glossary.formats.clean import set_where
from glossary.formats.output import atomic_text
from glossary.model import Concept

MAX_ENTRY_CHARS = 4 * 1024 * 1024  # one entry larger than this is refused, not buffered


def _parse_int(digits: str) -> int | HugeNumber:
    return int(digits) if len(digits) <= 1000 else HugeNumber(digits)


# parse_int keeps a 5,000-digit id from raising ValueError in the middle of the list
_DECODER = json.JSONDecoder(parse_int=_parse_int)
_CHUNK = 64 * 1024
_WS = " \t\r\n"


def _item(data: object, location: str) -> ReadItem:
    try:
        return set_where(concept_from_dict(data), location)
    except ValueError as exc:
        return Problem(location, _sentence(str(exc)))


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


# --- JSON Lines ---


def read_jsonl(path: Path, on_progress: ProgressFn | None = None) -> Iterator[ReadItem]:
    total = path.stat().st_size
    with open(path, "rb") as raw:
        counter = CountingReader(raw, total, on_progress)
        reader = io.BufferedReader(counter)
        yield from _jsonl_lines(reader)
        counter.finish()


def _jsonl_lines(reader: io.BufferedReader, first_line: int = 1) -> Iterator[ReadItem]:
    number = first_line - 1
    while True:
        line = reader.readline(MAX_ENTRY_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_ENTRY_CHARS and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the oversized line
                line = reader.readline(_CHUNK)
            yield Problem(f"line {number}", f"The line is longer than {MAX_ENTRY_CHARS // (1024 * 1024)} MB.")
            continue
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            yield Problem(f"line {number}", "The line is not UTF-8 text.")
            continue
        if not text.strip():
            continue
        try:
            data = _DECODER.decode(text)
        except RecursionError:
            yield Problem(f"line {number}", "The line is not valid JSON (nested too deeply).")
            continue
        except ValueError as exc:
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "it cannot be read"
            yield Problem(f"line {number}", f"The line is not valid JSON ({reason}).")
            continue
        yield _item(data, f"line {number}")


def write_jsonl(concepts: Iterable[Concept], path: Path) -> int:
    n = 0
    with atomic_text(path, encoding="utf-8", newline="\n") as f:
        for c in concepts:
            f.write(json.dumps(concept_to_dict(c), ensure_ascii=False) + "\n")
            n += 1
    return n


# --- JSON (a list) ---


def read_json(path: Path, on_progress: ProgressFn | None = None) -> Iterator[ReadItem]:
    """Stream the entries of a JSON list without loading the whole file.

    A file that starts with ``{`` is read as JSON Lines, a common mix-up.
    """
    total = path.stat().st_size
    with open(path, "rb") as raw:
        counter = CountingReader(raw, total, on_progress)
        binary = io.BufferedReader(counter)
        head = binary.peek(1024).removeprefix(b"\xef\xbb\xbf")
        if head.lstrip(b" \t\r\n")[:1] == b"{":
            yield from _jsonl_lines(binary)
        else:
            yield from _json_list(io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict"))
        counter.finish()


def _json_list(text: io.TextIOWrapper) -> Iterator[ReadItem]:
    decoder = _DECODER
    buf = ""
    pos = 0
    lines_before = 0  # newlines in text already dropped from buf
    eof = False

    def line_at(p: int) -> str:
        return f"line {lines_before + buf.count(chr(10), 0, p) + 1}"

    def fill() -> bool:
        nonlocal buf, pos, lines_before, eof
        if eof:
            return False
        chunk = text.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        lines_before += buf.count("\n", 0, pos)
        buf = buf[pos:] + chunk
        pos = 0
        return True

    def skip_ws() -> str:
        """The next non-blank character ('' at the end of the file)."""
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not fill():
                return ""

    try:
        first = skip_ws()
        if first == "":
            return
        if first != "[":
            yield Problem(line_at(pos), "A JSON glossary must be a list of entries starting with '['.")
            return
        pos += 1
        index = 0
        expect_value = True
        while True:
            ch = skip_ws()
            if ch == "":
                yield Problem(line_at(pos), "The file ends before the list is closed with ']'.")
                return
            if ch == "]":
                pos += 1
                if skip_ws() != "":
                    yield Problem(line_at(pos), "There is text after the end of the list.")
                return
            if not expect_value:
                if ch != ",":
                    yield Problem(line_at(pos), "Entries must be separated by commas.")
                    return
                pos += 1
                expect_value = True
                continue
            while True:
                try:
                    data, end = decoder.raw_decode(buf, pos)
                    # a number or literal cut at the chunk edge decodes "successfully": read on
                    if end == len(buf) and not eof and fill():
                        continue
                    break
                except json.JSONDecodeError as exc:
                    if len(buf) - pos > MAX_ENTRY_CHARS:
                        yield Problem(line_at(pos), f"An entry is larger than {MAX_ENTRY_CHARS // (1024 * 1024)} MB or the JSON is broken.")
                        return
                    if fill():
                        continue
                    yield Problem(line_at(exc.pos), f"The file is not valid JSON ({exc.msg}).")
                    return
            index += 1
            ext = data.get("id") if isinstance(data, dict) else None
            yield _item(data, entry_label(index, ext))
            pos = end
            expect_value = False
    except UnicodeDecodeError:
        yield Problem("file", "The file is not UTF-8 text.")
    except RecursionError:
        yield Problem("file", "The JSON is nested too deeply.")


def write_json(concepts: Iterable[Concept], path: Path) -> int:
    n = 0
    with atomic_text(path, encoding="utf-8", newline="\n") as f:
        f.write("[")
        for c in concepts:
            f.write(",\n" if n else "\n")
            f.write(json.dumps(concept_to_dict(c), ensure_ascii=False, indent=None))
            n += 1
        f.write("\n]\n")
    return n
