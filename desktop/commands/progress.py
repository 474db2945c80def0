"""Progress on one terminal line that is cleared when the work ends.

``LineProgress(stream)`` is called with ``(done, total, what="")`` and redraws the line
("Reading terms.csv: 37%", or "Evaluating: 12/40 …" with ``counts``) in place with a carriage return, at most once per whole
percent; ``close()`` (or leaving the ``with`` block, also on an error) blanks the line,
so the result printed next starts on a clean line instead of after "65536/175093".
Where the stream is not a terminal (a log file, a pipe, a test's capture) nothing is
drawn: carriage returns would only litter the file. Knows nothing of Qt or the model.
"""

from __future__ import annotations

from typing import TextIO


class LineProgress:
    def __init__(self, stream: TextIO, label: str = "", *, counts: bool = False) -> None:
        self.stream = stream
        self.label = label
        self.counts = counts  # "12/40 items" rather than a percentage (counts of bytes mean nothing to a person)
        self.width = 0  # characters drawn on the line now
        self.last: tuple[str, str] | None = None
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty())

    def __call__(self, done: int, total: int | None = None, what: object = "", *_: object) -> None:
        if not self.enabled or not total:
            return
        percent = max(0, min(100, int(100 * done / total)))
        text = str(what or "")[:50]
        shown = f"{done}/{total}" if self.counts else f"{percent:3d}%"
        if (shown, text) == self.last:
            return
        self.last = (shown, text)
        line = " ".join(x for x in (f"{self.label}:" if self.label else "", shown, text) if x)
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(line))

    def close(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
