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
"I48.91" in a question is detected), inclusion terms as synonyms, subject field
"medicine", source "ICD-10-CM", status draft, and a short English definition
that places the code (its category, or the block of a category) and says
whether it is billable. The title is not repeated there: it is the preferred
term, and the prompt shows both.

The file is streamed with ``iterparse`` and written in one transaction, a few
thousand concepts at a time, with progress reported in bytes; loading twice adds
only codes not yet present.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
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
    seven: dict[str, str] = field(default_factory=dict)
    emitted: bool = False
    has_children: bool = False


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
    chapter = ("", "")  # (number, title)
    block = ""

    def concept(d: _Diag, code: str, title: str, synonyms: list[str], *, kind: str, billing: str) -> Concept:
        if diags[0] is not d or kind == "code" and code != d.code:
            where = f"in category {diags[0].code} ({diags[0].title})"
        else:
            where = f"in block {block}" if block else (f"in chapter {chapter[0]}, {chapter[1]}" if chapter[0] else "")
        definition = f"ICD-10-CM {kind} {code}" + (f", {where}" if where else "") + f"; {billing}."
        terms = [Term(title, "en", TermType.PREFERRED)]
        terms += [Term(s, "en", TermType.SYNONYM) for s in dict.fromkeys(synonyms) if s.lower() != title.lower()]
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
        elif tag == "name" and parent == "chapter":
            chapter = (text, chapter[1])
        elif tag == "desc" and parent == "diag":
            diags[-1].title = text
        elif tag == "desc" and parent == "chapter":
            chapter = (chapter[0], text)
        elif tag == "desc" and parent == "section":
            block = text
        elif tag == "note" and parent == "inclusionTerm" and len(path) >= 2 and path[-2] == "diag" and text:
            diags[-1].inclusions.append(text)
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
