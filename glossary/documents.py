"""The text of the user's documents (.txt, .md, .docx), for candidate terms and datasets.

``read_document`` decodes plain text as UTF-8 or else GB18030 (how Chinese documents
are often saved), drops Markdown's markup (code blocks, link targets, emphasis), and
reads the paragraphs and tables of a Word file with ``python-docx``. A file it cannot
read is one ``GlossaryImportError`` sentence. Knows nothing of Qt or torch.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from glossary.errors import GlossaryImportError

SUPPORTED = (".txt", ".md", ".markdown", ".docx")


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        raise GlossaryImportError.of("{name} is not a text file; TermLens reads .txt, .md and .docx documents.", name=name)
    for enc in ("utf-8-sig", "gb18030"):  # Chinese documents are often saved in GB18030 (GBK)
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise GlossaryImportError.of("{name} is neither UTF-8 nor GB18030 text, so it could not be read.", name=name)


def _markdown_text(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)  # code blocks hold no prose
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images keep their text
    text = re.sub(r"^\s{0,3}(#{1,6}|>+|[-*+]|\d+[.)])\s+", "", text, flags=re.M)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    return re.sub(r"(\*\*|__|\*|_|~~)(\S.*?\S|\S)\1", r"\2", text)


def _docx_text(path: Path) -> str:
    from docx import Document  # python-docx

    try:
        doc = Document(str(path))
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - not a zip, no document part, broken XML: all the same to the person
        raise GlossaryImportError.of("{name} is not a Word (.docx) document that can be read.", name=path.name) from exc
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def read_document(path: str | os.PathLike) -> str:
    """The text of a .txt, .md or .docx file; ``GlossaryImportError`` says why one cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        if not suffix:
            raise GlossaryImportError.of("{name}: TermLens reads .txt, .md and .docx documents, not this kind of file.",
                                         name=path.name)
        raise GlossaryImportError.of("{name}: TermLens reads .txt, .md and .docx documents, not {suffix}.",
                                     name=path.name, suffix=suffix)
    if not path.is_file():
        raise GlossaryImportError.of("{path} does not exist.", path=str(path))
    try:
        if suffix == ".docx":
            return _docx_text(path)
        text = _decode(path.read_bytes(), path.name)
    except OSError as exc:
        raise GlossaryImportError.of("{name} could not be read ({reason}).", name=path.name,
                                     reason=exc.strerror or str(exc)) from exc
    return _markdown_text(text) if suffix in (".md", ".markdown") else text
