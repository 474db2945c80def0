"""Offline by construction: the environment that keeps Hugging Face libraries off the network.

Imported by ``desktop.engine`` before transformers, peft or accelerate, so their
module-level constants read these values. Nothing here opens a connection.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


enforce()
