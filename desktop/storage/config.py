"""Typed settings with help text, saved as ``config.toml`` in the data directory.

Unknown keys are ignored and bad values fall back to their defaults with a log line,
so a hand-edited file never stops the app from starting. Settings that may hold
patient or client text (``PRIVATE``: the instructions to the model) are not written
to ``config.toml``: they live in the encrypted database (``apply_private`` and
``save_private`` take them in and out of any store with ``private_setting`` and
``set_private_setting``). Knows nothing of Qt.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import tomli_w

from desktop import log, paths

_log = log.get("config")


@dataclass
class Settings:
    model_path: str = field(default="", metadata={"help": "Model folder to load at start (empty: the default model)."})
    adapter: str = field(default="", metadata={"help": "LoRA adapter applied after loading (empty: none)."})
    weights: str = field(
        default="full",
        metadata={"help": "full, or int8: linear layers stored in 8 bits, about half the memory (for smaller GPUs)."},
    )
    max_new_tokens: int = field(default=512, metadata={"help": "Longest answer, in tokens."})
    temperature: float = field(default=0.0, metadata={"help": "0 is greedy and repeatable; higher is more varied."})
    top_p: float = field(default=0.9, metadata={"help": "Sample from the smallest set of tokens whose probability adds up to p."})
    repetition_penalty: float = field(
        default=1.2,
        metadata={"help": "Above 1, words the answer already used become less likely, so long answers do not loop (1.0: off)."},
    )
    no_repeat_ngram_size: int = field(
        default=0, metadata={"help": "Never repeat a run of this many tokens in an answer (0: off; slower on a GPU)."})
    regenerate_temperature: float = field(
        default=0.7,
        metadata={"help": "Temperature of Regenerate when the answers are greedy (temperature 0), with a new seed each "
                          "time; 0 makes Regenerate repeat the greedy answer."},
    )
    injection: bool = field(default=True, metadata={"help": "Put definitions of detected terms into the prompt."})
    injection_position: str = field(
        default="inline",  # measured ahead of "system" (not significantly): docs/method-table.md
        metadata={"help": "Where definitions go: inline (after the term's first mention in the question), system "
                          "(the system prompt) or both."},
    )
    injection_budget: int = field(default=400, metadata={"help": "Most tokens the term block may take."})
    active_fields: list[str] = field(default_factory=list, metadata={"help": "Subject fields preferred when a term is ambiguous."})
    language: str = field(default="en", metadata={"help": "Interface language: en or zh_CN."})
    font_size: int = field(default=11, metadata={"help": "Font size of the chat, in points."})
    system_prompt: str = field(
        default="You are TermLens, a careful assistant for professionals. Answer precisely and say when you are unsure.",
        metadata={"help": "Instructions given to the model before every conversation."},
    )
    lock_minutes: int = field(
        default=15,
        metadata={"help": "Minutes without use after which the window hides your conversations until you unlock it (0: never)."},
    )
    use_server: bool = field(
        default=False, metadata={"help": "Answer through the model server below instead of a model on this computer."})
    server_url: str = field(
        default="", metadata={"help": "Address of a model server on your network (OpenAI-compatible API), e.g. "
                                      "http://gpu-server:8000/v1. Its API key is kept in the system keyring or "
                                      "in the encrypted database, never here."})
    server_model: str = field(default="", metadata={"help": "The server's model to answer with (empty: its first)."})
    server_adapter: str = field(default="", metadata={"help": "A LoRA adapter served by the server (empty: none)."})
    server_ca_cert: str = field(
        default="", metadata={"help": "A CA certificate file (PEM) that signs the server's certificate (empty: the "
                                      "system's certificates)."})
    csv_neutralise_formulas: bool = field(
        default=True,
        metadata={"help": "In CSV exports, put an apostrophe before cells that start with = + - @ (a spreadsheet "
                          "would run them as formulas); TermLens removes it again on import."},
    )

    def help(self, name: str) -> str:
        for f in fields(self):
            if f.name == name:
                return f.metadata.get("help", "")
        return ""


PRIVATE = ("system_prompt",)  # kept in the encrypted database, never in config.toml
WEIGHT_MODES = ("full", "int8")  # how a model's weights are held (desktop.engine.quant applies them)
_CHOICES = {"weights": WEIGHT_MODES, "injection_position": ("system", "inline", "both")}  # settings that take one of a few words


def load(path: Path | None = None) -> Settings:
    path = path or paths.config_path()
    settings = Settings()
    if not path.is_file():
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        _log.warning("config.toml unreadable (%s); using defaults", type(exc).__name__)
        return settings
    for f in fields(Settings):
        if f.name not in data:
            continue
        value = data[f.name]
        default = getattr(settings, f.name)
        if isinstance(default, bool) != isinstance(value, bool) or not isinstance(value, type(default)):
            if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            else:
                _log.warning("config value %s has the wrong type; using the default", f.name)
                continue
        if f.name in _CHOICES and value not in _CHOICES[f.name]:
            _log.warning("config value %s=%r is not one of %s; using the default", f.name, value, _CHOICES[f.name])
            continue
        setattr(settings, f.name, value)
    return settings


def apply_private(settings: Settings, store, path: Path | None = None) -> None:
    """Fill ``settings``'s private fields from ``store`` (the encrypted database).

    A value an older TermLens left in ``config.toml`` is moved into ``store`` (when the
    store has none yet) and the file is written again without it.
    """
    path = path or paths.config_path()
    legacy = _private_in_file(path)
    for name in PRIVATE:
        value = store.private_setting(name)
        if value is None and name in legacy:
            value = legacy[name]
            store.set_private_setting(name, value)
        if value is not None:
            setattr(settings, name, value)
    if legacy:
        save(settings, path)
        _log.info("instructions to the model moved from config.toml into the encrypted database")


def save_private(settings: Settings, store) -> None:
    """Write ``settings``'s private fields into ``store``."""
    for name in PRIVATE:
        store.set_private_setting(name, getattr(settings, name))


def _private_in_file(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if k in PRIVATE and isinstance(v, str)}


def save(settings: Settings, path: Path | None = None) -> None:
    """Write ``config.toml`` atomically, without the private fields."""
    path = path or paths.config_path()
    text = tomli_w.dumps({k: v for k, v in asdict(settings).items() if k not in PRIVATE})
    fd, tmp = tempfile.mkstemp(prefix=".config-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
