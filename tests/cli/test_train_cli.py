"""``main.py train`` as a person types it: an adapter that ``ask --adapter`` uses, the
reviewed pairs, Ctrl-C and --resume, bad input in one sentence, and ``accelerate launch``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--lr", "5e-3", "--max-seq-len", "128"]


def write_pairs(path: Path, n: int = 24, **extra) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"concept_id": i % 6, **extra, "messages": [
                {"role": "user", "content": f"What does term {i} mean?"},
                {"role": "assistant", "content": f"Term {i} is the rate of fox {i % 6}."}]}) + "\n")
    return path


def _run(*args: str, timeout: int = 300, home: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, TERMLENS_HOME=str(home)) if home else None
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def _main(capsys, *args: str) -> tuple[int, str, str]:
    import main

    code = main.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_train_saves_an_adapter_that_ask_uses(termlens_home, tiny_model_dir, tmp_path):
    data = write_pairs(tmp_path / "pairs.jsonl")
    proc = _run("train", "--data", str(data), "--out", "fox", "--model", str(tiny_model_dir), "--epochs", "2", *TINY)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("Adapter 'fox' saved") and "held-out loss" in proc.stdout
    steps = [line for line in proc.stderr.splitlines() if line.startswith("step ")]
    assert steps[0].startswith("step 1/") and "tok/s" in steps[0] and "ETA" in steps[0]
    last, total = steps[-1].split()[1].split("/")
    assert last == total and "held-out" in steps[-1]
    meta = json.loads((termlens_home / "adapters" / "fox" / "termlens_adapter.json").read_text())
    assert meta["base_model"] == tiny_model_dir.name and meta["metrics"]["steps"] == int(total)
    assert not (termlens_home / "adapters" / ".checkpoints" / "fox").exists()

    asked = _run("ask", "What does term 3 mean?", "--model", str(tiny_model_dir), "--adapter", "fox", "--json",
                 "--max-new-tokens", "4")
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert json.loads(asked.stdout.strip().splitlines()[-1])["adapter"] == "fox"
    # another data directory: each process keeps its key in memory in these tests, so one home serves one ask
    missing = _run("ask", "hello", "--model", str(tiny_model_dir), "--adapter", "no-such", home=tmp_path / "other")
    assert missing.returncode == 2 and missing.stderr.strip() == "error: There is no adapter named 'no-such'."


def test_bad_input_is_one_sentence_and_nothing_is_written(termlens_home, tiny_model_dir, tmp_path, capsys):
    data = write_pairs(tmp_path / "pairs.jsonl")
    model = ["--model", str(tiny_model_dir)]
    code, _, err = _main(capsys, "train", "--data", str(tmp_path / "nope.jsonl"), "--out", "x", *model)
    assert code == 2 and "nope.jsonl does not exist" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": []}\nnot json\n', encoding="utf-8")
    code, _, err = _main(capsys, "train", "--data", str(bad), "--out", "x", *model)
    assert code == 2 and "line 1" in err and "line 2" in err and "Traceback" not in err
    code, _, err = _main(capsys, "train", "--data", str(data), "--out", "x", "--lr", "0", *model)
    assert code == 2 and err.strip() == "error: The training settings cannot be used: the learning rate must be " \
                                        "above 0 and at most 1."
    code, _, err = _main(capsys, "train", "--data", str(data), "--out", "../x", *model)
    assert code == 2 and "cannot be an adapter name" in err
    (termlens_home / "adapters" / "taken").mkdir(parents=True)
    code, _, err = _main(capsys, "train", "--data", str(data), "--out", "taken", *model)
    assert code == 2 and "--overwrite" in err
    rejected = write_pairs(tmp_path / "rejected.jsonl", status="rejected")
    code, _, err = _main(capsys, "train", "--data", str(rejected), "--out", "x", *model)
    assert code == 2 and "no training pairs" in err
    assert sorted(p.name for p in (termlens_home / "adapters").iterdir()) == ["taken"]


def test_from_review_trains_only_the_accepted_pairs(termlens_home, tiny_model_dir, capsys):
    trainingset = pytest.importorskip("desktop.storage.trainingset")
    pairs = [json.loads(line) for line in write_pairs(termlens_home / "p.jsonl", n=16).read_text().splitlines()]
    for i, p in enumerate(pairs):
        p["status"] = "accepted" if i < 12 else "pending"
    trainingset.save(pairs)
    code, out, err = _main(capsys, "train", "--from-review", "--out", "reviewed", "--model", str(tiny_model_dir),
                           "--epochs", "1", "--val-fraction", "0", "--json", *TINY)
    assert code == 0, err
    result = json.loads(out)
    assert result["n_train_pairs"] == 12 and result["adapter_dir"]
    meta = json.loads((termlens_home / "adapters" / "reviewed" / "termlens_adapter.json").read_text())
    assert meta["n_pairs"] == 12 and isinstance(meta["glossary_version"], int)


@pytest.mark.slow
def test_ctrl_c_keeps_a_checkpoint_and_resume_finishes(termlens_home, tiny_model_dir, tmp_path):
    data = write_pairs(tmp_path / "pairs.jsonl")
    # one step an epoch (every row in one batch), no held-out pass: steps are short and many
    args = ["train", "--data", str(data), "--out", "fox", "--model", str(tiny_model_dir), "--epochs", "40",
            "--batch", "16", "--val-fraction", "0", *TINY]
    proc = subprocess.Popen([sys.executable, "main.py", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("step 1/"):
            proc.send_signal(signal.SIGINT)
            break
    rest_err = proc.stderr.read()
    out = proc.stdout.read()
    assert proc.wait(timeout=120) == 130, "".join(seen) + rest_err
    assert "Stopping after the current step" in rest_err
    assert out.startswith("Stopped at step") and "--resume" in out
    state = json.loads((termlens_home / "adapters" / ".checkpoints" / "fox" / "state.json").read_text())
    stopped_at = state["step"]
    assert 1 <= stopped_at < 40 and not (termlens_home / "adapters" / "fox").exists()

    resumed = _run("train", "--data", str(data), "--out", "fox", "--model", str(tiny_model_dir), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"Resuming at step {stopped_at} of 40" in resumed.stderr
    assert f"40 steps (resumed at step {stopped_at})" in resumed.stdout
    meta = json.loads((termlens_home / "adapters" / "fox" / "termlens_adapter.json").read_text())
    assert meta["config"]["epochs"] == 40 and meta["config"]["batch_size"] == 16  # the stopped run's settings
    assert not (termlens_home / "adapters" / ".checkpoints" / "fox").exists()


def _launch(processes: int, data: Path, model: Path, name: str) -> subprocess.CompletedProcess:
    launcher = Path(sys.executable).with_name("accelerate")
    if not launcher.exists():
        pytest.skip("accelerate is not installed")
    # one process: accelerate's plain launcher on the CPU; several: its torchrun launcher (Gloo on CPUs),
    # the same path as on several GPUs of one host. Four rows a step in all (--batch is per process).
    # Float32 throughout: the two runs group a step's tokens differently, which bfloat16 rounds differently.
    how = ["--cpu", "--num_cpu_threads_per_process", "1"] if processes == 1 else ["--multi_gpu"]
    return subprocess.run(
        [str(launcher), "launch", "--num_processes", str(processes), "--num_machines", "1", "--mixed_precision",
         "no", "--dynamo_backend", "no", *how, "main.py", "train", "--data", str(data), "--out", name,
         "--model", str(model), "--epochs", "2", "--batch", str(4 // processes), "--dropout", "0", "--no-cpu-bf16", *TINY],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ, OMP_NUM_THREADS="1"))


@pytest.mark.slow
def test_accelerate_launch_with_one_or_two_processes_trains_the_same_adapter(termlens_home, tiny_model_dir,
                                                                            tmp_path):
    from safetensors.torch import load_file

    data = write_pairs(tmp_path / "pairs.jsonl")
    folder = termlens_home / "adapters"
    for processes in (1, 2):
        name = f"launched-{processes}"
        proc = _launch(processes, data, tiny_model_dir, name)
        assert proc.returncode == 0, proc.stderr[-3000:]
        # only the first process prints and writes
        assert proc.stdout.count(f"Adapter '{name}' saved") == 1
        assert proc.stderr.count(f"Training '{name}'") == 1
        assert (f", {processes} processes)" in proc.stderr) == (processes > 1)
        steps = [line.split()[1].split("/") for line in proc.stderr.splitlines() if line.startswith("step ")]
        assert len(steps) == len({tuple(s) for s in steps}) and steps[-1][0] == steps[-1][1]
        meta = json.loads((folder / name / "termlens_adapter.json").read_text())
        assert meta["metrics"]["steps"] == int(steps[-1][0])
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["launched-1", "launched-2"]
    assert not (folder / ".checkpoints").exists() or not any((folder / ".checkpoints").iterdir())
    one = load_file(str(folder / "launched-1" / "adapter_model.safetensors"))
    two = load_file(str(folder / "launched-2" / "adapter_model.safetensors"))
    assert one.keys() == two.keys() and all(torch_allclose(one[k], two[k]) for k in one)


def torch_allclose(a, b) -> bool:
    import torch

    return torch.allclose(a, b, atol=1e-6)
