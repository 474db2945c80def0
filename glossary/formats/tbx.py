"""TBX (TermBase eXchange) glossaries: reads TBX v3 and ISO 30042:2008 ``martif``; writes TBX v3 Basic.

Read: a ``<tbx>`` root (TBX-Basic or TBX-Core, ``dca`` or ``dct`` style) with
``conceptEntry/langSec/termSec``, or a ``<martif>`` root with
``termEntry/langSet/tig`` (or ``ntig/termGrp``). One entry becomes one concept:
``descrip type="subjectField"`` -> subject fields, ``descrip type="definition"``
-> the definition in its language, ``admin type="source"`` -> source, ``note`` ->
note, the entry's ``id`` -> external id.

Text as TBX readers take it: every run of whitespace (the file's line breaks and
indentation included) becomes one space, and the text is trimmed; inline markup
(``<hi>``, ``<sc/>``…) is kept as its text.

Terms, exactly:

- status from ``administrativeStatus`` (or the 2008 ``normativeAuthorization``):
  preferred, admitted, deprecated, superseded (obsolete reads as superseded);
- type from ``termType``: abbreviation, acronym, initialism and clipped terms are
  abbreviations; a ``shortForm`` ("Galaxy" for "Milky Way Galaxy") is a short name, not an
  abbreviation, so it is a synonym, or the preferred term when marked preferred: a preferred
  term never loses that status, whatever its termType;
- case sensitivity from the file (a ``caseSensitive`` note or TermLens's note), else, for an
  abbreviation or short form, from its letters: one with a capital letter matches only as
  written ("Galaxy" does not find "galaxy");
- a language with no preferred term gets its first unmarked full form (else its first
  unmarked term) as the preferred one.

Reference material: ``<back>`` ``refObject``s are not concepts. A concept whose source
names one (by its id) gets the reference's text with its source. Bibliography records that
terminology tools export as entries of their own (one term such as "Oxford2007", no
definition, notes such as "Author[s]: ..." or cited as a source by other entries) are
treated the same way. Finding them takes a first, quick pass over the file.

Safety and size: parsed with defusedxml, which refuses entity declarations and external
references (a "billion laughs" bomb or a ``file:///etc/passwd`` entity becomes a Problem,
never an expansion or a file read), and streamed with ``iterparse``: each entry is turned
into a concept and dropped, so memory stays bounded and progress is reported in bytes.
Elements nested deeper than ``MAX_DEPTH`` stop the reading with a Problem instead of
exhausting the stack.

Writing is ``glossary.formats.tbx_write`` (TBX-Basic, valid against the official schemas).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as DET

from glossary.formats.base import CountingReader, Problem, ProgressFn, ReadItem, check_concept, check_lang, entry_label
from glossary.formats.clean import set_where
from glossary.formats.csv_format import split_list
from glossary.formats.tbx_write import CARRIER, derived_type, implied_status, write_tbx
from glossary.model import Concept, MatchMode, Status, Term, TermStatus, TermType

__all__ = ["read_tbx", "write_tbx", "MAX_DEPTH"]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_DEPTH = 64  # TBX needs about 10 levels; deeper nesting is refused, not recursed into
_TYPED = {"descrip", "admin", "termNote", "adminNote", "descripNote", "transacNote", "ref", "xref"}
_ENTRY = {"conceptEntry", "termEntry"}
_LANG_SEC = {"langSec", "langSet"}
_TERM_SEC = {"termSec", "tig", "ntig"}
_SHORT_TYPES = {"shortform", "abbreviation", "acronym", "initialism", "abbreviatedform", "clippedterm"}
_BIB_NOTE = re.compile(r"^(author\[?s?\]?|book title|title|publisher|publication (place|year|date)|isbn|journal|"
                       r"edition|pages?|volume|url)\s*:", re.I)
_LABELLED = re.compile(r"^[\w\[\]() .-]{2,40}:\s")  # "Publisher: Oxford University Press"
_STATUS_WORDS = [("preferred", TermStatus.PREFERRED), ("admitted", TermStatus.ADMITTED),
                 ("deprecated", TermStatus.DEPRECATED), ("superseded", TermStatus.SUPERSEDED),
                 ("obsolete", TermStatus.SUPERSEDED), ("forbidden", TermStatus.FORBIDDEN)]

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
    """The element's text with inline markup kept as text and whitespace normalised."""
    return " ".join("".join(el.itertext()).split())


def _walk(el: ET.Element) -> Iterator[ET.Element]:
    """Children of ``el``, looking through grouping elements (descripGrp, adminGrp, termGrp, …).
    Depth is bounded by the parser (``MAX_DEPTH``)."""
    for child in el:
        if _local(child.tag).endswith("Grp"):
            yield child
            yield from _walk(child)
        else:
            yield child


def _carrier(text: str) -> dict[str, str] | None:
    """The fields of a TermLens note (``TermLens: case=sensitive; match=exact``), or None."""
    if not text.startswith(CARRIER):
        return None
    out = {}
    for part in split_list(text[len(CARRIER):]):
        key, eq, value = part.partition("=")
        if eq:
            out[key.strip()] = value.strip()
    return out


