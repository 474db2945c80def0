"""TBX (TermBase eXchange) glossaries: reads TBX v3 and ISO 30042:2008 ``martif``; writes TBX v3 Basic.

Read: a ``<tbx>`` root (TBX-Basic or TBX-Core, ``dca`` or ``dct`` style) with
``conceptEntry/langSec/termSec``, or a ``<martif>`` root with
``termEntry/langSet/tig`` (or ``ntig/termGrp``). One entry becomes one concept:
``descrip type="subjectField"`` -> subject fields, ``descrip type="definition"``
in a language section -> the definition in that language, ``admin
type="source"`` -> source, ``note`` -> note, the entry's ``id`` -> external id.
A term's type comes from ``administrativeStatus`` (or the 2008
``normativeAuthorization``) and ``termType``; in a language with no term marked
preferred, the first unmarked term is the preferred one.

Write: TBX v3 TBX-Basic (``dca`` style). Three things TBX-Basic has no data
category for are written so that a round trip keeps them: the concept status as
``admin type="processStatus"`` (draft = provisionallyProcessed, approved =
finalized), a case-sensitive term as ``termNote type="caseSensitive"``, and an
external id that is not a valid XML id (or is empty) as ``admin
type="externalId"``.

Safety and size: the XML is parsed with defusedxml, which refuses entity
declarations and external references (a "billion laughs" bomb or an
``file:///etc/passwd`` entity becomes a Problem, never an expansion or a file
read), and streamed with ``iterparse``: each entry is turned into a concept and
dropped, so memory stays bounded on a large file, and progress is reported in
bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import defusedxml
import defusedxml.ElementTree as DET

from glossary.formats.base import (
    CountingReader,
    Problem,
    ProgressFn,
    ReadItem,
    check_concept,
    check_lang,
    entry_label,
)
from glossary.model import Concept, Status, Term, TermType

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TYPED = {"descrip", "admin", "termNote", "adminNote", "descripNote", "transacNote", "ref", "xref"}
_ENTRY = {"conceptEntry", "termEntry"}
_LANG_SEC = {"langSec", "langSet"}
_TERM_SEC = {"termSec", "tig", "ntig"}
_ABBREVIATION_TYPES = {"abbreviation", "acronym", "initialism", "shortform", "abbreviatedform", "clippedterm"}
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


_LOCAL: dict[str, str] = {}


def _local(tag: object) -> str:
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL) < 1000:  # tag names repeat; a hostile file cannot grow the cache without bound
            _LOCAL[tag] = name
    return name


def _category(el: ET.Element) -> str:
    name = _local(el.tag)
    return el.get("type", "") if name in _TYPED else name


def _text(el: ET.Element) -> str:
    return "".join(el.itertext()).strip()


def _walk(el: ET.Element) -> Iterator[ET.Element]:
    """Children of ``el``, looking through grouping elements (descripGrp, adminGrp, termGrp, …)."""
    for child in el:
        if _local(child.tag).endswith("Grp"):
            yield child
            yield from _walk(child)
        else:
            yield child


# --- reading ---


def read_tbx(path: Path, on_progress: ProgressFn | None = None) -> Iterator[ReadItem]:
    total = path.stat().st_size
    with open(path, "rb") as raw:
        counter = CountingReader(raw, total, on_progress)
        yield from _parse(counter)
        counter.finish()


def _parse(source: CountingReader) -> Iterator[ReadItem]:
    stack: list[ET.Element] = []
    default_lang = "en"
    index = 0
    try:
        for event, el in DET.iterparse(source, events=("start", "end"), forbid_dtd=False, forbid_entities=True, forbid_external=True):
            if event == "start":
                if not stack:
                    root = _local(el.tag)
                    if root not in ("tbx", "martif"):
                        yield Problem("file", f"This is not a TBX file: its root element is <{root}>, not <tbx> or <martif>.")
                        return
                    default_lang = _lang_or(el.get(XML_LANG), "en")
                stack.append(el)
                continue
            stack.pop()
            if _local(el.tag) in _ENTRY:
                index += 1
                yield _entry(el, index, default_lang)
                if stack:
                    stack[-1].remove(el)  # drop the parsed entry: memory stays bounded
                el.clear()
    except defusedxml.EntitiesForbidden:
        yield Problem("file", "The file declares XML entities, which TermLens refuses because they can expand to huge text or read other files.")
    except defusedxml.ExternalReferenceForbidden:
        yield Problem("file", "The file refers to an external file or address, which TermLens refuses to read.")
    except defusedxml.DefusedXmlException as exc:
        yield Problem("file", f"The file uses an XML feature TermLens refuses for safety ({type(exc).__name__}).")
    except ET.ParseError as exc:
        line, _col = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":", 1)[0]
        yield Problem(f"line {line}" if line else "file", f"The XML is broken ({reason}); reading stopped here.")


def _lang_or(value: str | None, fallback: str) -> str:
    try:
        return check_lang(value) if value else fallback
    except ValueError:
        return fallback


def _entry(el: ET.Element, index: int, default_lang: str) -> ReadItem:
    ext_attr = el.get("id", "").strip()
    where = entry_label(index, ext_attr)
    concept = Concept(external_id=ext_attr)
    notes: list[str] = []
    external_override: str | None = None
    try:
        for child in _walk(el):
            cat = _category(child)
            if cat == "subjectField":
                concept.subject_fields.extend(s for s in (_text(child),) if s)
            elif cat == "definition":
                concept.definitions.setdefault(default_lang, _text(child))
            elif cat == "source":
                concept.source = concept.source or _text(child)
            elif cat == "note":
                notes.append(_text(child))
            elif cat in ("processStatus", "status"):
                concept.status = _status(_text(child))
            elif cat == "externalId":
                external_override = _text(child)
            elif _local(child.tag) in _LANG_SEC:
                _lang_section(child, concept, notes)
    except ValueError as exc:
        return Problem(where, str(exc))
    if external_override is not None:
        concept.external_id = external_override
    concept.note = "\n".join(n for n in notes if n)
    why = check_concept(concept)
    if why:
        return Problem(where, why[:1].upper() + why[1:] + ".")
    return concept


def _status(value: str) -> Status:
    v = value.strip().lower()
    if v in ("finalized", "approved", "final"):
        return Status.APPROVED
    return Status.DRAFT


def _lang_section(sec: ET.Element, concept: Concept, notes: list[str]) -> None:
    raw = sec.get(XML_LANG)
    if not raw:
        raise ValueError("A language section has no xml:lang attribute.")
    try:
        lang = check_lang(raw)
    except ValueError as exc:
        raise ValueError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    unmarked: list[Term] = []
    terms: list[Term] = []
    for child in _walk(sec):
        cat = _category(child)
        if cat == "definition":
            concept.definitions.setdefault(lang, _text(child))
        elif cat == "source":
            concept.source = concept.source or _text(child)
        elif cat == "note":
            notes.append(_text(child))
        elif _local(child.tag) in _TERM_SEC:
            term, marked = _term(child, lang)
            if term is not None:
                terms.append(term)
                if not marked:
                    unmarked.append(term)
    if unmarked and not any(t.type is TermType.PREFERRED for t in terms):
        unmarked[0].type = TermType.PREFERRED
    concept.terms.extend(terms)


def _term(sec: ET.Element, lang: str) -> tuple[Term | None, bool]:
    text = ""
    admin = ""
    ttype = ""
    case = False
    for child in _walk(sec):
        cat = _category(child)
        if cat == "term":
            text = _text(child)
        elif cat in ("administrativeStatus", "normativeAuthorization"):
            admin = _text(child).lower()
        elif cat == "termType":
            ttype = _text(child).lower()
        elif cat == "caseSensitive":
            case = _text(child).lower() in ("yes", "true", "1")
    if not text:
        return None, True
    if admin.startswith(("deprecated", "superseded", "obsolete")):
        kind, marked = TermType.DEPRECATED, True
    elif ttype in _ABBREVIATION_TYPES:
        kind, marked = TermType.ABBREVIATION, True
    elif admin.startswith("preferred"):
        kind, marked = TermType.PREFERRED, True
    elif admin.startswith("admitted"):
        kind, marked = TermType.SYNONYM, True
    else:
        kind, marked = TermType.SYNONYM, False
    return Term(text=text, lang=lang, type=kind, case_sensitive=case), marked


# --- writing ---

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader>
    <fileDesc>
      <sourceDesc>
        <p>Exported from TermLens</p>
      </sourceDesc>
    </fileDesc>
  </tbxHeader>
  <text>
    <body>
"""
_TAIL = """    </body>
  </text>
</tbx>
"""
_ADMIN_STATUS = {
    TermType.PREFERRED: "preferredTerm-admn-sts",
    TermType.SYNONYM: "admittedTerm-admn-sts",
    TermType.ABBREVIATION: "admittedTerm-admn-sts",
    TermType.DEPRECATED: "deprecatedTerm-admn-sts",
}
_TERM_TYPE = {TermType.PREFERRED: "fullForm", TermType.SYNONYM: "fullForm", TermType.ABBREVIATION: "abbreviation"}


