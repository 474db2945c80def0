"""llama.cpp's own OpenAI-compatible server (``llama-cpp-python[server]``), started by a test on
127.0.0.1 serving the default model's GGUF, and stopped by it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ALIAS = "smollm2"


def needs_llama() -> None:
    try:
        import llama_cpp  # noqa: F401
        import llama_cpp.server  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"llama_cpp[server] is not importable here ({type(exc).__name__}): pip install llama-cpp-python")


def default_gguf(model_dir: Path) -> Path:
    from desktop.engine.fetch import GGUF_NAME

    gguf = Path(model_dir) / GGUF_NAME
    if not gguf.is_file():
        pytest.skip("the default model has no GGUF beside it: run `python main.py models fetch-default`")
    return gguf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def llama_server(gguf: Path, *, api_key: str = "", n_ctx: int = 2048) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of a running server; the process is stopped on exit."""
    needs_llama()
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", ALIAS,
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--n_threads", "2", "--verbose", "False"]
    if api_key:
        cmd += ["--api_key", api_key]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy"))}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("llama_cpp.server did not start within 90 s") from None
                time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stderr:
            proc.stderr.close()
