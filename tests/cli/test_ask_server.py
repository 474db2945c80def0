"""`ask` on llama.cpp and `ask --server URL` against llama.cpp's real server on 127.0.0.1.

Each run happens in a subprocess whose ``sitecustomize`` records every internet socket
connection: with no server set there is none at all; with one, every connection goes to
that address and port, and nowhere else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.llama_server import default_gguf, free_port, llama_server, needs_llama

ROOT = Path(__file__).resolve().parents[2]

RECORDER = '''
import os, socket
_log = os.environ["TERMLENS_NET_LOG"]
_orig = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        with open(_log, "a") as f:
            f.write(f"{address[0]} {address[1]}\\n")
    return _orig(self, address)
socket.socket.connect = connect
'''


def _run(args: list[str], tmp_path: Path, home: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(RECORDER)
    log = tmp_path / "net.log"
    env = dict(os.environ, PYTHONPATH=f"{guard}{os.pathsep}{ROOT}", TERMLENS_HOME=str(home),
               TERMLENS_NET_LOG=str(log), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    return proc, (log.read_text().split("\n")[:-1] if log.exists() else [])


def test_ask_runs_the_default_model_on_llama_cpp_and_connects_nowhere(tmp_path, termlens_home, default_model_dir):
    needs_llama()
    default_gguf(default_model_dir)
    proc, attempts = _run(["ask", "What does CKD-EPI estimate?", "--json", "--max-new-tokens", "24"], tmp_path,
                          termlens_home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["engine"] == "llama.cpp" and out["new_tokens"] > 0 and out["answer"].strip()
    assert any(t["text"] == "CKD-EPI" for t in out["terms"]) and out["injected"]  # detected and injected as before
    assert attempts == []


def test_ask_through_a_server_streams_and_connects_only_there(tmp_path, termlens_home, default_model_dir):
    with llama_server(default_gguf(default_model_dir)) as (url, _proc):
        proc, attempts = _run(["ask", "What does CKD-EPI estimate?", "--server", url, "--json", "--show-prompt",
                               "--max-new-tokens", "24"], tmp_path, termlens_home)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["engine"] == "server" and out["new_tokens"] > 0 and out["answer"].strip()
    assert any(t["text"] == "CKD-EPI" for t in out["terms"]) and out["injected"]
    assert "/chat/completions" in proc.stderr and "CKD-EPI" in proc.stderr  # Show prompt: the request sent
    port = url.split(":")[2].split("/")[0]
    assert attempts and set(attempts) == {f"127.0.0.1 {port}"}


def test_ask_with_a_server_that_is_down_is_one_sentence(tmp_path, termlens_home):
    port = free_port()
    proc, _ = _run(["ask", "What is AF?", "--server", f"http://127.0.0.1:{port}/v1"], tmp_path, termlens_home)
    assert proc.returncode != 0
    assert f"The server at http://127.0.0.1:{port}/v1 cannot be reached" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ask_uses_the_key_the_window_kept_for_that_server(termlens_home, default_model_dir, capsys, monkeypatch):
    from desktop.commands.ask_cmd import server_key
    from desktop.storage.appdata import open_conversations
    from desktop.storage.keyrings import ServerKeys
    from main import main

    needs_llama()
    monkeypatch.delenv("TERMLENS_SERVER_KEY", raising=False)
    with llama_server(default_gguf(default_model_dir), api_key="department-key") as (url, _proc):
        args = ["ask", "What is AF?", "--server", url.removesuffix("/v1"), "--json", "--max-new-tokens", "8"]
        assert main(args) == 2  # no key kept yet: the server refuses, one sentence
        assert "key" in capsys.readouterr().err.lower()
        with open_conversations() as private:
            ServerKeys(private).set(url, "department-key")  # what the server form keeps after Check
        assert server_key(url.removesuffix("/v1")) == "department-key"  # typed without /v1, as in the window
        assert main(args) == 0
        out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert out["engine"] == "server" and out["new_tokens"] > 0
