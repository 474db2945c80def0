"""``main.py eval ...``: run an evaluation, or make an L1 test set from the glossary.

    main.py eval --testset FILE [--testset FILE2] --methods base,inject,lora,lora+inject,oracle
                 [--adapter NAME] [--report DIR] [--json] [--model DIR] [--limit N] [--seed S] [--no-general]
    main.py eval make-testset --out FILE [--domain D] [--n N] [--seed S]

``make-testset`` is an optional first word of ``eval`` (``eval run`` is the same as
plain ``eval``), so both spellings parse with one parser.

The glossary is the store at ``desktop.paths.db_path()``. When the store holds no
concepts, both commands use the starter glossaries shipped in
``resources/glossaries`` instead (loaded into a temporary in-memory store, so the
user's store is not changed) and say so on stderr: the sample test set is written
against them, so ``eval`` works on a fresh install. When ``lora`` is among the
methods and an adapter is given, the general-knowledge set
(``resources/testsets/general.jsonl``) is added to the items, so the report carries
the forgetting check (lora against base); ``--no-general`` leaves it out.

Methods that need an adapter are skipped, with a note, when none is given. The
report goes to ``--report DIR`` (default: a new folder under ``reports/``). Exit
codes: 0 done, 1 stopped, 2 an error of the ``TermLensError`` family (one line on
stderr). Knows nothing of Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from glossary.errors import TermLensError



def _glossary(domain: str | None = None):  # noqa: ANN202 - (store, note)
    """The user's store, or the starter glossaries in memory when it is empty."""
    from desktop.paths import db_path
    from glossary.store import GlossaryStore

    store = GlossaryStore(db_path())
    if store.count():
        return store, ""
    store.close()
    from glossary.importer import load_starter

    mem = GlossaryStore(":memory:")
    load_starter(mem)
    return mem, "The glossary is empty; using the starter glossaries (medicine, law, finance)."


def _make_testset(args: argparse.Namespace) -> int:
    from glossary.testset import make_l1_items, write_testset

    if not args.out:
        print("Error: make-testset needs --out FILE.", file=sys.stderr)
        return 2
    store, note = _glossary()
    if note:
        print(note, file=sys.stderr)
    try:
        concepts = list(store.iter_concepts())
    finally:
        store.close()
    if args.domain:
        fields = {f for c in concepts for f in c.subject_fields}
        if args.domain not in fields:
            raise TermLensError(f"No concept has the subject field '{args.domain}'; "
                                f"the fields are {', '.join(sorted(fields)) or 'none'}.")
    # Distractors come from the whole glossary; only the items are limited to the domain.
    items = make_l1_items(concepts, seed=args.seed)
    if args.domain:
        items = [it for it in items if it.subject_field == args.domain]
    if args.n is not None and args.n < len(items):
        import random

        keep = sorted(random.Random(args.seed).sample(range(len(items)), args.n))
        items = [items[i] for i in keep]
    if not items:
        raise TermLensError("No test items could be made: the glossary needs at least four concepts with definitions.")
    n = write_testset(items, args.out)
    print(f"Wrote {n} L1 items to {args.out}.")
    return 0


def _run(args: argparse.Namespace) -> int:
    from desktop.engine.evaluate import GENERAL_TESTSET, NEEDS_ADAPTER, SAMPLE_TESTSET, parse_methods, run_eval
    from desktop.engine.models import default_model_dir, load_model
    from glossary.testset import read_testset

    methods = parse_methods(args.methods)
    files = [Path(p) for p in (args.testset or [str(SAMPLE_TESTSET)])]
    items = [it for f in files for it in read_testset(f)]
    if (not args.no_general and args.adapter and "lora" in methods and GENERAL_TESTSET.is_file()
            and all(f.resolve() != GENERAL_TESTSET.resolve() for f in files)):
        items += read_testset(GENERAL_TESTSET)
        files.append(GENERAL_TESTSET)
    if args.limit is not None:
        items = items[: max(0, args.limit)]
    if not args.adapter and any(m in NEEDS_ADAPTER for m in methods):
        print("Note: lora and lora+inject are skipped because no --adapter was given.", file=sys.stderr)

    store, note = _glossary()
    if note:
        print(note, file=sys.stderr)
    try:
        concepts = list(store.iter_concepts())
    finally:
        store.close()
    lm = load_model(args.model or default_model_dir(), device=args.device)
    quiet = args.json

    def progress(done: int, total: int, msg: str) -> None:
        if not quiet:
            print(f"\r{done}/{total} {msg[:60]:<60}", end="\n" if done >= total else "", file=sys.stderr, flush=True)

    try:
        report = run_eval(lm, items, methods=methods, glossary_concepts=concepts, adapter=args.adapter,
                          on_progress=progress, seed=args.seed, testset_name=", ".join(f.name for f in files))
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 1
    folder = Path(args.report) if args.report else _default_report_dir()
    written = report.write(folder)
    if args.json:
        data = report.to_dict()
        data["files"] = {k: str(v) for k, v in written.items()}
        print(json.dumps(data, ensure_ascii=False))
    else:
        from desktop.engine.evaluate import main_table

        print(main_table(report))
        if report.forgetting:
            f = report.forgetting
            print(f"\nForgetting check (general knowledge, n={f['n']}): base {f['base']:.3f}, "
                  f"lora {f['lora']:.3f}, delta {f['delta']:+.3f}")
        for m, why in report.skipped.items():
            print(f"Skipped {m}: {why}")
        print(f"\nReport written to {folder}")
    return 1 if report.stopped else 0


def _default_report_dir() -> Path:
    from desktop.paths import reports_dir

    return reports_dir() / datetime.now().strftime("eval-%Y%m%d-%H%M%S")


def run(args: argparse.Namespace) -> int:
    try:
        return _make_testset(args) if args.action == "make-testset" else _run(args)
    except TermLensError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``eval`` (and its ``make-testset`` form) to ``main.py``'s parser."""
    p = subparsers.add_parser(
        "eval", help="evaluate base, injection, LoRA and both on a test set; or make a test set",
        description="Run an evaluation (default), or 'eval make-testset --out FILE' to write L1 items "
                    "made from the glossary.",
    )
    p.add_argument("action", nargs="?", choices=["run", "make-testset"], default="run",
                   help="run (default) or make-testset")
    g = p.add_argument_group("run")
    g.add_argument("--testset", action="append", metavar="FILE",
                   help="a JSONL test set (repeatable; default: the sample test set)")
    g.add_argument("--methods", default="base,inject,oracle",
                   help="comma-separated: base, inject, lora, lora+inject, oracle (default: base,inject,oracle)")
    g.add_argument("--adapter", metavar="NAME", help="the LoRA adapter for lora and lora+inject")
    g.add_argument("--report", metavar="DIR", help="folder for the report (default: a new folder under reports/)")
    g.add_argument("--json", action="store_true", help="print the report as one JSON object")
    g.add_argument("--model", metavar="DIR", help="model folder (default: the installed default model)")
    g.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    g.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    g.add_argument("--no-general", action="store_true",
                   help="do not add the general-knowledge set (the forgetting check) when lora runs")
    m = p.add_argument_group("make-testset")
    m.add_argument("--out", metavar="FILE", help="where to write the test set")
    m.add_argument("--domain", metavar="D", help="only concepts of this subject field")
    m.add_argument("--n", type=int, metavar="N", help="at most N items (a seeded sample)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(func=run)
