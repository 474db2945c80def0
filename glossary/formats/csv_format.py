"""CSV glossaries that a spreadsheet user can edit: one row per concept.

Column layout (the first row names the columns; case and order do not matter)::

    id  subject_fields  status  source  note  definition_en  definition_zh
    preferred_en  synonyms_en  abbreviations_en  deprecated_en
    preferred_zh  synonyms_zh  abbreviations_zh  deprecated_zh   case_sensitive

- ``id``: the entry's own id (optional; kept as the concept's external id).
- ``subject_fields``: domains separated by ``;`` (``medicine; cardiology``).
- ``status``: ``draft`` (also when empty) or ``approved``.
- ``definition_<lang>``: the definition in that language.
- ``preferred_<lang>``, ``synonyms_<lang>``, ``abbreviations_<lang>``,
  ``deprecated_<lang>``: terms of that role in that language, several separated
  by ``;``. Any language code works (``preferred_ja``); ``term_<lang>`` and the
  singular forms (``synonym_en``) are accepted too.
- ``case_sensitive``: the terms, from any column, that only match with exactly
  this case (``AF; CKD-EPI``); all others match in any case.
- ``term_status``: a usage status set on a term, as ``term=status`` pairs
  (``Afib=forbidden; AF=admitted``); statuses are preferred, admitted,
  deprecated, superseded, forbidden. A term not listed takes the status of its
  role column (preferred -> preferred, synonyms/abbreviations -> admitted,
  deprecated -> deprecated).
- ``match_mode``: ``term=exact`` or ``term=inflected`` pairs for terms whose
  match mode is set by hand; a term not listed is matched automatically.

Inside a ``;`` list write ``\\;`` for a semicolon that belongs to a term and
``\\\\`` for a backslash. Example row (terms of atrial fibrillation)::

    preferred_en=atrial fibrillation  abbreviations_en=AF  preferred_zh=心房颤动
    synonyms_zh=房颤  case_sensitive=AF

Encoding: detected (see ``glossary.formats.encoding``: UTF-8, UTF-16 with a
byte-order mark, GB18030, Windows-1252 and the others charset-normalizer
recognises) or named by the person; bytes invalid in it are an error naming the
line, and a file mixing two encodings is refused. The delimiter may be a comma, a tab or a semicolon; it is taken from the
header row. Files are written as UTF-8 with a byte-order mark, comma-separated,
so Excel opens them with the right characters.

Spreadsheet formulas: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is written with a leading apostrophe (``'=HYPERLINK(...)``), as
OWASP recommends against CSV injection, so that a spreadsheet shows it as text
instead of running it; ``neutralise=False`` turns this off. When reading, an
apostrophe followed by one of those characters is removed again (and a cell that
really starts so is written with one more apostrophe), so a round trip keeps the text.

Reading streams row by row; a row with more cells than the header, a physical
line over 1 MB, or a cell over the CSV module's field limit becomes a Problem.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from glossary.formats.base import (
    CountingReader,
    Problem,
    ProgressFn,
    ReadItem,
    check_concept,
    check_lang,
    concept_to_dict,
    match_mode as parse_match_mode,
    status as parse_status,
    term_status as parse_term_status,
)
from glossary.formats.clean import set_where
from glossary.formats.encoding import EncodingProblem, detect as detect_encoding
from glossary.formats.output import atomic_text
from glossary.model import Concept, Term, TermType

MAX_LINE_CHARS = 1024 * 1024
_PLAIN = {"id", "subject_fields", "status", "source", "note", "case_sensitive", "term_status", "match_mode"}
#: First characters a spreadsheet reads as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A cell as written neutralised: apostrophes, then a formula character (one apostrophe is removed
# on reading; a cell that already starts so gets one more on writing, so a round trip keeps it).
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")
_PLAIN_ALIASES = {"external_id": "id", "subject_field": "subject_fields", "subjects": "subject_fields", "domain": "subject_fields"}
_ROLE_ALIASES = {
    "preferred": TermType.PREFERRED,
    "term": TermType.PREFERRED,
    "synonyms": TermType.SYNONYM,
    "synonym": TermType.SYNONYM,
    "abbreviations": TermType.ABBREVIATION,
    "abbreviation": TermType.ABBREVIATION,
    "deprecated": TermType.DEPRECATED,
}
_ROLE_COLUMN = {
    TermType.PREFERRED: "preferred",
    TermType.SYNONYM: "synonyms",
    TermType.ABBREVIATION: "abbreviations",
    TermType.DEPRECATED: "deprecated",
}
_LANG_COL = re.compile(r"^([a-z]+)[_ -]([a-z]{2,3}(?:[-_][a-z0-9]+)?)$")


class _LineTooLong(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


# --- ;-lists ---


def join_list(items: Iterable[str]) -> str:
    return "; ".join(i.replace("\\", "\\\\").replace(";", "\\;") for i in items)


def split_list(cell: str) -> list[str]:
    if "\\" not in cell:  # no escapes: the common case, split in C
        return [i.strip() for i in cell.split(";") if i.strip()]
    out: list[str] = []
    item: list[str] = []
    chars = iter(cell)
    for ch in chars:
        if ch == "\\":
            item.append(next(chars, "\\"))
        elif ch == ";":
            out.append("".join(item))
            item = []
        else:
            item.append(ch)
    out.append("".join(item))
    return [i.strip() for i in out if i.strip()]


# --- header ---


def _column_key(name: str) -> tuple[str, str] | None:
    """('plain', field) or (role, lang) for a header cell; None when unknown."""
    key = name.strip().lower().lstrip("\ufeff")
    key = _PLAIN_ALIASES.get(key, key)
    if key in _PLAIN:
        return ("plain", key)
    m = _LANG_COL.match(key)
    if m:
        role, lang = m.groups()
        try:
            lang = check_lang(lang)
        except ValueError:
            return None
        if role in ("definition", "definitions"):
            return ("definition", lang)
        if role in _ROLE_ALIASES:
            return (_ROLE_ALIASES[role].value, lang)
    return None


def _pick_delimiter(first_line: str) -> str:
    best, best_score = ",", -1
    for delim in (",", "\t", ";"):
        cells = next(csv.reader([first_line], delimiter=delim), [])
        score = sum(1 for c in cells if _column_key(c) is not None)
        if score > best_score:
            best, best_score = delim, score
    return best


# --- reading ---


def read_csv(path: Path, on_progress: ProgressFn | None = None, *, encoding: str | None = None) -> Iterator[ReadItem]:
    """Rows of ``path`` as concepts and problems; ``encoding`` None: detected (``glossary.formats.encoding``)."""
    try:
        encoding = detect_encoding(path, encoding)
    except EncodingProblem as exc:
        yield Problem(f"line {exc.line}" if exc.line else "file", _capital(str(exc)) + ".")
        return
    total = path.stat().st_size
    with open(path, "rb") as raw:
        counter = CountingReader(raw, total, on_progress)
        text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, errors="strict", newline="")
        yield from _read_rows(text)
        counter.finish()


def _limited_lines(text: io.TextIOWrapper, first: str) -> Iterator[str]:
    number = 1
    yield first
    while True:
        line = text.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise _LineTooLong(number)
        yield line


def _read_rows(text: io.TextIOWrapper) -> Iterator[ReadItem]:
    first = text.readline(MAX_LINE_CHARS + 1)
    if len(first) > MAX_LINE_CHARS:
        yield Problem("line 1", "The header line is longer than 1 MB; this does not look like a glossary CSV.")
        return
    if not first.strip():
        return
    reader = csv.reader(_limited_lines(text, first), delimiter=_pick_delimiter(first))
    try:
        header = next(reader)
    except csv.Error as exc:
        yield Problem("line 1", f"The header row cannot be read ({exc}).")
        return
    columns: list[tuple[str, str] | None] = [_column_key(h) for h in header]
    unknown = [h.strip() for h, c in zip(header, columns) if c is None and h.strip()]
    if unknown:
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        yield Problem(
            "line 1",
            f"Unknown column '{unknown[0][:40]}'{more}; columns are id, subject_fields, status, source, note, "
            "case_sensitive, term_status, match_mode, definition_<lang>, preferred_<lang>, synonyms_<lang>, "
            "abbreviations_<lang>, deprecated_<lang>.",
        )
    seen: dict[tuple[str, str], str] = {}
    for h, c in zip(header, columns):
        if c is not None and c in seen:
            if seen[c].lower() == h.strip().lower():
                yield Problem("line 1", f"The column '{h.strip()}' appears twice.")
            else:  # definition_en-US and definition_EN: TermLens keeps one definition per language
                yield Problem("line 1", f"The columns '{seen[c]}' and '{h.strip()}' are both language '{c[1]}' to "
                              "TermLens, which keeps one column per language; keep one of them.")
            return
        if c is not None:
            seen[c] = h.strip()
    if not any(c and c[0] in ("preferred", "synonym", "abbreviation", "deprecated") for c in columns):
        yield Problem("line 1", "The header has no term column such as preferred_en or preferred_zh.")
        return

    last_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except _LineTooLong as exc:
            yield Problem(f"line {exc.line}", "The line is longer than 1 MB; reading stopped here.")
            return
        except csv.Error as exc:
            yield Problem(f"line {last_line + 1}", f"The row cannot be read as CSV ({exc}); reading stopped here.")
            return
        except UnicodeDecodeError:
            yield Problem(f"line {last_line + 1}", "The text is not in the file's encoding; reading stopped here.")
            return
        location = f"line {last_line + 1}"
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            yield Problem(location, f"The row has {len(row)} cells but the header has {len(header)} columns.")
            continue
        yield _row_concept(row, columns, location)


def _row_concept(row: list[str], columns: list[tuple[str, str] | None], location: str) -> ReadItem:
    concept = Concept()
    case_sensitive: set[str] = set()
    per_term: dict[str, dict[str, str]] = {"term_status": {}, "match_mode": {}}
    try:
        for cell, col in zip(row, columns):
            if col is None or not cell.strip():
                continue
            if cell[:1] == "'" and _NEUTRALISED.match(cell):
                cell = cell[1:]  # a cell neutralised on export
            kind, key = col
            if kind == "plain":
                if key == "id":
                    concept.external_id = cell.strip()
                elif key == "subject_fields":
                    concept.subject_fields = split_list(cell)
                elif key == "status":
                    concept.status = parse_status(cell)
                elif key == "source":
                    concept.source = cell.strip()
                elif key == "note":
                    concept.note = cell.strip()
                elif key == "case_sensitive":
                    case_sensitive.update(split_list(cell))
                else:
                    per_term[key].update(_pairs(cell, key))
            elif kind == "definition":
                concept.definitions[key] = cell.strip()
            else:
                for text in split_list(cell):
                    concept.terms.append(Term(text=text, lang=key, type=TermType(kind)))
    except ValueError as exc:
        return Problem(location, str(exc)[:1].upper() + str(exc)[1:] + ".")
    texts = {t.text for t in concept.terms}
    try:
        for t in concept.terms:
            t.case_sensitive = t.text in case_sensitive
            t.status = parse_term_status(per_term["term_status"].get(t.text))
            t.match_mode = parse_match_mode(per_term["match_mode"].get(t.text))
    except ValueError as exc:
        return Problem(location, str(exc)[:1].upper() + str(exc)[1:] + ".")
    for column, named in (("case_sensitive", case_sensitive), ("term_status", set(per_term["term_status"])),
                          ("match_mode", set(per_term["match_mode"]))):
        missing = named - texts
        if missing:
            return Problem(location, f"The {column} column names '{sorted(missing)[0]}', which is not a term of this row.")
    why = check_concept(concept)
    if why:
        return Problem(location, why[:1].upper() + why[1:] + ".")
    return set_where(concept, location)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pairs(cell: str, column: str) -> dict[str, str]:
    """``term=value`` items of a ``term_status`` or ``match_mode`` cell."""
    out = {}
    for item in split_list(cell):
        text, eq, value = item.rpartition("=")
        if not eq or not text.strip():
            raise ValueError(f"the {column} column holds '{item[:60]}'; write term=value, e.g. 'Afib=forbidden'")
        out[text.strip()] = value.strip()
    return out


# --- writing ---


def write_csv(concepts: Iterable[Concept], path: Path, *, encoding: str = "utf-8-sig", neutralise: bool = True) -> int:
    """Write one row per concept. Languages are collected first (spooled to a temporary file).

    ``neutralise`` puts an apostrophe before cells a spreadsheet would run as a formula.
    """
    langs: set[str] = {"en", "zh"}
    n = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for c in concepts:
            langs.update(t.lang for t in c.terms)
            langs.update(c.definitions)
            spool.write(json.dumps(concept_to_dict(c), ensure_ascii=False) + "\n")
            n += 1
        order = ["en", "zh"] + sorted(langs - {"en", "zh"})
        header = ["id", "subject_fields", "status", "source", "note"]
        header += [f"definition_{lang}" for lang in order]
        for lang in order:
            header += [f"{_ROLE_COLUMN[t]}_{lang}" for t in TermType]
        header += ["case_sensitive", "term_status", "match_mode"]
        spool.seek(0)
        with atomic_text(path, encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for line in spool:
                row = _row(json.loads(line), order)
                writer.writerow([neutralised(cell) for cell in row] if neutralise else row)
    return n


def neutralised(cell: str) -> str:
    """``cell`` with an apostrophe in front when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) or _NEUTRALISED.match(cell) else cell


def _row(d: dict, order: list[str]) -> list[str]:
    """One CSV row from a concept's JSON form (see ``concept_to_dict``)."""
    terms = d["terms"]
    row = [d.get("id", ""), join_list(d["subject_fields"]), d["status"], d["source"], d["note"]]
    row += [d["definitions"].get(lang, "") for lang in order]
    for lang in order:
        for tt in TermType:
            row.append(join_list(t["text"] for t in terms if t["lang"] == lang and t["type"] == tt.value))
    row.append(join_list(dict.fromkeys(t["text"] for t in terms if t.get("case_sensitive"))))
    for key in ("status", "match_mode"):
        row.append(join_list(f"{t['text']}={t[key]}" for t in terms if t.get(key)))
    return row
