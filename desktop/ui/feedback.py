"""How a page tells the person what happened: counts with the right singular or
plural, and messages that look like what they are (an error in red, a success not).

English needs two forms ("1 concept", "2 concepts"); Chinese has one, so both English
source strings carry the same translation. Qt's ``%n`` numerus forms would need an
English ``.qm`` of plural rules shipped beside the Chinese one for the same result;
choosing between two ``tr()`` strings keeps the translation file as it is. GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def plural(n: int, one: str, many: str, **values) -> str:
    """``one`` (already translated) when ``n`` is 1, else ``many``; ``{n}`` and ``values`` filled in."""
    return (one if n == 1 else many).format(n=n, **values)


def show_message(label: QLabel, text: str, *, error: bool) -> None:
    """Put ``text`` into ``label`` styled as an error (red) or as plain news (the style
    sheet's ``QLabel[error="true"]``); the style is re-applied since Qt does not do so
    when a property changes."""
    label.setProperty("error", bool(error))
    style = label.style()
    style.unpolish(label)
    style.polish(label)
    label.setText(text)
