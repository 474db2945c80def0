"""Token counting on the GUI thread, without torch: the model's ``tokenizer.json`` read by
the ``tokenizers`` library. Used to keep the term block within its token budget.
"""

from __future__ import annotations

from pathlib import Path


class TokenCounter:
    """Counts tokens with the model's own tokenizer, or estimates (3 characters a token)."""

    def __init__(self, model_dir: str | Path | None = None) -> None:
        self._tok = None
        if model_dir:
            path = Path(model_dir) / "tokenizer.json"
            if path.is_file():
                try:
                    from tokenizers import Tokenizer

                    self._tok = Tokenizer.from_file(str(path))
                except Exception:  # noqa: BLE001 - an estimate is good enough for a budget
                    self._tok = None

    @property
    def exact(self) -> bool:
        return self._tok is not None

    def __call__(self, text: str) -> int:
        if self._tok is not None:
            return len(self._tok.encode(text, add_special_tokens=False).ids)
        return max(1, len(text) // 3) if text else 0
