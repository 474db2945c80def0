"""Shared pieces of the glossary file formats: problems, progress, validation.

A reader yields ``Concept`` objects and ``Problem`` records in file order and never
raises for bad content: what is wrong with a line or an entry becomes a
``Problem`` the importer can show. Knows nothing of the store, Qt or torch.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from glossary.model import Concept, MatchMode, Status, Term, TermStatus, TermType

#: ``on_progress(done, total)``: bytes read so far and the file size in bytes.
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    """Why one line or entry of a file could not be read.

    ``location`` is written for a person ("line 12", "entry 'c42'", "file");
    ``reason`` is one sentence saying what is wrong.
    """

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


ReadItem = Concept | Problem

_LANG_RE = re.compile(r"^[a-z]{2,3}$")
_TYPE_ALIASES = {
    "preferred": TermType.PREFERRED,
    "synonym": TermType.SYNONYM,
    "synonyms": TermType.SYNONYM,
    "admitted": TermType.SYNONYM,
    "abbreviation": TermType.ABBREVIATION,
    "abbreviations": TermType.ABBREVIATION,
    "acronym": TermType.ABBREVIATION,
    "deprecated": TermType.DEPRECATED,
}


class HugeNumber(str):
    """A number in a JSON file with more digits than Python turns into an int: kept as its
    digits so that only the entry that holds it is refused, with a sentence."""


def normalise_lang(value: str) -> str:
    """A language code reduced to its lower-case primary subtag: 'zh-CN' -> 'zh', 'EN_us' -> 'en'."""
    return re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]


def check_lang(value: Any) -> str:
    """The normalised language code, or ValueError with a readable reason."""
    if not isinstance(value, str):
        raise ValueError(f"the language must be a code such as 'en' or 'zh', not {value!r}")
    lang = normalise_lang(value)
    if not _LANG_RE.match(lang):
        raise ValueError(f"'{value}' is not a language code such as 'en' or 'zh'")
    return lang


def term_type(value: Any) -> TermType:
    if isinstance(value, TermType):
        return value
    found = _TYPE_ALIASES.get(str(value).strip().lower()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            f"the term type {value!r} is not one of preferred, synonym, abbreviation, deprecated"
        )
    return found


def term_status(value: Any) -> TermStatus | None:
    """A term's usage status from a file ('' or None: unset, derived from the type)."""
    if value is None or isinstance(value, TermStatus):
        return value
    v = value.strip().lower() if isinstance(value, str) else None
    if v == "":
        return None
    for s in TermStatus:
        if v in (s.value, f"{s.value}term-admn-sts", f"{s.value}term"):
            return s
    raise ValueError(f"the term status {value!r} is not one of {', '.join(s.value for s in TermStatus)}")


def match_mode(value: Any) -> MatchMode | None:
    """A term's match mode from a file ('' or None: automatic)."""
    if value is None or isinstance(value, MatchMode):
        return value
    v = value.strip().lower() if isinstance(value, str) else None
    if v == "":
        return None
    for m in MatchMode:
        if v == m.value:
            return m
    raise ValueError(f"the match mode {value!r} is not 'exact' or 'inflected'")


def status(value: Any) -> Status:
    if isinstance(value, Status):
        return value
    if isinstance(value, str) and value.strip().lower() in ("draft", "approved"):
        return Status(value.strip().lower())
    raise ValueError(f"the status {value!r} is not 'draft' or 'approved'")


def check_concept(concept: Concept) -> str | None:
    """Why ``concept`` cannot be stored, or None when it is fine."""
    if not any(t.text for t in concept.terms):
        return "the entry has no terms"
    for t in concept.terms:
        if not t.text:
            return "the entry has an empty term"
        if not _LANG_RE.match(t.lang):
            return f"the term '{t.text}' has no valid language code"
    return None


# --- dictionary form, shared by JSON, JSONL and the CSV writer's spool ---

_CONCEPT_KEYS = {"id", "external_id", "subject_fields", "status", "source", "note", "definitions", "terms"}
_IGNORED_KEYS = {"related", "created_at", "updated_at", "$schema"}
_TERM_KEYS = {"text", "lang", "type", "case_sensitive", "status", "match_mode"}


def concept_to_dict(concept: Concept) -> dict[str, Any]:
    """The JSON form of a concept (store ids, links and timestamps are left out)."""
    out: dict[str, Any] = {}
    if concept.external_id:
        out["id"] = concept.external_id
    out["subject_fields"] = list(concept.subject_fields)
    out["status"] = concept.status.value
    out["source"] = concept.source
    out["note"] = concept.note
    out["definitions"] = dict(concept.definitions)
    terms = []
    for t in concept.terms:
        d: dict[str, Any] = {"text": t.text, "lang": t.lang, "type": t.type.value}
        if t.case_sensitive:
            d["case_sensitive"] = True
        if t.status is not None:
            d["status"] = t.status.value
        if t.match_mode is not None:
            d["match_mode"] = t.match_mode.value
        terms.append(d)
    out["terms"] = terms
    return out


