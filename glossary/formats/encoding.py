"""Which text encoding a CSV file is in: detected honestly, or refused with the lines to look at.

Spreadsheets save "CSV" in whatever the system's code page is: UTF-8 (with or without a
byte-order mark), UTF-16 (Excel's "Unicode text"), Windows-1252 on Western Windows,
GB18030 on Chinese Windows, Big5, Shift-JIS and others elsewhere. The order of checks:

1. A UTF-16 or UTF-8 byte-order mark decides.
2. A file whose bytes are all valid UTF-8 is UTF-8.
3. A file in which some lines with non-ASCII bytes are valid UTF-8 and others are not is a
   mix of two encodings (two files pasted together): it is refused, naming lines of each
   kind, because no single decoding can give both right.
4. Otherwise ``charset-normalizer`` (a maintained detector that measures how plausible
   each decoding is as text) lists the encodings that fit; Windows-1252 is asked for
   separately, because the detector leaves it out of short samples. The most plausible
   reading is taken: no word mixing two scripts ("Ménière" read as GB18030 gives
   "M閚i鑢e"), then the fewest non-letters among the non-ASCII characters (Chinese read
   as Windows-1252 gives "ÐÄ·¿"), then the least chaos by the detector's measure; between readings equally plausible, the code page Windows itself uses
   (GB18030, Windows-1252, Big5, Shift-JIS, Windows-1251, Windows-1250). When other
   encodings tie and read the text differently, TermLens does not guess: the file is
   refused, naming the line and the candidates, and the person chooses the encoding.

The chosen encoding is then checked over the whole file; a byte it cannot decode is an
error naming the line. The person can always name the encoding instead (``encoding=``,
the command line's ``--encoding``, the import dialog's encoding list). Knows nothing of
CSV columns.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path


_SAMPLE = 4 * 1024 * 1024  # bytes charset-normalizer looks at (it samples chunks of them)
# Preferred among decodings rated equally plausible: what Excel saves on Chinese, Western, Taiwanese,
# Japanese, Cyrillic and Central European Windows.
_PREFERRED = ("gb18030", "cp1252", "big5", "cp932", "cp1251", "cp1250")
_ALIASES = {"gbk": "gb18030", "gb2312": "gb18030", "latin1": "cp1252", "latin-1": "cp1252", "iso-8859-1": "cp1252",
            "windows-1252": "cp1252"}
_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030", "cp1252": "Windows-1252",
          "big5": "Big5", "cp932": "Shift-JIS"}

#: Encodings a person can choose from (codec, name shown).
CHOICES: tuple[tuple[str, str], ...] = (
    ("utf-8-sig", "UTF-8"), ("utf-16", "UTF-16"), ("cp1252", "Windows-1252 (Western)"),
    ("latin-1", "ISO-8859-1 (Latin-1)"), ("gb18030", "GB18030 (Chinese, simplified)"),
    ("big5", "Big5 (Chinese, traditional)"), ("cp932", "Shift-JIS (Japanese)"), ("cp1250", "Windows-1250 (Central European)"),
    ("cp1251", "Windows-1251 (Cyrillic)"),
)


class EncodingProblem(ValueError):
    """The file's encoding cannot be settled; ``line`` is where to look (0: the whole file)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.line = line


def display_name(codec: str) -> str:
    return _NAMES.get(codec, codec)


