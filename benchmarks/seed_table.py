"""The method's whole table, end to end through TermLens's own commands: does an adapter
trained on the glossary help, on the concepts it saw and on those it did not, does injection
add to it, and what does it forget?

    python benchmarks/seed_table.py [--glossary FILE] [--model DIR] [--out DIR] [--epochs N]
                                    [--per-concept K] [--n-l1 N] [--n-l2 N] [--positions system,inline,both]
    python benchmarks/seed_table.py --smoke --model TINY_MODEL_DIR     # the CI run: tiny sizes

Steps, each recorded in ``OUT/run.json`` with its command and wall time:

1. a data folder of its own (``OUT/home``, so the person's glossary is never touched), holding
   the starter glossaries, or ``--glossary FILE`` imported with ``main.py glossary import``;
2. ``main.py dataset build --accepted`` (every pair accepted, as a reviewer who accepts all);
3. the concepts that have pairs, split into *train* and *held-out* with a fixed seed
   (``--split-seed``; ``OUT/split.json`` lists both);
4. ``main.py train`` on the train concepts' pairs only (training time and tokens/s), checkpointed
   every ``--save-every`` steps;
5. test items: L1 (``glossary.testset.make_l1_items``, as ``eval make-testset``) and L2
   (``glossary.l2items``, as ``eval make-testset --level L2``), made separately from each split's
   concepts, so an item is *seen* only when the adapter trained on all its concepts, a seeded
   sample of ``--n-l1`` and ``--n-l2`` per split;
6. ``main.py eval``, one run per method and half (``--whole``: per method): base, inject and oracle
   at the first injection position of ``--positions``; then ``main.py train`` (step 4), lora and
   lora+inject on both halves, and base, lora and lora+inject on the general-knowledge set (the
   forgetting check: no glossary term is found there, so inject and oracle would be base); then
   inject at the other positions, inject with ``--related`` related concepts, and the sample set of
   ``eval`` (base, and inject at every position).

``--resume`` continues a run in ``--out`` that stopped: the pairs, the adapter (or its training
checkpoint), the test items and every finished evaluation are reused (the split is made again: the
same seed gives the same). Ctrl-C, or ``timeout -s INT``, stops after the current step, so a long
run can go in pieces: ``timeout -s INT 560 python benchmarks/seed_table.py ... --resume``.

The table: accuracy with its 95% Wilson interval per method and cell (seen, held-out, each by
L1 and L2, and general knowledge), McNemar's exact test against base on the same items, the
evaluation's wall time. Written to ``OUT/table.md`` and ``OUT/table.json`` and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from seed_table_cells import table, markdown, fmt_cell, whole_set_cells, find_key  # noqa: E402 - benchmarks/ is the script's folder

METHODS = ("base", "inject", "lora", "lora+inject", "oracle")
SMOKE = dict(per_concept=1, epochs=1, max_steps=2, n_l1=6, n_l2=4, max_concepts=16, positions="system,inline")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Seen / held-out / general table of base, inject, lora, lora+inject and oracle, "
                    "made with TermLens's own commands.")
    ap.add_argument("--glossary", metavar="FILE", help="a CSV, JSON(L) or TBX glossary (default: the starter glossaries)")
    ap.add_argument("--model", metavar="DIR", help="model folder (default: the installed default model)")
    ap.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    ap.add_argument("--out", metavar="DIR", help="where everything goes (default: seed-table-<time> here)")
    ap.add_argument("--train-fraction", type=float, default=0.5, help="share of concepts trained on (default 0.5)")
    ap.add_argument("--split-seed", type=int, default=0, help="seed of the concept split and samples (default 0)")
    ap.add_argument("--per-concept", type=int, default=2, help="training pairs per concept and language (default 2)")
    ap.add_argument("--epochs", type=int, default=2, help="training epochs (default 2)")
    ap.add_argument("--max-steps", type=int, help="stop training after N steps (default: the epochs decide)")
    ap.add_argument("--lr", type=float, help="learning rate of the adapter (default: train's, 2e-4)")
    ap.add_argument("--batch", type=int, help="rows per training step (default: train's, 4)")
    ap.add_argument("--save-every", type=int, default=5,
                    help="training checkpoint every N steps, so a stopped run loses little (default 5)")
    ap.add_argument("--n-l1", type=int, default=120, help="L1 items per split (default 120)")
    ap.add_argument("--n-l2", type=int, default=60, help="L2 items per split (default 60)")
    ap.add_argument("--max-concepts", type=int, help="use only this many concepts (a seeded sample; default all)")
    ap.add_argument("--positions", default="system,inline,both",
                    help="injection positions to measure; the first is the one of the main table (default all three)")
    ap.add_argument("--related", type=int, default=3,
                    help="also measure inject with up to N related concepts in the block (eval --inject-related; "
                         "0: not measured; default 3)")
    ap.add_argument("--threads", type=int, help="CPU threads for training and evaluation")
    ap.add_argument("--whole", action="store_true",
                    help="one evaluation per method on both halves together (fewer model loads: for a GPU, where "
                         "loading costs more than scoring; default: one per method and half, to resume in pieces)")
    ap.add_argument("--table-only", action="store_true",
                    help="with --resume: write the table from the evaluations finished so far, running nothing")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, for CI (with --model of a tiny model)")
    ap.add_argument("--resume", action="store_true",
                    help="continue a run in --out: reuse its pairs, adapter (or its training checkpoint) and "
                         "finished evaluations")
    args = ap.parse_args(argv)
    if args.smoke:
        for k, v in SMOKE.items():
            setattr(args, k, v)
    if args.table_only and not args.resume:
        ap.error("--table-only reads a run in --out: add --resume")
    if not 0 < args.train_fraction < 1:
        ap.error("--train-fraction must be between 0 and 1")
    return args


class Stopped(Exception):
    """Ctrl-C (or ``timeout -s INT``) stopped a step; ``--resume`` continues from there."""


class Steps:
    """Runs ``main.py`` commands in the table's own data folder and records each one.

    The first Ctrl-C is passed on to the running command only (it goes to the whole process
    group): training stops after its step and keeps its checkpoint, an evaluation after its
    item; the run then ends, and ``--resume`` continues it. Every step, of every invocation,
    is appended to ``OUT/steps.jsonl`` (the wall times of a run done in pieces)."""

    def __init__(self, out: Path, home: Path, passphrase: str | None = None) -> None:
        self.out, self.log = out, []
        # the table's own data folder, locked with a passphrase made for this run (no keyring entry is left behind)
        private = {"TERMLENS_HOME": str(home), "TERMLENS_KEYRING": "none",
                   "TERMLENS_PASSPHRASE": passphrase or secrets.token_urlsafe(24)}
        os.environ.update(private)  # the in-process reads open the same folder
        key_file = out / "home-passphrase.txt"  # to open OUT/home again after the run (main.py ... with it set)
        key_file.write_text(private["TERMLENS_PASSPHRASE"] + "\n", encoding="utf-8")
        key_file.chmod(0o600)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.stop = False
        if threading_main():
            signal.signal(signal.SIGINT, self._on_interrupt)

    def _on_interrupt(self, signum, frame) -> None:  # noqa: ANN001 - signal handler
        if self.stop:
            raise KeyboardInterrupt
        self.stop = True
        print("Stopping after the current step; run again with --resume to continue.", file=sys.stderr, flush=True)

    def main(self, *args: str, name: str, json_out: bool = False) -> dict | str:
        cmd = [sys.executable, str(ROOT / "main.py"), *args]
        print(f"[{time.strftime('%H:%M:%S')}] {name}: main.py {' '.join(args)}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        secs = time.perf_counter() - t0
        (self.out / f"{name}.stderr.txt").write_text(proc.stderr, encoding="utf-8")
        (self.out / f"{name}.stdout.txt").write_text(proc.stdout, encoding="utf-8")
        entry = {"step": name, "command": "python main.py " + " ".join(args), "seconds": round(secs, 1),
                 "exit": proc.returncode, "at": time.strftime("%Y-%m-%dT%H:%M:%S")}
        self.log.append(entry)
        with open(self.out / "steps.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        if self.stop:
            raise Stopped(name)
        if proc.returncode != 0:
            raise SystemExit(f"{name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        if json_out:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        return proc.stdout


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def logged_steps(out: Path) -> list[dict]:
    """Every step of every invocation of this run (``OUT/steps.jsonl``)."""
    path = out / "steps.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def merge_reports(reports: list[dict]) -> dict:
    """One report of several evaluations' items (each method and half was run on its own)."""
    return {"items": [it for r in reports for it in r["items"]]}


