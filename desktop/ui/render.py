"""Text to the HTML the message bubbles show: answers as Markdown, questions with their
glossary terms highlighted as links (``concept:ID``), and finished answers with the
glossary terms they use highlighted the same way (deprecated, superseded and forbidden
ones in red). ``concept_link`` and ``concept_id_of`` make and read such a link wherever a
term opens its concept (the bubbles, the term panel's cards).

Raw HTML in an answer is shown as text, never interpreted. Pure functions; no widgets.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table").enable("strikethrough")

TERM_STYLE = "background-color:#fde68a; color:#1f2937; text-decoration:none; border-radius:3px;"
DEPRECATED_STYLE = "background-color:#fecaca; color:#1f2937; text-decoration:none;"
EXCLUDED_STYLE = "text-decoration:line-through; color:#6b7280;"
_SCHEME = "concept:"


def concept_link(concept_id: int, text: str, *, title: str = "", style: str = "") -> str:
    """``text`` as a link that opens concept ``concept_id``; ``text`` and ``title`` are plain
    text (escaped here)."""
    attrs = f' title="{html.escape(title, quote=True)}"' if title else ""
    attrs += f' style="{style}"' if style else ""
    return f'<a href="{_SCHEME}{int(concept_id)}"{attrs}>{html.escape(text)}</a>'


def concept_id_of(href: str) -> int | None:
    """The concept a ``concept_link`` opens; None for any other link."""
    if not href.startswith(_SCHEME):
        return None
    try:
        return int(href[len(_SCHEME):])
    except ValueError:
        return None


def markdown_html(text: str) -> str:
    """An answer as HTML (Qt's rich-text subset understands what markdown-it writes)."""
    return _md.render(text) if text else ""


def settled_prefix(text: str) -> int:
    """Where the settled part of a streaming Markdown answer ends: just after its last blank
    line outside a code block (the blocks before it can no longer change); 0 if none."""
    cut, pos, fenced = 0, 0, False
    for line in text.splitlines(keepends=True):
        pos += len(line)
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fenced = not fenced
        elif not stripped and not fenced and pos < len(text) and line.endswith("\n"):
            cut = pos
    return cut


def highlighted_question(text: str, terms: list[dict] | None) -> str:
    """The question as HTML, each detected term a link to its concept."""
    spans = sorted((t for t in (terms or []) if "start" in t and "end" in t), key=lambda t: t["start"])
    out, pos = [], 0
    for t in spans:
        s, e = int(t["start"]), int(t["end"])
        if s < pos or e > len(text):
            continue
        out.append(html.escape(text[pos:s]))
        out.append(concept_link(t["concept_id"], text[s:e], title=str(t.get("preferred", "")),
                                style=EXCLUDED_STYLE if t.get("excluded") else TERM_STYLE))
        pos = e
    out.append(html.escape(text[pos:]))
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"


def highlighted_answer(text: str, answer_terms: list[dict] | None) -> str:
    """An answer as Markdown HTML with the glossary terms it uses (``answer_terms`` of
    ``glossary.answer_check``) as links to their concepts. Terms are marked inside the text
    of the rendered Markdown (never inside code or link targets); a term split by emphasis
    is left plain."""
    if not answer_terms:
        return markdown_html(text)
    by_form: dict[str, dict] = {}
    for t in answer_terms:
        by_form.setdefault(t["text"], t)
    def piece(form: str) -> str:  # Latin-script ends only on word boundaries, as detection has it
        left = r"(?<!\w)" if form[:1].isascii() and form[:1].isalnum() else ""
        right = r"(?!\w)" if form[-1:].isascii() and form[-1:].isalnum() else ""
        return left + re.escape(form) + right

    pattern = re.compile("|".join(piece(f) for f in sorted(by_form, key=len, reverse=True)))

    def mark(plain: str) -> str:
        out, pos = [], 0
        for m in pattern.finditer(plain):
            t = by_form.get(m.group())
            if t is None:
                continue
            out.append(escapeHtml(plain[pos:m.start()]))
            out.append(concept_link(t["concept_id"], m.group(), title=str(t.get("preferred", "")),
                                    style=TERM_STYLE if t.get("status") in ("preferred", "admitted") else DEPRECATED_STYLE))
            pos = m.end()
        out.append(escapeHtml(plain[pos:]))
        return "".join(out)

    tokens = _md.parse(text)
    for tok in tokens:
        for child in tok.children or ():
            if child.type == "text":
                child.content = _Marked(mark(child.content))
    return _md.renderer.render(tokens, _md.options, {})


class _Marked(str):
    """Text already escaped and marked up: the renderer's text rule writes it as it is."""


def _text_rule(_renderer, tokens, idx, _options, _env) -> str:  # noqa: ANN001 (markdown-it's rule signature)
    content = tokens[idx].content
    return content if isinstance(content, _Marked) else escapeHtml(content)


_md.add_render_rule("text", _text_rule)