def check_codec(name: str) -> str:
    """The codec for an encoding name a person gave; EncodingProblem when Python has none."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise EncodingProblem(f"'{name}' is not an encoding TermLens knows; try utf-8, cp1252 or gb18030") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def detect(path: Path, chosen: str | None = None) -> str:
    """The codec to read ``path`` with (``chosen`` when given); EncodingProblem when none fits."""
    if chosen:
        codec = check_codec(chosen)
        _check_whole(path, codec)
        return codec
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif head.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    else:
        utf8, other = _classify_lines(path)
        if not other:
            return "utf-8-sig"
        if utf8:
            raise EncodingProblem(
                "the file mixes two text encodings: line(s) " + _lines(utf8) + " are UTF-8 but line(s) "
                + _lines(other) + " are not; save the whole file once as 'CSV UTF-8'", other[0])
        codec = _guess(path)
    _check_whole(path, codec)
    return codec


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:5])
    return shown + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")


def _classify_lines(path: Path) -> tuple[list[int], list[int]]:
    """Numbers of lines with non-ASCII bytes that are valid UTF-8, and of those that are not
    (at most 50 of each: enough to decide and to report)."""
    utf8: list[int] = []
    other: list[int] = []
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                if len(other) < 50:
                    other.append(number)
            else:
                if len(utf8) < 50:
                    utf8.append(number)
            if len(utf8) >= 50 and len(other) >= 50:
                break
    return utf8, other


def _guess(path: Path) -> str:
    from charset_normalizer import from_bytes  # imported when a file is not UTF-8: rare

    with open(path, "rb") as f:
        sample = f.read(_SAMPLE)
    readings: dict[str, tuple[float, str]] = {}  # encoding -> (the detector's chaos, the text read)
    # Excel's Western code page is often left out of a short sample's candidates: ask for it too
    for m in [*from_bytes(sample), *from_bytes(sample, cp_isolation=["cp1252"])]:
        name = _ALIASES.get(m.encoding, m.encoding)
        if not name.startswith("utf"):
            readings.setdefault(name, (m.chaos, str(m)))
    if not readings:
        raise EncodingProblem(
            "TermLens cannot tell which text encoding the file is in; save it as 'CSV UTF-8' or choose the encoding")
    scored = sorted(((*_implausibility(text, round(chaos, 2)),), _rank(name), name)
                    for name, (chaos, text) in readings.items())
    best, runner_up = scored[0], scored[1] if len(scored) > 1 else None
    if (runner_up is None or runner_up[0] > best[0] or best[1] < len(_PREFERRED)
            or readings[best[2]][1] == readings[runner_up[2]][1]):
        return best[2]
    line = first_non_ascii_line(path)
    names = [name for score, _r, name in scored if score == best[0]]
    raise EncodingProblem(
        f"TermLens cannot tell which text encoding the file is in (from line {line} it could be "
        + ", ".join(names[:3]) + "); save it as 'CSV UTF-8' or choose the encoding", line)


def _rank(name: str) -> int:
    return _PREFERRED.index(name) if name in _PREFERRED else len(_PREFERRED)


_WORD = re.compile(r"\w+")


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0]
    return "CJK" if first in ("CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH") else first


def _implausibility(text: str, chaos: float = 0.0) -> tuple[int, float, float]:
    """How unlike real text a decoding is: words that mix letters of two scripts ("M閚i鑢e",
    Ménière read as GB18030; "cafщ", café read as a Cyrillic code page), then the share of
    non-ASCII characters that are not letters ("ÐÄ·¿²", Chinese read as Windows-1252), then
    the detector's measure of chaos."""
    mixed = 0
    for word in _WORD.findall(text):
        if not word.isascii() and len({_script(ch) for ch in word if ch.isalpha()}) > 1:
            mixed += 1
    wide = [ch for ch in text if ord(ch) > 127]
    not_letters = sum(1 for ch in wide if not ch.isalpha()) / len(wide) if wide else 0.0
    return mixed, round(not_letters, 2), chaos


def first_non_ascii_line(path: Path) -> int:
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            if not line.isascii():
                return number
    return 0


def _check_whole(path: Path, codec: str) -> None:
    """EncodingProblem naming the line of the first byte ``codec`` cannot decode."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1024 * 1024)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                line = _line_of_byte(path, offset + max(exc.start, 0))
                raise EncodingProblem(
                    f"the line has bytes that are not valid {display_name(codec)} text; save the file as "
                    "'CSV UTF-8' or choose its encoding", line) from None
            if not chunk:
                return
            offset += len(chunk)


def _line_of_byte(path: Path, offset: int) -> int:
    line = 1
    done = 0
    with open(path, "rb") as f:
        while done < offset:
            chunk = f.read(min(1024 * 1024, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
    return line
