"""The headless commands as a person types them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def test_help_lists_the_commands() -> None:
    proc = _run("--help")
    assert proc.returncode == 0
    for word in ("models", "ask"):
        assert word in proc.stdout


def test_ask_json_with_a_glossary_term(termlens_home, default_model_dir) -> None:
    proc = _run("ask", "What does CKD-EPI estimate?", "--json", "--max-new-tokens", "24")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(out) >= {"answer", "terms", "prompt_tokens", "new_tokens", "ttft_s", "tok_s", "model"}
    assert out["new_tokens"] > 0 and out["model"] == "SmolLM2-135M-Instruct"
    assert any(t["text"] == "CKD-EPI" for t in out["terms"]), out["terms"]


def test_ask_streams_text_to_stdout(termlens_home, tiny_model_dir) -> None:
    proc = _run("ask", "hello", "--model", str(tiny_model_dir), "--max-new-tokens", "5", "--temperature", "1.5")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout) > 1  # the random tiny model writes something, then a final newline


def test_ask_with_a_bad_model_folder_is_one_sentence(termlens_home, tmp_path) -> None:
    proc = _run("ask", "hello", "--model", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_models_list_shows_size_dtype_and_place(termlens_home, default_model_dir) -> None:
    proc = _run("models", "list")
    assert proc.returncode == 0
    assert "SmolLM2-135M-Instruct" in proc.stdout and "F32" in proc.stdout and "MB" in proc.stdout
