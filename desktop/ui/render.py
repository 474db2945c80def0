"""Text to the HTML the message bubbles show: answers as Markdown, questions with their
glossary terms highlighted as links (``concept:ID``).

Raw HTML in an answer is shown as text, never interpreted. Pure functions; no widgets.
"""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table").enable("strikethrough")

TERM_STYLE = "background-color:#fde68a; color:#1f2937; text-decoration:none; border-radius:3px;"
DEPRECATED_STYLE = "background-color:#fecaca; color:#1f2937; text-decoration:none;"


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
        style = TERM_STYLE if not t.get("excluded") else "text-decoration:line-through; color:#6b7280;"
        title = html.escape(str(t.get("preferred", "")), quote=True)
        out.append(f'<a href="concept:{int(t["concept_id"])}" title="{title}" style="{style}">'
                   f"{html.escape(text[s:e])}</a>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"