def _x(text: str) -> str:
    # characters XML 1.0 cannot carry at all are dropped rather than making the file unreadable
    return escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text))


def write_tbx(concepts: Iterable[Concept], path: Path) -> int:
    n = 0
    used: set[str] = set()
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(_HEAD)
        for c in concepts:
            n += 1
            f.write(_entry_xml(c, n, used))
        f.write(_TAIL)
    return n


def _entry_xml(c: Concept, n: int, used: set[str]) -> str:
    ext = c.external_id
    if ext and _NCNAME.match(ext) and ext not in used:
        xml_id, extra = ext, ""
    else:
        xml_id = f"c{n}"
        while xml_id in used:
            xml_id = f"c{n}_{len(used)}"
        extra = f'        <admin type="externalId">{_x(ext)}</admin>\n'
    used.add(xml_id)
    out = [f"      <conceptEntry id={quoteattr(xml_id)}>\n"]
    out += [f'        <descrip type="subjectField">{_x(s)}</descrip>\n' for s in c.subject_fields]
    if c.source:
        out.append(f'        <admin type="source">{_x(c.source)}</admin>\n')
    out.append(extra)
    out.append(f'        <admin type="processStatus">{"finalized" if c.status is Status.APPROVED else "provisionallyProcessed"}</admin>\n')
    if c.note:
        out.append(f"        <note>{_x(c.note)}</note>\n")
    langs = list(dict.fromkeys([t.lang for t in c.terms] + list(c.definitions)))
    for lang in langs:
        out.append(f"        <langSec xml:lang={quoteattr(lang)}>\n")
        if c.definitions.get(lang):
            out.append(f'          <descrip type="definition">{_x(c.definitions[lang])}</descrip>\n')
        for t in c.terms:
            if t.lang != lang:
                continue
            out.append("          <termSec>\n")
            out.append(f"            <term>{_x(t.text)}</term>\n")
            if t.type in _TERM_TYPE:
                out.append(f'            <termNote type="termType">{_TERM_TYPE[t.type]}</termNote>\n')
            out.append(f'            <termNote type="administrativeStatus">{_ADMIN_STATUS[t.type]}</termNote>\n')
            if t.case_sensitive:
                out.append('            <termNote type="caseSensitive">yes</termNote>\n')
            out.append("          </termSec>\n")
        out.append("        </langSec>\n")
    out.append("      </conceptEntry>\n")
    return "".join(out)