# --- the parse loop shared by both passes ---


def _events(source: CountingReader) -> Iterator[tuple[str, ET.Element] | Problem]:
    """("root" | "entry" | "back", element) in document order, or a Problem that ends the file."""
    stack: list[ET.Element] = []
    try:
        for event, el in DET.iterparse(source, events=("start", "end"), forbid_dtd=False, forbid_entities=True,
                                       forbid_external=True):
            if event == "start":
                if not stack:
                    root = _local(el.tag)
                    if root not in ("tbx", "martif"):
                        yield Problem("file", f"This is not a TBX file: its root element is <{root[:40]}>, not <tbx> or <martif>.")
                        return
                    yield ("root", el)
                stack.append(el)
                if len(stack) > MAX_DEPTH:
                    yield Problem("file", f"The XML is nested more than {MAX_DEPTH} levels deep, which no glossary "
                                  "needs; reading stopped here.")
                    return
                continue
            stack.pop()
            name = _local(el.tag)
            if name in _ENTRY or name == "back":
                yield ("entry" if name in _ENTRY else "back", el)
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
    except RecursionError:
        yield Problem("file", "The XML is nested too deeply; reading stopped here.")


# --- first pass: references ---


@dataclass
class _References:
    objects: dict[str, str] = field(default_factory=dict)  # refObject id -> its text
    records: dict[str, str] = field(default_factory=dict)  # citation key of a bibliography entry -> its text
    record_entries: set[int] = field(default_factory=set)  # entry numbers that are bibliography records
    cited: set[str] = field(default_factory=set)  # every source text cited by an entry


def _references(path: Path) -> _References:
    refs = _References()
    candidates: dict[int, tuple[str, str, bool]] = {}  # entry number -> (key, text, has bibliographic notes)
    index = 0
    with open(path, "rb") as raw:
        for item in _events(CountingReader(raw, 0, None)):
            if isinstance(item, Problem):
                break
            kind, el = item
            if kind == "back":
                for obj in el.iter():
                    if _local(obj.tag) == "refObject" and obj.get("id"):
                        items = [_text(i) for i in obj.iter() if _local(i.tag) == "item"]
                        refs.objects[obj.get("id", "")] = "; ".join(t for t in items if t)
            elif kind == "entry":
                index += 1
                for child in el.iter():
                    if _category(child) == "source" and len(refs.cited) < 100_000:
                        refs.cited.add(_text(child))
                found = _record(el)
                if found and len(candidates) < 100_000:
                    candidates[index] = found
    for number, (key, text, bibliographic) in candidates.items():
        if bibliographic or key in refs.cited:
            refs.records[key] = text
            refs.record_entries.add(number)
    return refs


def _record(entry: ET.Element) -> tuple[str, str, bool] | None:
    """(key, text, has bibliographic notes) when ``entry`` looks like a bibliography record:
    exactly one term, no definition, no subject field, and only "Label: value" notes. It is
    taken as one when a note is bibliographic ("Author[s]: …") or other entries cite its term
    as their source."""
    terms, notes = [], []
    for el in entry.iter():
        cat = _category(el)
        if cat in ("definition", "subjectField"):
            return None
        if cat == "term":
            terms.append(_text(el))
        elif cat == "note" and _carrier(_text(el)) is None:
            notes.append(_text(el))
    if len(terms) != 1 or not terms[0] or not notes:
        return None
    if not all(_LABELLED.match(n) for n in notes):
        return None
    bibliographic = any(_BIB_NOTE.match(n) for n in notes)
    return terms[0], "; ".join(n for n in notes if n), bibliographic


# --- second pass: concepts ---


def read_tbx(path: Path, on_progress: ProgressFn | None = None) -> Iterator[ReadItem]:
    refs = _references(path)
    total = path.stat().st_size
    with open(path, "rb") as raw:
        counter = CountingReader(raw, total, on_progress)
        default_lang = "en"
        index = 0
        for item in _events(counter):
            if isinstance(item, Problem):
                yield item
                break
            kind, el = item
            if kind == "root":
                default_lang = _lang_or(el.get(XML_LANG), "en")
            elif kind == "entry":
                index += 1
                if index not in refs.record_entries:
                    yield _entry(el, index, default_lang, refs)
        counter.finish()


def _lang_or(value: str | None, fallback: str) -> str:
    try:
        return check_lang(value) if value else fallback
    except ValueError:
        return fallback


class _Entry:
    """What one entry's sections add up to while it is read."""

    def __init__(self, concept: Concept) -> None:
        self.concept = concept
        self.notes: list[str] = []
        self.def_tags: dict[str, str] = {}  # language -> the xml:lang its definition came with

    def definition(self, lang: str, raw_tag: str, text: str) -> None:
        if not text:
            return
        if lang in self.def_tags and self.def_tags[lang].lower() != raw_tag.lower():
            raise ValueError(f"Two definitions, in '{self.def_tags[lang]}' and '{raw_tag}', are both read as "
                             f"language '{lang}'; keep one of them.")
        self.def_tags.setdefault(lang, raw_tag)
        self.concept.definitions.setdefault(lang, text)

    def source(self, el: ET.Element, refs: _References) -> None:
        if self.concept.source:
            return
        text = _text(el)
        key = el.get("target") or text
        full = refs.objects.get(key) or refs.records.get(key)
        self.concept.source = f"{text} ({full})" if full and full != text else (full or text)


