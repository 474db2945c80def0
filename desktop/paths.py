"""The one path resolver: every file TermLens writes lives under ``home()``.

``TERMLENS_HOME`` overrides the platform's user data directory (tests set it to a
temporary folder). Functions, not constants, so a changed environment is honoured.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "TermLens"


def home() -> Path:
    override = os.environ.get("TERMLENS_HOME")
    base = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def _sub(name: str) -> Path:
    p = home() / name
    p.mkdir(parents=True, exist_ok=True)
    return p


def db_path() -> Path:
    return home() / "termlens.db"


def models_dir() -> Path:
    return _sub("models")


def adapters_dir() -> Path:
    return _sub("adapters")


def logs_dir() -> Path:
    return _sub("logs")


def cache_dir() -> Path:
    """Compiled kernels and other artefacts that can be rebuilt."""
    return _sub("cache")


def reports_dir() -> Path:
    return _sub("reports")


def config_path() -> Path:
    return home() / "config.toml"


def default_model_dir() -> Path:
    return models_dir() / "SmolLM2-135M-Instruct"
