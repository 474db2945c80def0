"""Writing TBX v3 TBX-Basic (``dca`` style), valid against the official TBX-Basic schemas.

What TBX-Basic has a data category for is written with it:

- a term's usage status as ``termNote type="administrativeStatus"``: preferredTerm-admn-sts,
  admittedTerm-admn-sts, deprecatedTerm-admn-sts, supersededTerm-admn-sts. *Forbidden* has
  no TBX-Basic value: it is written as deprecatedTerm-admn-sts (the strongest "do not use"
  TBX-Basic allows, so any TBX tool warns against it) and marked forbidden in the TermLens
  note below;
- an abbreviation as ``termNote type="termType"`` abbreviation, other terms as fullForm;
- subject fields, source, note, definitions per language (a definition in a language
  without terms goes on the concept, with its ``xml:lang``, because a TBX ``langSec``
  must hold a term).

What TBX-Basic has no data category for (the match mode, case sensitivity, *forbidden*, a
type the status does not imply, the review status, an id that is not an XML id) goes into
one plain ``<note>`` that starts with ``TermLens:`` (``TermLens: case=sensitive;
match=exact``), on the term or on the concept: ``note`` is allowed everywhere, so the file
stays valid TBX-Basic, another tool shows the note as text, and TermLens reads it back so
that a round trip keeps every field. Text keeps no line breaks (TBX readers normalise
whitespace: see ``glossary.formats.tbx``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from glossary.formats.csv_format import join_list
from glossary.formats.output import atomic_text
from glossary.model import Concept, Status, Term, TermStatus, TermType

#: Starts a note that carries TermLens fields TBX-Basic has no data category for.
CARRIER = "TermLens:"

ADMIN_STATUS = {
    TermStatus.PREFERRED: "preferredTerm-admn-sts",
    TermStatus.ADMITTED: "admittedTerm-admn-sts",
    TermStatus.DEPRECATED: "deprecatedTerm-admn-sts",
    TermStatus.SUPERSEDED: "supersededTerm-admn-sts",
    TermStatus.FORBIDDEN: "deprecatedTerm-admn-sts",
}
_DEFAULT_STATUS = {TermType.PREFERRED: TermStatus.PREFERRED, TermType.SYNONYM: TermStatus.ADMITTED,
                   TermType.ABBREVIATION: TermStatus.ADMITTED, TermType.DEPRECATED: TermStatus.DEPRECATED}
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX_Core_RNG/master/TBXcoreStructV03.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>
<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBX-Basic_DCA.sch" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader>
    <fileDesc>
      <sourceDesc>
        <p>Exported from TermLens</p>
      </sourceDesc>
    </fileDesc>
  </tbxHeader>
  <text>
"""
_TAIL = """  </text>
</tbx>
"""


def derived_type(term_type: str, status: TermStatus | None) -> TermType:
    """The TermLens type a reader gives a term from its TBX ``termType`` and status."""
    if term_type in ("abbreviation", "acronym", "initialism", "clippedterm"):
        return TermType.ABBREVIATION
    if status is TermStatus.PREFERRED:
        return TermType.PREFERRED
    if status in (TermStatus.DEPRECATED, TermStatus.SUPERSEDED, TermStatus.FORBIDDEN):
        return TermType.DEPRECATED
    return TermType.SYNONYM


def implied_status(term_type: TermType) -> TermStatus:
    return _DEFAULT_STATUS[term_type]


def _x(text: str) -> str:
    # one line (TBX readers normalise whitespace); characters XML 1.0 cannot carry are dropped
    text = " ".join(text.split())
    return escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]", "", text))


def _carrier(fields: list[tuple[str, str]], indent: str) -> str:
    if not fields:
        return ""
    body = join_list(f"{k}={v}" for k, v in fields)
    return f"{indent}<note>{_x(f'{CARRIER} {body}')}</note>\n"


def write_tbx(concepts: Iterable[Concept], path: Path) -> int:
    n = 0
    used: set[str] = set()
    with atomic_text(path, encoding="utf-8", newline="\n") as f:
        f.write(_HEAD)
        for c in concepts:
            n += 1
            f.write(("    <body>\n" if n == 1 else "") + _entry_xml(c, n, used))
        f.write(("    </body>\n" if n else "") + _TAIL)  # TBX has no empty <body>: none without concepts
    return n


def _xml_id(c: Concept, n: int, used: set[str]) -> tuple[str, list[tuple[str, str]]]:
    ext = c.external_id
    if ext and _NCNAME.match(ext) and ext not in used and " " not in ext:
        used.add(ext)
        return ext, []
    xml_id, k = f"c{n}", 0
    while xml_id in used:
        k += 1
        xml_id = f"c{n}_{k}"
    used.add(xml_id)
    return xml_id, [("id", ext)]  # the real id (empty: none) travels in the TermLens note


def _entry_xml(c: Concept, n: int, used: set[str]) -> str:
    xml_id, fields = _xml_id(c, n, used)
    if c.status is Status.APPROVED:
        fields.append(("status", "approved"))
    out = [f"      <conceptEntry id={quoteattr(xml_id)}>\n"]
    out += [f'        <descrip type="subjectField">{_x(s)}</descrip>\n' for s in c.subject_fields if s.strip()]
    if c.source.strip():
        out.append(f'        <admin type="source">{_x(c.source)}</admin>\n')
    term_langs = list(dict.fromkeys(t.lang for t in c.terms))
    for lang, text in c.definitions.items():
        if lang not in term_langs and text.strip():
            out.append(f'        <descrip type="definition" xml:lang={quoteattr(lang)}>{_x(text)}</descrip>\n')
    if c.note.strip():
        out.append(f"        <note>{_x(c.note)}</note>\n")
    out.append(_carrier(fields, "        "))
    for lang in term_langs:
        out.append(f"        <langSec xml:lang={quoteattr(lang)}>\n")
        if c.definitions.get(lang, "").strip():
            out.append(f'          <descrip type="definition">{_x(c.definitions[lang])}</descrip>\n')
        out += [_term_xml(t) for t in c.terms if t.lang == lang]
        out.append("        </langSec>\n")
    out.append("      </conceptEntry>\n")
    return "".join(out)


def _term_xml(t: Term) -> str:
    status = t.effective_status
    term_type = "abbreviation" if t.type is TermType.ABBREVIATION else "fullForm"
    fields: list[tuple[str, str]] = []
    read_back_type = derived_type(term_type.lower(), status)
    if read_back_type is not t.type:
        fields.append(("type", t.type.value))
    if status is TermStatus.FORBIDDEN:
        fields.append(("status", status.value))
    # a reader infers case sensitivity of an abbreviation from its capitals: say so where that is wrong
    inferred = t.type is TermType.ABBREVIATION and any(ch.isupper() for ch in t.text)
    if t.case_sensitive != inferred:
        fields.append(("case", "sensitive" if t.case_sensitive else "insensitive"))
    if t.match_mode is not None:
        fields.append(("match", t.match_mode.value))
    return (
        "          <termSec>\n"
        f"            <term>{_x(t.text)}</term>\n"
        f'            <termNote type="termType">{term_type}</termNote>\n'
        f'            <termNote type="administrativeStatus">{ADMIN_STATUS[status]}</termNote>\n'
        + _carrier(fields, "            ")
        + "          </termSec>\n"
    )