def _entry(el: ET.Element, index: int, default_lang: str, refs: _References) -> ReadItem:
    ext_attr = el.get("id", "").strip()
    where = entry_label(index, ext_attr)
    state = _Entry(Concept(external_id=ext_attr))
    concept = state.concept
    fields: dict[str, str] = {}
    try:
        for child in _walk(el):
            cat = _category(child)
            if cat == "subjectField":
                concept.subject_fields.extend(s for s in (_text(child),) if s)
            elif cat == "definition":
                raw = child.get(XML_LANG) or default_lang
                state.definition(_lang_or(raw, default_lang), raw, _text(child))
            elif cat == "source":
                state.source(child, refs)
            elif cat == "note":
                text = _text(child)
                carried = _carrier(text)
                if carried is None:
                    state.notes.append(text)
                else:
                    fields.update(carried)
            elif cat in ("processStatus", "status"):
                concept.status = _status(_text(child))
            elif cat == "externalId":
                fields["id"] = _text(child)
            elif _local(child.tag) in _LANG_SEC:
                _lang_section(child, state, refs)
    except ValueError as exc:
        return Problem(where, str(exc))
    if "id" in fields:
        concept.external_id = fields["id"]
    if fields.get("status") in ("approved", "draft"):
        concept.status = Status(fields["status"])
    concept.note = "\n".join(n for n in state.notes if n)
    why = check_concept(concept)
    if why:
        return Problem(where, why[:1].upper() + why[1:] + ".")
    return set_where(concept, where)


def _status(value: str) -> Status:
    v = value.strip().lower()
    if v in ("finalized", "approved", "final"):
        return Status.APPROVED
    return Status.DRAFT


def _lang_section(sec: ET.Element, state: _Entry, refs: _References) -> None:
    raw = sec.get(XML_LANG)
    if not raw:
        raise ValueError("A language section has no xml:lang attribute.")
    try:
        lang = check_lang(raw)
    except ValueError as exc:
        raise ValueError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    unmarked: list[tuple[Term, bool]] = []  # (term, is a short form)
    terms: list[Term] = []
    for child in _walk(sec):
        cat = _category(child)
        if cat == "definition":
            state.definition(lang, raw, _text(child))
        elif cat == "source":
            state.source(child, refs)
        elif cat == "note":
            text = _text(child)
            if _carrier(text) is None:
                state.notes.append(text)
        elif _local(child.tag) in _TERM_SEC:
            found = _term(child, lang)
            if found is not None:
                term, marked, short = found
                terms.append(term)
                if not marked:
                    unmarked.append((term, short))
    if unmarked and not any(t.effective_status is TermStatus.PREFERRED for t in terms):
        full = [t for t, short in unmarked if not short]
        (full or [t for t, _ in unmarked])[0].type = TermType.PREFERRED
    state.concept.terms.extend(terms)


def _admin_status(text: str) -> TermStatus | None:
    v = text.strip().lower()
    for word, status in _STATUS_WORDS:
        if v.startswith(word):
            return status
    return None


def _term(sec: ET.Element, lang: str) -> tuple[Term, bool, bool] | None:
    """(term, marked by the file, is a short form or abbreviation), or None without text."""
    text = ""
    status: TermStatus | None = None
    ttype = ""
    case: bool | None = None
    fields: dict[str, str] = {}
    for child in _walk(sec):
        cat = _category(child)
        if cat == "term":
            text = _text(child)
        elif cat in ("administrativeStatus", "normativeAuthorization"):
            status = _admin_status(_text(child))
        elif cat == "termType":
            ttype = _text(child).lower()
        elif cat == "caseSensitive":
            case = _text(child).lower() in ("yes", "true", "1", "sensitive")
        elif cat == "note":
            fields.update(_carrier(_text(child)) or {})
    if not text:
        return None
    if fields.get("status") in ("forbidden",):
        status = TermStatus.FORBIDDEN
    kind = derived_type(ttype, status)
    if fields.get("type") in {t.value for t in TermType}:
        kind = TermType(fields["type"])
    short = ttype in _SHORT_TYPES
    if "case" in fields:
        case = fields["case"] == "sensitive"
    elif case is None:
        case = short and any(ch.isupper() for ch in text)
    mode = MatchMode(fields["match"]) if fields.get("match") in {m.value for m in MatchMode} else None
    explicit = status if status is not None and status is not implied_status(kind) else None
    term = Term(text=text, lang=lang, type=kind, case_sensitive=case, status=explicit, match_mode=mode)
    marked = status is not None or ttype in _SHORT_TYPES - {"shortform"}
    return term, marked, short
