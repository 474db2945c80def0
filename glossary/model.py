"""The terminology data model: concepts that own terms (TBX-like, concept-oriented).

A *concept* is one meaning: subject fields, a definition per language, a note,
a source and a review status. Its *terms* are the words that name it, each in one
language, with a type (preferred, synonym, abbreviation, deprecated), a
case-sensitive flag, a usage status as in TBX ``administrativeStatus`` (preferred,
admitted, deprecated, superseded, plus forbidden) and a match mode (exact or
inflected). Status and match mode may be left unset (None): ``effective_status`` and
``effective_match_mode`` then derive them from the type and the term's script, so
data written before they existed keeps its meaning. This module knows nothing of
storage, Qt or torch.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum


# Limits that keep every input's work bounded (the store refuses longer text; the matcher
# leaves longer terms already stored out of its index).
MAX_TERM_CHARS = 256
MAX_DEFINITION_CHARS = 20_000


class TermType(str, Enum):
    PREFERRED = "preferred"
    SYNONYM = "synonym"
    ABBREVIATION = "abbreviation"
    DEPRECATED = "deprecated"


class TermStatus(str, Enum):
    """How a term may be used (TBX ``administrativeStatus``, plus *forbidden*: never to be used)."""

    PREFERRED = "preferred"
    ADMITTED = "admitted"
    DEPRECATED = "deprecated"
    SUPERSEDED = "superseded"
    FORBIDDEN = "forbidden"


class MatchMode(str, Enum):
    """How a term is found in text: ``exact`` (after NFKC and the case rule) or ``inflected``
    (also plural and possessive forms of its words, and hyphen/space/dash/slash variants)."""

    EXACT = "exact"
    INFLECTED = "inflected"


# The status a term has when none is set, from its type.
_STATUS_OF_TYPE = {
    "preferred": TermStatus.PREFERRED,
    "synonym": TermStatus.ADMITTED,
    "abbreviation": TermStatus.ADMITTED,
    "deprecated": TermStatus.DEPRECATED,
}

# Statuses that say "use another term instead".
NON_PREFERRED_STATUSES = frozenset({TermStatus.DEPRECATED, TermStatus.SUPERSEDED, TermStatus.FORBIDDEN})


class Status(str, Enum):
    DRAFT = "draft"
    APPROVED = "approved"


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def is_cjk_char(ch: str) -> bool:
    """True for Han, kana and Hangul characters (scripts written without spaces)."""
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "CJK COMPATIBILITY"))


def is_latin_letter(ch: str) -> bool:
    """True for a letter of the Latin script (a-z, and accented letters such as é, ß)."""
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN ")


def guess_language(text: str) -> str:
    """'zh' when the text holds more CJK characters than Latin letters, else 'en'."""
    cjk = sum(1 for ch in text if is_cjk_char(ch))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return "zh" if cjk > 0 and cjk >= latin / 4 else "en"


@dataclass
class Term:
    text: str
    lang: str = "en"
    type: TermType = TermType.PREFERRED
    case_sensitive: bool = False
    id: int | None = None
    status: TermStatus | None = None  # None: from the type (see ``effective_status``)
    match_mode: MatchMode | None = None  # None: automatic (see ``effective_match_mode``)

    def __post_init__(self) -> None:
        if type(self.type) is not TermType:  # a plain string from a file or the database
            self.type = TermType(self.type)
        if self.status is not None and type(self.status) is not TermStatus:
            self.status = TermStatus(self.status) if self.status else None
        if self.match_mode is not None and type(self.match_mode) is not MatchMode:
            self.match_mode = MatchMode(self.match_mode) if self.match_mode else None
        self.text = self.text.strip()

    @property
    def effective_status(self) -> TermStatus:
        """The status set, else the one its type implies (preferred -> preferred, synonym and
        abbreviation -> admitted, deprecated -> deprecated)."""
        return self.status if self.status is not None else _STATUS_OF_TYPE[self.type.value]

    @property
    def effective_match_mode(self) -> MatchMode:
        """The mode set, else: ``inflected`` for a Latin-script term that is neither an
        abbreviation nor case-sensitive; ``exact`` otherwise. Terms in Chinese (or any CJK
        script) are exact, and the matcher finds them in simplified and traditional
        characters alike whatever the mode."""
        if self.match_mode is not None:
            return self.match_mode
        if self.type is TermType.ABBREVIATION or self.case_sensitive:
            return MatchMode.EXACT
        text = self.text
        if text.isascii():
            latin = not text.isdigit() and any(ch.isalpha() for ch in text)
        else:
            if any(is_cjk_char(ch) for ch in text):
                return MatchMode.EXACT
            latin = any(is_latin_letter(ch) for ch in text)
        return MatchMode.INFLECTED if latin else MatchMode.EXACT


@dataclass
class Concept:
    """One meaning. ``definitions`` maps a language code ("en", "zh") to its text."""

    terms: list[Term] = field(default_factory=list)
    subject_fields: list[str] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    note: str = ""
    source: str = ""
    status: Status = Status.DRAFT
    id: int | None = None
    external_id: str = ""  # an id from the file the concept came from (a TBX id, an ICD-10-CM code)
    related: list[int] = field(default_factory=list)  # ids of linked concepts
    created_at: str = ""
    updated_at: str = ""

    def __post_init__(self) -> None:
        if type(self.status) is not Status:
            self.status = Status(self.status)

    def preferred(self, lang: str | None = None) -> Term | None:
        """The preferred term in ``lang`` (or any language), else the first term whose status
        allows its use (not deprecated, superseded or forbidden)."""
        pool = [t for t in self.terms if lang is None or t.lang == lang] or self.terms
        for t in pool:
            if t.effective_status is TermStatus.PREFERRED:
                return t
        for t in pool:
            if t.effective_status not in NON_PREFERRED_STATUSES:
                return t
        return pool[0] if pool else None

    def label(self, lang: str | None = None) -> str:
        t = self.preferred(lang)
        return t.text if t else f"concept {self.id}"

    def definition(self, lang: str) -> str:
        """The definition in ``lang``, falling back to English, then any language."""
        return self.definitions.get(lang) or self.definitions.get("en") or next(iter(self.definitions.values()), "")

    def copy(self) -> Concept:
        return replace(
            self,
            terms=[replace(t) for t in self.terms],
            subject_fields=list(self.subject_fields),
            definitions=dict(self.definitions),
            related=list(self.related),
        )
