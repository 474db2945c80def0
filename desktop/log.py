"""Logging to rotating files under ``logs/``.

Log records carry events and figures (model path, token counts, timings), never the
text of conversations, prompts or glossary entries: callers pass lengths, not text.
"""

from __future__ import annotations

import logging
import logging.handlers

from desktop import paths

_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def setup(level: int = logging.INFO, *, console: bool = False) -> logging.Logger:
    root = logging.getLogger("termlens")
    if getattr(root, "_termlens_configured", None) == str(paths.logs_dir()):
        return root
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    handler = logging.handlers.RotatingFileHandler(
        paths.logs_dir() / "termlens.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    root.setLevel(level)
    root.propagate = False
    root._termlens_configured = str(paths.logs_dir())  # type: ignore[attr-defined]
    return root


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"termlens.{name}")
