"""benchmarks/seed_table.py end to end on a tiny model: the CI smoke run of the method's whole table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_help_works():
    proc = subprocess.run([sys.executable, "benchmarks/seed_table.py", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and "--n-l1" in proc.stdout and "held-out" in proc.stdout


@pytest.mark.slow
def test_smoke_run_makes_the_five_method_table_with_seen_held_out_and_general(tiny_model_dir, tmp_path):
    model = tmp_path / "tiny"
    model.mkdir()
    for f in tiny_model_dir.iterdir():
        (model / f.name).write_bytes(f.read_bytes())
    cfg = json.loads((model / "config.json").read_text())
    cfg["max_position_embeddings"] = 4096  # room for the injected block in the prompt
    (model / "config.json").write_text(json.dumps(cfg))
    out = tmp_path / "table"
    env = {k: v for k, v in os.environ.items() if k not in ("TERMLENS_HOME", "TERMLENS_KEYRING")}
    proc = subprocess.run([sys.executable, "benchmarks/seed_table.py", "--smoke", "--model", str(model),
                           "--device", "cpu", "--out", str(out), "--threads", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = json.loads((out / "table.json").read_text())
    cells = table["cells"]
    assert set(cells) == {"base", "inject", "lora", "lora+inject", "oracle"}
    for m in cells:
        assert {"seen", "held-out", "seen L1", "seen L2", "held-out L1", "held-out L2"} <= set(cells[m]), m
        # the forgetting check: general knowledge for base and the adapter (injection finds no term there)
        assert ("general" in cells[m]) == (m in ("base", "lora", "lora+inject")), m
        assert all(0 <= c["lo"] <= c["acc"] <= c["hi"] <= 1 for c in cells[m].values())
    assert "p" in cells["lora"]["seen"] and "p" not in cells["base"]["seen"]  # McNemar against base
    assert cells["base"]["general"]["n"] == 50
    split = json.loads((out / "split.json").read_text())
    assert split["train"] and split["held_out"] and not {c["id"] for c in split["train"]} & {
        c["id"] for c in split["held_out"]}
    trained = {json.loads(line)["concept_id"] for line in (out / "train_pairs.jsonl").read_text().splitlines()}
    assert trained <= {c["id"] for c in split["train"]}  # the adapter never saw a held-out concept
    assert table["train"]["tokens_per_s"] > 0 and "inline" in table["positions"]
    assert "| lora+inject |" in proc.stdout and "Injection position" in proc.stdout
    # the positions on both halves and on the sample set; related concepts in the block, with and without
    assert {"seen", "held-out"} <= set(table["positions"]["inline"]["inject"])
    assert set(table["sample"]) == {"system", "inline"} and table["sample"]["inline"]["all"]["n"] == 36
    assert set(table["related"]) == {"inject", "inject, 3 related"}
    assert table["related"]["inject, 3 related"]["held-out L2"]["n"] == cells["inject"]["held-out L2"]["n"]
    assert "Related concepts in the injected block" in proc.stdout and "on the sample set" in proc.stdout
    logged = [json.loads(line)["step"] for line in (out / "steps.jsonl").read_text().splitlines()]
    assert "train" in logged and "eval-system-lora+inject-held-out" in logged
    # a stopped run continues: the adapter and the finished evaluations are reused, the table is the same
    again = subprocess.run([sys.executable, "benchmarks/seed_table.py", "--smoke", "--model", str(model),
                            "--device", "cpu", "--out", str(out), "--threads", "1", "--resume"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "reusing the adapter" in again.stderr and "main.py train" not in again.stderr
    assert json.loads((out / "table.json").read_text())["cells"] == cells
