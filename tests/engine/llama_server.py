"""llama.cpp's own OpenAI-compatible server (``llama-cpp-python[server]``), started by a test on
127.0.0.1 serving the default model's GGUF, and stopped by it.

Every wait has a limit: the start (the server answers ``GET /v1/models``, not merely accepts
a connection), each readiness probe, and the stop (terminate, then kill). The server writes
its log to a file, never to a pipe nobody reads: a full pipe blocks the server in the middle
of a run. ``LlamaServer.ensure_up`` starts it again on the same port when it has died, and
its log's tail goes into every error about it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ALIAS = "smollm2"
START_S = 90.0  # loading the 98 MB GGUF takes about 2 s; a busy machine is slower
PROBE_S = 5.0


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


def server_env(*, stock: bool = False) -> dict[str, str]:
    """This environment without proxies. Tests keep TermLens's setting for llama.cpp's OpenMP
    threads (``llama_engine._import_llama``), which copes with a busy machine; ``stock``
    (benchmarks) runs them as a person's own server does, with libgomp's defaults."""
    from desktop.engine.llama_engine import SPIN_ROUNDS

    drop = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT") if stock else ()
    env = {k: v for k, v in os.environ.items()
           if not k.lower().startswith(("http_proxy", "https_proxy", "all_proxy")) and k not in drop}
    return env if stock else {"GOMP_SPINCOUNT": SPIN_ROUNDS, **env}


class LlamaServer:
    """One ``llama_cpp.server`` process on 127.0.0.1; ``url`` is its ``/v1`` base."""

    def __init__(self, gguf: Path, *, api_key: str = "", n_ctx: int = 2048, threads: int = 2, stock: bool = False) -> None:
        self.gguf, self.api_key, self.n_ctx, self.threads, self.stock = Path(gguf), api_key, n_ctx, threads, stock
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf), "--model_alias", ALIAS,
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
               "--n_threads", str(self.threads), "--verbose", "False",
               # by default a request that arrives cuts the answer being streamed short; a shared
               # server queues them instead
               "--interrupt_requests", "False"]
        return cmd + (["--api_key", self.api_key] if self.api_key else [])

    def start(self) -> None:
        needs_llama()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=server_env(stock=self.stock))
        deadline = time.monotonic() + START_S
        while not self.answers():
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.proc.returncode}: {self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server did not answer within {START_S:.0f} s: {self.log_tail()}")
            time.sleep(0.25)

    def answers(self) -> bool:
        """Whether the server lists its models now (within ``PROBE_S``)."""
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            with httpx.Client(trust_env=False, timeout=PROBE_S) as client:
                return client.get(f"{self.url}/models", headers=headers).status_code == 200
        except httpx.HTTPError:
            return False

    def ensure_up(self) -> bool:
        """Start the server again if it died or stopped answering; True when it had to."""
        if self.proc is not None and self.proc.poll() is None and self.answers():
            return False
        self.stop()
        self.restarts += 1
        self.start()
        return True

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)

    def log_tail(self, n: int = 2000) -> str:
        try:
            return Path(self._log.name).read_text(encoding="utf-8", errors="replace")[-n:].strip() or "(empty log)"
        except OSError:
            return "(no log)"

    def close(self) -> None:
        self.stop()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)


@contextmanager
def running_server(gguf: Path, **kwargs) -> Iterator[LlamaServer]:
    """A started ``LlamaServer``, stopped on exit."""
    server = LlamaServer(gguf, **kwargs)
    try:
        server.start()
        yield server
    finally:
        server.close()


@contextmanager
def llama_server(gguf: Path, *, api_key: str = "", n_ctx: int = 2048) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of a running server; the process is stopped on exit."""
    with running_server(gguf, api_key=api_key, n_ctx=n_ctx) as server:
        yield server.url, server.proc