def split_concepts(concept_ids: list[int], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    ids = sorted(concept_ids)
    random.Random(seed).shuffle(ids)
    k = max(1, min(len(ids) - 1, round(len(ids) * fraction)))
    return sorted(ids[:k]), sorted(ids[k:])


def make_items(concepts: list, ids: list[int], *, n_l1: int, n_l2: int, seed: int, tag: str) -> list:
    """L1 and L2 items about these concepts only (distractors from them too), seeded samples."""
    from glossary.l2items import make_l2_items
    from glossary.testset import make_l1_items

    chosen = [c for c in concepts if c.id in set(ids)]
    l1 = make_l1_items(chosen, seed=seed)
    l2 = make_l2_items(chosen, seed=seed)
    rng = random.Random(f"{seed}:{tag}")
    l1 = sorted(rng.sample(l1, min(n_l1, len(l1))), key=lambda it: it.id)
    l2 = sorted(rng.sample(l2, min(n_l2, len(l2))), key=lambda it: it.id)
    for it in l1 + l2:
        it.id = f"{tag}-{it.id}"
        it.status = ""
    return l1 + l2


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.out or f"seed-table-{time.strftime('%Y%m%d-%H%M%S')}").resolve()
    try:
        return run(args, out)
    except Stopped as stopped:
        print(f"Stopped during {stopped}. Run the same command with --resume to continue.", file=sys.stderr)
        return 3