def _str_field(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be text, not {type(value).__name__}")
    return value


def concept_from_dict(data: Any) -> Concept:
    """A concept from its JSON form; ValueError says what is wrong in one sentence."""
    if not isinstance(data, dict):
        raise ValueError(f"an entry must be a JSON object, not {type(data).__name__}")
    unknown = [k for k in data if k not in _CONCEPT_KEYS and k not in _IGNORED_KEYS and not str(k).startswith("x_")]
    if unknown:
        raise ValueError(f"unknown field '{unknown[0]}' (expected: {', '.join(sorted(_CONCEPT_KEYS))})")
    ext = data.get("id", data.get("external_id", ""))
    huge = next((v for v in (ext, *data.values()) if isinstance(v, HugeNumber)), None)
    if huge is not None:
        raise ValueError(f"a number in the entry has {len(huge):,} digits; write an id as text")
    if isinstance(ext, int) and not isinstance(ext, bool):
        ext = str(ext)
    if ext is None:
        ext = ""
    if not isinstance(ext, str):
        raise ValueError("'id' must be text or a number")
    subjects = data.get("subject_fields", [])
    if isinstance(subjects, str):
        subjects = [s for s in (p.strip() for p in subjects.split(";")) if s]
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise ValueError("'subject_fields' must be a list of text")
    defs = data.get("definitions", {}) or {}
    if not isinstance(defs, dict) or not all(isinstance(v, str) for v in defs.values()):
        raise ValueError("'definitions' must map a language code to text")
    definitions: dict[str, str] = {}
    raw_key: dict[str, str] = {}
    for k, v in defs.items():
        lang = check_lang(k)
        if lang in raw_key:  # 'en-US' and 'EN': TermLens keeps one definition per language
            raise ValueError(f"the definitions '{raw_key[lang]}' and '{k}' are both language '{lang}' to TermLens, "
                             "which keeps one definition per language; keep one of them")
        raw_key[lang] = k
        if v.strip():
            definitions[lang] = v
    raw_terms = data.get("terms")
    if not isinstance(raw_terms, list) or not raw_terms:
        raise ValueError("the entry has no 'terms' list")
    terms = []
    for i, rt in enumerate(raw_terms, 1):
        if not isinstance(rt, dict):
            raise ValueError(f"term {i} must be an object with 'text' and 'lang'")
        bad = [k for k in rt if k not in _TERM_KEYS and k != "id"]
        if bad:
            raise ValueError(f"term {i} has an unknown field '{bad[0]}'")
        text = rt.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"term {i} has no text")
        cs = rt.get("case_sensitive", False)
        if not isinstance(cs, bool):
            raise ValueError(f"term {i}: 'case_sensitive' must be true or false")
        terms.append(
            Term(text=text, lang=check_lang(rt.get("lang", "en")), type=term_type(rt.get("type", "preferred")), case_sensitive=cs,
                 status=term_status(rt.get("status")), match_mode=match_mode(rt.get("match_mode")))
        )
    concept = Concept(
        terms=terms,
        subject_fields=[s.strip() for s in subjects if s.strip()],
        definitions=definitions,
        note=_str_field(data, "note"),
        source=_str_field(data, "source"),
        status=status(data.get("status") or "draft"),
        external_id=ext.strip(),
    )
    why = check_concept(concept)
    if why:
        raise ValueError(why)
    return concept


# --- progress ---


class CountingReader(io.RawIOBase):
    """A binary file wrapper that reports bytes read through ``on_progress``.

    Calls are throttled (at most about 200 per file) so a progress bar costs nothing.
    """

    def __init__(self, raw: BinaryIO, total: int, on_progress: ProgressFn | None) -> None:
        self._raw = raw
        self.total = total
        self.done = 0
        self._on_progress = on_progress
        self._step = max(64 * 1024, total // 200)  # at most ~200 calls, at least 64 KiB apart
        self._next = self._step

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self._advance(n)
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._advance(len(data))
        return data

    def _advance(self, n: int) -> None:
        self.done += n
        if self._on_progress and self.done >= self._next and self.done < self.total:
            self._next = self.done + self._step
            self._on_progress(self.done, self.total)

    def finish(self) -> None:
        """Report the whole file as read (once, when reading ends)."""
        if self._on_progress:
            self._on_progress(self.total, self.total)


def entry_label(index: int, ext_id: Any = None) -> str:
    if isinstance(ext_id, str) and type(ext_id) is str and ext_id.strip():
        shown = "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else f"<U+{ord(ch):04X}>"
                        for ch in ext_id.strip()[:60])
        return f"entry {index} ('{shown}')"
    return f"entry {index}"

