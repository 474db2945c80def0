"""ICD-10-CM as a glossary: every code of the code set becomes a concept.

The tabular XML (the US ICD-10-CM code set) and the list of every valid code ship
inside the PyPI package ``simple-icd-10-cm``. This module only reads those data
files; it never imports the package, which parses the whole file into memory
when imported.

What is loaded, by default: every code a clinician may meet, 98,186 concepts for
the April 2026 code set. That is the 74,719 billable codes (the figure usually
quoted as "about 74,000 codes"; 51,485 of them are formed with a 7th character,
such as S52.011A, which the XML describes by rule and the code list confirms)
plus the 23,467 categories and subcategories above them ("I48 Atrial
fibrillation and flutter"), whose titles are the phrases people write. With
``seven_char=False`` the 7th-character codes are left out (46,881 concepts).

Each code becomes a concept: external id = the code ("I48.91"), the preferred
English term = its title, the code itself as a case-sensitive abbreviation (so
"I48.91" in a question is detected), subject field "medicine", source
"ICD-10-CM", status draft. Synonyms are the words people write for it:

- the code's inclusion terms ("Lethargy", "Tiredness" for R53.83);
- the head of a title or inclusion term that ends in ", unspecified", "unspecified"
  or "NOS", or starts with "Unspecified" ("Anemia, unspecified" -> "Anemia";
  "Fatigue NOS" -> "Fatigue"; "Unspecified atrial fibrillation" -> "atrial fibrillation");
- a title without a trailing qualifier in parentheses ("Chronic kidney disease, stage 3
  (moderate)" -> "Chronic kidney disease, stage 3");
- an abbreviation a title gives in parentheses ("Chronic kidney disease (CKD)" -> "CKD",
  case-sensitive, and "Chronic kidney disease"), and, for the codes under it, their
  stage forms with and without it ("CKD stage 3", "chronic kidney disease stage 3" for
  N18.3 and N18.30; "CKD stage 3a" for N18.31).

The package ships the tabular list only, not the alphabetic index, so index entries
are not available; the inclusion terms are the index's most common entries.

The definition, which the prompt receives, says what the code covers: its title, its
inclusion terms ("Includes: ..."), its excludes notes ("Excludes: ...", both kinds), and
whether it is billable; not where it sits in the chapter list.

The file is streamed with ``iterparse`` and written in one transaction, a few
thousand concepts at a time, with progress reported in bytes; loading twice adds
only codes not yet present.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree as DET

from glossary.errors import GlossaryImportError
from glossary.formats.base import CountingReader, ProgressFn
from glossary.model import Concept, Status, Term, TermType

if TYPE_CHECKING:
    from glossary.store import GlossaryStore

PACKAGE = "simple-icd-10-cm"
BILLABLE = "billable"
HEADING = "not billable: use a more specific code under it"
NEEDS_SEVENTH = "not billable without a 7th character"
SOURCE = "ICD-10-CM"
SUBJECT = "medicine"


def _package_dir() -> Path | None:
    try:
        dist = importlib.metadata.distribution(PACKAGE)
        for f in dist.files or []:
            if f.name.endswith(".xml") and "tabular" in f.name:
                return Path(str(dist.locate_file(f))).parent
    except importlib.metadata.PackageNotFoundError:
        pass
    spec = importlib.util.find_spec("simple_icd_10_cm")  # finds without importing
    if spec and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]) / "data"
    return None


def data_files() -> tuple[Path, Path | None]:
    """(tabular XML, list of valid codes or None) from the installed package; GlossaryImportError if absent."""
    folder = _package_dir()
    xml = sorted(folder.glob("*tabular*.xml")) if folder and folder.is_dir() else []
    if not xml:
        raise GlossaryImportError.of(
            "The ICD-10-CM code set is not installed (it comes with the 'simple-icd-10-cm' package); "
            "reinstall TermLens or ask your administrator to add that package."
        )
    codes = sorted(folder.glob("code-list*.txt"))
    return xml[-1], (codes[-1] if codes else None)


@dataclass
class _Diag:
    code: str = ""
    title: str = ""
    inclusions: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    seven: dict[str, str] = field(default_factory=dict)
    emitted: bool = False
    has_children: bool = False
    abbreviations: dict[str, str] = field(default_factory=dict)  # "chronic kidney disease" -> "CKD", for codes below


MAX_TERM = 256  # the store's limit on a term
MAX_DEFINITION = 1200  # a code's definition stays a short paragraph in the prompt
_UNSPECIFIED = re.compile(r"(?:,\s*|\s+)(?:unspecified|NOS)$", re.I)
_LEADING_UNSPECIFIED = re.compile(r"^unspecified\s+", re.I)
_ABBREVIATION = re.compile(r"^(?P<head>.+?)\s*\((?P<abbr>[A-Z][A-Z0-9-]{1,7})\)$")
_QUALIFIER = re.compile(r"^(?P<head>.+?)\s*\([a-z][a-z ,-]*\)$")
_STAGE = re.compile(r"^(?P<disease>.+?),\s*stage\s+(?P<stage>[0-9IVX]+[a-z]?)$", re.I)


def everyday_names(title: str, abbreviations: dict[str, str]) -> list[tuple[str, bool]]:
    """The words people write for a code titled ``title``: (text, is an abbreviation), most useful
    first. ``abbreviations`` maps a disease name (lower case) to the abbreviation a heading gave it;
    a new one found in ``title`` is added to it."""
    out: list[tuple[str, bool]] = []
    head = title.strip()
    m = _ABBREVIATION.match(head)
    if m:
        head = m.group("head")
        abbreviations[head.lower()] = m.group("abbr")
        out += [(head, False), (m.group("abbr"), True)]
    m = _QUALIFIER.match(head)
    if m:
        head = m.group("head")
        out.append((head, False))
    bare = _LEADING_UNSPECIFIED.sub("", _UNSPECIFIED.sub("", head)).strip(" ,")
    if bare and bare.lower() != head.lower():
        head = bare
        out.append((head[:1].upper() + head[1:] if title[:1].isupper() else head, False))
    m = _STAGE.match(head)
    if m:
        disease, stage = m.group("disease"), m.group("stage")
        out.append((f"{disease} stage {stage}", False))
        abbr = abbreviations.get(disease.lower())
        if abbr:
            out.append((f"{abbr} stage {stage}", False))
    return [(t, a) for t, a in dict.fromkeys(out) if t and t.lower() != title.lower() and len(t) <= MAX_TERM]


def _definition(code: str, title: str, kind: str, billing: str, inclusions: list[str], excludes: list[str]) -> str:
    parts = [title.rstrip(".") + "."]
    if inclusions:
        parts.append("Includes: " + "; ".join(inclusions) + ".")
    if excludes:
        parts.append("Excludes: " + "; ".join(excludes) + ".")
    text = " ".join(parts)
    if len(text) > MAX_DEFINITION:
        text = text[: MAX_DEFINITION - 1].rsplit(" ", 1)[0] + "…"
    return f"{text} ICD-10-CM {kind} {code}; {billing}."


def _with_dot(code: str) -> str:
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


def iter_concepts(
    xml_path: Path | None = None,
    *,
    seven_char: bool = True,
    valid_codes: set[str] | None = None,
    on_progress: ProgressFn | None = None,
    limit: int | None = None,
) -> Iterator[Concept]:
    """Stream the concepts of a tabular XML file (the installed one by default).

    ``valid_codes`` (codes without dots; by default the installed code list) says
    which 7th-character codes exist, which the XML describes by rule rather than
    listing; ``limit`` stops after that many.
    """
    if xml_path is None:
        xml_path, codes_path = data_files()
        if valid_codes is None and codes_path is not None:
            valid_codes = set(codes_path.read_text(encoding="utf-8").split())
    total = xml_path.stat().st_size
    n = 0
    with open(xml_path, "rb") as raw:
        counter = CountingReader(raw, total, on_progress)
        for concept in _parse(counter, seven_char, valid_codes):
            yield concept
            n += 1
            if limit is not None and n >= limit:
                return
        counter.finish()


def _parse(source: Any, seven_char: bool, valid: set[str] | None) -> Iterator[Concept]:
    path: list[str] = []  # local names of open elements
    elems: list[ET.Element] = []
    diags: list[_Diag] = []

    def concept(d: _Diag, code: str, title: str, synonyms: list[str], *, kind: str, billing: str) -> Concept:
        inherited: dict[str, str] = {}
        for a in diags:
            inherited.update(a.abbreviations)
        found = everyday_names(title, inherited)
        d.abbreviations.update(inherited)  # an abbreviation a heading gives holds for the codes below it
        for s in synonyms:
            found += [(s, False), *everyday_names(s, inherited)]
        definition = _definition(code, title, kind, billing, synonyms if code == d.code else [],
                                 d.excludes if code == d.code else [])
        # A title past the store's term limit (a few of 300+ characters) is nobody's search phrase:
        # it stays in full in the definition, and the everyday names and the code name the concept.
        terms = [Term(title, "en", TermType.PREFERRED)] if len(title) <= MAX_TERM else []
        seen = {title.lower(), code.lower()}
        for text, is_abbr in found:
            if text.lower() in seen or len(text) > MAX_TERM:
                continue
            seen.add(text.lower())
            terms.append(Term(text, "en", TermType.ABBREVIATION if is_abbr else TermType.SYNONYM,
                              case_sensitive=is_abbr))
        terms.append(Term(code, "en", TermType.ABBREVIATION, case_sensitive=True))
        return Concept(
            terms=terms, subject_fields=[SUBJECT], definitions={"en": definition},
            source=SOURCE, status=Status.DRAFT, external_id=code,
        )

    def emit(d: _Diag, billing: str = HEADING) -> Iterator[Concept]:
        if not d.emitted and d.code and d.title:
            d.emitted = True
            kind = "category" if diags[0] is d else ("subcategory" if billing != BILLABLE else "code")
            yield concept(d, d.code, d.title, d.inclusions, kind=kind, billing=billing)

    for event, el in DET.iterparse(source, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag == "diag" and diags:
                diags[-1].has_children = True
                yield from emit(diags[-1])  # a code comes before its children
            if tag == "diag":
                diags.append(_Diag())
            path.append(tag)
            elems.append(el)
            continue
        path.pop()
        elems.pop()
        parent = path[-1] if path else ""
        text = (el.text or "").strip()
        if tag == "name" and parent == "diag":
            diags[-1].code = text
        elif tag == "desc" and parent == "diag":
            diags[-1].title = text
        elif tag == "note" and parent == "inclusionTerm" and len(path) >= 2 and path[-2] == "diag" and text:
            diags[-1].inclusions.append(text)
        elif tag == "note" and parent in ("excludes1", "excludes2") and len(path) >= 2 and path[-2] == "diag" and text:
            diags[-1].excludes.append(text)
        elif tag == "extension" and parent == "sevenChrDef" and len(path) >= 2 and path[-2] == "diag":
            diags[-1].seven[el.get("char", "")] = text
        elif tag == "diag":
            d = diags[-1]
            rule = None if d.has_children else next((a.seven for a in reversed(diags) if a.seven), None)
            extended = list(_extended(d, rule, valid)) if rule else []
            yield from emit(d, NEEDS_SEVENTH if extended else (HEADING if d.has_children else BILLABLE))
            if seven_char:
                for code, title in extended:
                    yield concept(d, code, title, [], kind="code", billing=BILLABLE)
            diags.pop()
        if tag in ("diag", "section", "chapter") and elems:
            elems[-1].remove(el)  # done with it: keep memory flat
            el.clear()


def _extended(d: _Diag, rule: dict[str, str], valid: set[str] | None) -> Iterator[tuple[str, str]]:
    """(code, title) of each code formed from ``d`` with a 7th character of ``rule``."""
    bare = d.code.replace(".", "")
    base = bare.ljust(6, "X")  # the placeholder X fills codes shorter than six characters
    for char, meaning in rule.items():
        full = base + char
        if valid is not None and full not in valid:
            continue
        yield _with_dot(full), f"{d.title}, {meaning}"


def load(
    store: GlossaryStore,
    on_progress: ProgressFn | None = None,
    *,
    xml_path: Path | None = None,
    seven_char: bool = True,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
    batch: int = 2000,
) -> int:
    """Add the ICD-10-CM codes not yet in ``store``; returns how many concepts were added.

    One transaction: a failure part-way, or ``should_stop()`` turning true
    (GlossaryImportError saying it was cancelled), leaves the store as it was.
    ``on_progress(done, total)`` reports bytes of the XML read. Concepts are checked
    against the store and written ``batch`` at a time, so memory stays flat.
    """
    def stream() -> Iterator[Concept]:
        for c in iter_concepts(xml_path, seven_char=seven_char, on_progress=on_progress, limit=limit):
            if should_stop is not None and should_stop():
                raise GlossaryImportError.of("Loading ICD-10-CM was cancelled; nothing was added.")
            yield c

    concepts = stream()
    added = 0
    try:
        with store.transaction():
            while chunk := list(islice(concepts, batch)):
                present = store.external_ids((c.external_id for c in chunk), source=SOURCE)
                new = [c for c in chunk if c.external_id not in present]
                if new:
                    added += len(store.add_concepts(new))
        return added
    except ET.ParseError as exc:
        raise GlossaryImportError.of("The ICD-10-CM data file is damaged ({detail}); reinstall TermLens.",
                                     detail=str(exc)) from exc