def run(args: argparse.Namespace, out: Path) -> int:
    t_start = time.perf_counter()
    home = out / "home"
    key_file = out / "home-passphrase.txt"
    if args.resume and not key_file.is_file():
        raise SystemExit(f"--resume needs a run in {out}: its home-passphrase.txt is missing")
    home.mkdir(parents=True, exist_ok=True)
    steps = Steps(out, home, passphrase=key_file.read_text().strip() if args.resume else None)
    model = ["--model", args.model] if args.model else []
    device = ["--device", args.device] if args.device else []
    threads = ["--threads", str(args.threads)] if args.threads else []
    positions = [p.strip() for p in args.positions.split(",") if p.strip()]

    pairs_file = out / "pairs.jsonl"
    if not (args.resume and pairs_file.is_file()):
        if args.glossary:
            steps.main("glossary", "import", args.glossary, name="import")
        steps.main("dataset", "build", "--out", str(pairs_file), "--accepted", "--per-concept", str(args.per_concept),
                   "--seed", str(args.split_seed), name="dataset-build")

    from desktop.storage.appdata import open_glossary
    from glossary import dataset

    with open_glossary() as store:
        concepts = list(store.iter_concepts())
    pairs = dataset.read_jsonl(pairs_file)
    with_pairs = sorted({p["concept_id"] for p in pairs if p.get("concept_id") is not None})
    if args.max_concepts and args.max_concepts < len(with_pairs):
        with_pairs = sorted(random.Random(args.split_seed).sample(with_pairs, args.max_concepts))
    train_ids, held_ids = split_concepts(with_pairs, args.train_fraction, args.split_seed)
    by_id = {c.id: c for c in concepts}
    (out / "split.json").write_text(json.dumps({
        "seed": args.split_seed, "train_fraction": args.train_fraction,
        "train": [{"id": i, "ref": by_id[i].external_id or by_id[i].label()} for i in train_ids],
        "held_out": [{"id": i, "ref": by_id[i].external_id or by_id[i].label()} for i in held_ids],
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    train_file = out / "train_pairs.jsonl"
    train_set = set(train_ids)
    n_train = dataset.write_jsonl([p for p in pairs if p.get("concept_id") in train_set], train_file)

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    from desktop.engine.evaluate.runner import GENERAL_TESTSET
    from glossary.testset import write_testset

    halves = {}
    for name, ids, tag in (("seen", train_ids, "seen"), ("held-out", held_ids, "held")):
        path = out / f"items-{name}.jsonl"
        if not (args.resume and path.is_file()):  # a resumed run scores the items it started with
            write_testset(make_items(concepts, ids, n_l1=args.n_l1, n_l2=args.n_l2, seed=args.split_seed, tag=tag),
                          path)
        halves[name] = ["--testset", str(path)]

    def evaluate(name: str, *eval_args: str) -> dict:
        folder = out / f"report-{name}"
        if args.resume and (folder / "report.json").is_file():
            print(f"reusing {folder}", file=sys.stderr)
            return json.loads((folder / "report.json").read_text(encoding="utf-8"))
        if args.table_only:
            return {"items": []}  # not run yet: its cells stay empty
        try:
            return steps.main("eval", *eval_args, "--report", str(folder), "--json", *model, *device, *threads,
                              "--no-general", name=f"eval-{name}", json_out=True)
        except Stopped:
            shutil.rmtree(folder, ignore_errors=True)  # a stopped evaluation's report holds only some items
            raise

    def per_half(pos: str, method: str, *extra: str, name: str = "") -> dict:
        # one evaluation per method and half: a stopped run loses at most one of them
        adapter = ["--adapter", "seed-table"] if "lora" in method else []
        if args.whole:
            return evaluate(f"{name or pos}-{method}", *halves["seen"], *halves["held-out"], "--methods", method,
                            *adapter, "--inject-position", pos, *extra)
        return merge_reports([evaluate(f"{name or pos}-{method}-{half}", *testset, "--methods", method, *adapter,
                                       "--inject-position", pos, *extra)
                              for half, testset in halves.items()])

    def train_adapter() -> dict:
        adapter_meta = home / "adapters" / "seed-table" / "termlens_adapter.json"
        if args.resume and adapter_meta.is_file():
            meta = json.loads(adapter_meta.read_text(encoding="utf-8"))
            trained = {k: find_key(meta, k) for k in ("steps", "time_s", "tokens_per_s", "train_loss", "val_loss")}
            print(f"reusing the adapter trained before ({trained['steps']} steps)", file=sys.stderr)
        elif args.table_only:
            trained = {}
        else:
            train_args = ["train", "--data", str(train_file), "--out", "seed-table", "--overwrite", "--json",
                          "--epochs", str(args.epochs), "--seed", str(args.split_seed), *model, *device]
            if args.max_steps:
                train_args += ["--max-steps", str(args.max_steps)]
            if args.lr:
                train_args += ["--lr", str(args.lr)]
            if args.batch:
                train_args += ["--batch", str(args.batch)]
            if args.save_every:
                train_args += ["--save-every", str(args.save_every)]
            if args.resume:
                train_args.append("--resume")  # from the stopped run's checkpoint, when there is one
            trained = steps.main(*train_args, name="train", json_out=True)
        return trained

    evals = {}
    first, *others = positions
    # the main table first (base, inject and oracle need no adapter, so they run before training), then
    # the other positions, related concepts and the sample set
    no_adapter = [per_half(first, m) for m in METHODS if "lora" not in m]
    trained = train_adapter()
    evals[first] = merge_reports([*no_adapter, *(per_half(first, m) for m in METHODS if "lora" in m)])
    # the general-knowledge set: the forgetting check, lora against base (no glossary term is found there)
    general = evaluate("general", "--testset", str(GENERAL_TESTSET), "--methods", "base,lora,lora+inject",
                       "--adapter", "seed-table")
    for pos in others:  # inject again at the other positions, on both halves
        evals[pos] = per_half(pos, "inject")
    if args.related:  # related concepts in the block (L2 is what they are for), at the main position
        evals["related"] = per_half(first, "inject", "--inject-related", str(args.related),
                                    name=f"{first}-related{args.related}")

    # the sample set that ``eval`` uses by default (36 items on the starter glossaries): base, and inject at each position
    from desktop.engine.evaluate.runner import SAMPLE_TESTSET

    sample = {"base": evaluate("sample-base", "--testset", str(SAMPLE_TESTSET), "--methods", "base")}
    if not args.glossary:  # written against the starter glossaries
        for pos in positions:
            sample[pos] = evaluate(f"sample-{pos}", "--testset", str(SAMPLE_TESTSET), "--methods", "inject",
                                   "--inject-position", pos)

    main_pos = positions[0]
    main_cells = table(evals[main_pos], list(METHODS))
    for m, cells in table(general, ["base", "lora", "lora+inject"]).items():
        main_cells.setdefault(m, {}).update({k: v for k, v in cells.items() if k == "general"})
    logged = logged_steps(out)
    # a step stopped and run again counts both times: the wall time this table cost
    wall = sum(s["seconds"] for s in logged if s["step"].startswith("eval-"))
    train_wall = sum(s["seconds"] for s in logged if s["step"] == "train")
    parts = [markdown(main_cells, list(METHODS),
                      title=f"All five methods (injection position: {main_pos}; evaluation wall time "
                            f"{wall:.0f} s for every eval step of this run)")]
    pos_cells = {pos: table(evals[pos], ["inject"], base_report=evals[main_pos]) for pos in positions}
    if len(positions) > 1:
        keys = ["seen L1", "seen L2", "seen", "held-out L1", "held-out L2", "held-out"]
        lines = ["**Injection position: inject on both halves** (p: McNemar against base)", "",
                 "| position | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for pos in positions:
            cs = pos_cells[pos].get("inject", {})
            row = [f"{cs[k]['acc']:.3f} [{cs[k]['lo']:.2f}, {cs[k]['hi']:.2f}] p={cs[k].get('p', 1):.3g}"
                   if k in cs else "" for k in keys]
            lines.append(f"| {pos} | " + " | ".join(row) + " |")
        parts.append("\n".join(lines))
    related_cells = {}
    if "related" in evals:
        related_cells = {"inject": table(evals[main_pos], ["inject"]).get("inject", {}),
                         f"inject, {args.related} related":
                             table(evals["related"], ["inject"], evals[main_pos]).get("inject", {})}
        keys = ["seen L1", "seen L2", "seen", "held-out L1", "held-out L2", "held-out"]
        lines = [f"**Related concepts in the injected block** (position {main_pos}; p: McNemar against base)", "",
                 "| method | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for name, cs in related_cells.items():
            lines.append(f"| {name} | " + " | ".join(fmt_cell(cs[k]) if k in cs else "" for k in keys) + " |")
        parts.append("\n".join(lines))
    sample_cells = {pos: whole_set_cells(sample[pos], "inject", sample["base"]) for pos in positions if pos in sample}
    if sample_cells:
        keys = ["L1", "L2", "all"]
        lines = ["**Injection position on the sample set** (`resources/testsets/sample.jsonl`, the default of "
                 "`eval`; p: McNemar against base)", "", "| position | " + " | ".join(keys) + " |",
                 "|---|" + "---|" * len(keys)]
        base_cells = whole_set_cells(sample["base"], "base", sample["base"])
        for name, cs in [("base", base_cells), *sample_cells.items()]:
            lines.append(f"| {name} | " + " | ".join(fmt_cell(cs[k]) if k in cs else "" for k in keys) + " |")
        parts.append("\n".join(lines))
    total = time.perf_counter() - t_start
    tr = trained if isinstance(trained, dict) else {}
    parts.append(
        f"Adapter: {n_train} training pairs on {len(train_ids)} concepts ({len(held_ids)} held out, split seed "
        f"{args.split_seed}), {tr.get('steps')} steps, {float(tr.get('time_s') or 0):.0f} s, "
        f"{float(tr.get('tokens_per_s') or 0):.0f} tokens/s, train loss {tr.get('train_loss')}, "
        f"held-out loss {tr.get('val_loss')}; training wall time {train_wall:.0f} s over every invocation. "
        f"This invocation {total:.0f} s.")
    text = "\n\n".join(parts)
    (out / "table.md").write_text(text + "\n", encoding="utf-8")
    (out / "table.json").write_text(json.dumps({
        "cells": main_cells, "positions": pos_cells, "train": tr, "split_seed": args.split_seed,
        "n_train_concepts": len(train_ids), "n_held_out_concepts": len(held_ids), "steps": logged,
        "train_wall_s": round(train_wall, 1), "eval_wall_s": round(wall, 1),
        "sample": sample_cells, "related": related_cells, "total_s": round(total, 1), "argv": sys.argv[1:],
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
