"""How a page tells the person what happened: counts with the right singular or
plural, and messages that look like what they are (an error in red, a success not).

English needs two forms ("1 concept", "2 concepts"); Chinese has one, so both English
source strings carry the same translation. Qt's ``%n`` numerus forms would need an
English ``.qm`` of plural rules shipped beside the Chinese one for the same result;
choosing between two ``tr()`` strings keeps the translation file as it is. GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
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


def time_left(seconds: float) -> str:
    """'about 40 s left', 'about 3 min left', 'about 1 h 20 min left', in the interface language."""
    s = max(0, int(round(seconds)))
    if s < 60:
        return QCoreApplication.translate("Feedback", "about {s} s left").format(s=max(s, 1))
    m = int(round(s / 60))
    if m < 60:
        return QCoreApplication.translate("Feedback", "about {m} min left").format(m=m)
    return QCoreApplication.translate("Feedback", "about {h} h {m} min left").format(h=m // 60, m=m % 60)


class RateEstimate:
    """Time left from the pace of the items done so far in this run. The first report only
    starts the clock: it includes loading and preparing, which later items do not."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.start: tuple[float, int] | None = None

    def reset(self) -> None:
        self.start = None

    def seconds_left(self, done: int, total: int) -> float | None:
        now = self.clock()
        if self.start is None or done < self.start[1]:
            self.start = (now, done)
            return None
        t0, d0 = self.start
        if done <= d0 or now <= t0:
            return None
        return (total - done) * (now - t0) / (done - d0)
