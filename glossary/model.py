"""The terminology data model: concepts that own terms (TBX-like, concept-oriented).

A *concept* is one meaning: subject fields, a definition per language, a note,
a source and a review status. Its *terms* are the words that name it, each in one
language, with a type (preferred, synonym, abbreviation, deprecated) and a
case-sensitive flag. This module knows nothing of storage, Qt or torch.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum


class TermType(str, Enum):
    PREFERRED = "preferred"
    SYNONYM = "synonym"
    ABBREVIATION = "abbreviation"
    DEPRECATED = "deprecated"


class Status(str, Enum):
    DRAFT = "draft"
    APPROVED = "approved"


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def is_cjk_char(ch: str) -> bool:
    """True for Han, kana and Hangul characters (scripts written without spaces)."""
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL", "CJK COMPATIBILITY"))


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

    def __post_init__(self) -> None:
        if type(self.type) is not TermType:  # a plain string from a file or the database
            self.type = TermType(self.type)
        self.text = self.text.strip()


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
        """The preferred term in ``lang`` (or any language), else the first non-deprecated term."""
        pool = [t for t in self.terms if lang is None or t.lang == lang] or self.terms
        for t in pool:
            if t.type is TermType.PREFERRED:
                return t
        for t in pool:
            if t.type is not TermType.DEPRECATED:
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
