"""``main.py eval ...``: run an evaluation, make an L1 test set from the glossary, or show a saved report.

    main.py eval --testset FILE [--testset FILE2] --methods base,inject,lora,lora+inject,oracle
                 [--adapter NAME] [--report DIR] [--json] [--from-glossary N [--domain D]]
                 [--model DIR] [--device cpu|cuda] [--threads N] [--limit N] [--max-new-tokens N]
                 [--seed S] [--no-general] [--inject-position system|inline|both] [--inject-related N]
    main.py eval make-testset --out FILE [--level L1|L2] [--domain D] [--n N] [--seed S]
    main.py eval show --report DIR [--out DIR] [--json]

``make-testset`` and ``show`` are optional first words of ``eval`` (``eval run`` is
the same as plain ``eval``), so every spelling parses with one parser.

The glossary is the user's (``desktop.storage.appdata.open_glossary``, read only). When there
is none yet, or it holds no concepts, the starter glossaries shipped in
``resources/glossaries`` are used instead, in memory, and a line on stderr says so:
the sample test set is written against them, so ``eval`` works on a fresh install.
When an adapter is given and ``lora`` is among the methods, the general-knowledge set
(``resources/testsets/general.jsonl``) is added: the forgetting check (lora against
base); ``--no-general`` leaves it out.

The report goes to ``--report DIR`` as plain files; without it, to a new folder under
the data directory's ``reports/``, encrypted (``eval show --report DIR`` prints it,
``--out`` writes a plain copy). The first Ctrl-C stops after the current item and
still writes the report of what was scored; a second one ends at once. Exit codes: 0
done, 1 stopped, 2 an error of the ``TermLensError`` family (one line on stderr).
Knows nothing of Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from desktop.commands import guarded
from desktop.commands.interrupt import StopOnInterrupt
from desktop.commands.progress import LineProgress
from glossary.errors import TermLensError


def _concepts() -> tuple[list, str]:
    """The user's concepts, or the starter glossaries with a sentence when there are none."""
    from desktop import paths
    from desktop.engine.evaluate.request import glossary_or_starters

    own: list = []
    if paths.db_path().exists():
        from desktop.storage.appdata import open_glossary

        with open_glossary(seed_starters=False) as store:
            own = list(store.iter_concepts())
    return glossary_or_starters(own)


def _make_testset(args: argparse.Namespace) -> int:
    from desktop.engine.evaluate.request import glossary_items, l2_items
    from glossary.testset import write_testset

    if not args.out:
        raise TermLensError("make-testset needs --out FILE: where to write the test set.")
    concepts, note = _concepts()
    if args.level == "L2":
        items = l2_items(concepts, n=args.n, domain=args.domain, seed=args.seed)
    else:
        items = glossary_items(concepts, n=args.n, domain=args.domain, seed=args.seed)
    try:
        n = write_testset(items, args.out)
    except OSError as exc:
        raise TermLensError(f"The test set cannot be written to {args.out} ({exc.strerror or exc}).") from exc
    if note:
        print(note, file=sys.stderr)
    print(f"Wrote {n} {args.level} items to {args.out}." + (" Review them (status pending; rejected items are "
                                                             "not scored)." if args.level == "L2" else ""))
    return 0


def _show(args: argparse.Namespace) -> int:
    from desktop.engine.evaluate import load_report

    if not args.report:
        raise TermLensError("show needs --report DIR: the folder of a saved report.")
    report = load_report(args.report)
    if args.out:
        report.write(args.out, private=False)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(report.markdown())
        if args.out:
            print(f"A plain copy was written to {args.out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from desktop.engine.evaluate import SAMPLE_TESTSET, EvalRequest, EvalSettings, main_table, run_request
    from desktop.engine.models import default_model_dir

    if args.threads is not None and args.threads < 1:
        raise TermLensError("--threads must be 1 or more.")
    settings = EvalSettings()
    if args.max_new_tokens is not None:
        if args.max_new_tokens < 1:
            raise TermLensError("--max-new-tokens must be 1 or more.")
        settings.max_new_tokens = args.max_new_tokens
    settings.inject_position = args.inject_position
    if args.inject_related < 0:
        raise TermLensError("--inject-related must be 0 or more.")
    settings.inject_related = args.inject_related
    testsets = list(args.testset or ([] if args.from_glossary else [str(SAMPLE_TESTSET)]))
    request = EvalRequest(testsets=testsets, from_glossary=args.from_glossary or 0, glossary_domain=args.domain,
                          methods=args.methods.split(","), adapter=args.adapter, forgetting=not args.no_general,
                          limit=args.limit, seed=args.seed, settings=settings, report_dir=args.report)
    # Read every input before the model loads, so that a bad file costs no waiting.
    from desktop.engine.evaluate.request import collect_items

    concepts, glossary_note = _concepts()
    collect_items(request, concepts)
    if args.adapter:
        from desktop.engine import adapters

        adapters.read_meta(args.adapter)  # a missing or damaged adapter is refused here, not after loading
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    if args.server:
        import os

        from desktop.engine import server_backend

        lm = server_backend.connect(server_backend.ServerConfig(
            url=args.server, model=args.server_model, api_key=os.environ.get("TERMLENS_SERVER_KEY", ""),
            tokenizer_dir=args.server_tokenizer or str(args.model or default_model_dir())))
    else:
        from desktop.engine import engines

        lm = engines.load(args.model or default_model_dir(), device=args.device, weights=args.weights,
                          engine=args.engine)
    quiet = args.json
    t0 = time.perf_counter()

    progress = LineProgress(sys.stderr, "Evaluating", counts=True)
    progress.enabled = progress.enabled and not quiet
    with StopOnInterrupt("Stopping after the current item (Ctrl-C again to quit now)…") as interrupt, progress:
        outcome = run_request(lm, request, concepts=concepts, on_progress=progress,
                              should_stop=interrupt.event.is_set, glossary_note=glossary_note)
    report = outcome.report
    for note in outcome.notes:
        print(note, file=sys.stderr)
    where = str(outcome.folder)
    encrypted = not args.report
    if args.json:
        data = report.to_dict()
        data["files"] = {k: str(v) for k, v in outcome.files.items()}
        data["encrypted"] = encrypted
        print(json.dumps(data, ensure_ascii=False))
    else:
        if report.stopped:
            print("\nStopped: the figures cover the items scored so far.")
        print(main_table(report))
        if report.forgetting:
            f = report.forgetting
            print(f"\nForgetting check (general knowledge, n={f['n']}): base {f['base']:.3f}, "
                  f"lora {f['lora']:.3f}, delta {f['delta']:+.3f}")
        for m, why in report.skipped.items():
            print(f"Skipped {m}: {why}")
        print(f"\nWall time {time.perf_counter() - t0:.1f} s for {report.meta.get('n_items')} items.")
        if encrypted:
            print(f"Report kept encrypted in {where} (main.py eval show --report \"{where}\" prints it; "
                  "--out DIR writes a plain copy).")
        else:
            print(f"Report written to {where}")
    return 1 if report.stopped else 0


@guarded
def run(args: argparse.Namespace) -> int:
    if args.action == "make-testset":
        return _make_testset(args)
    if args.action == "show":
        return _show(args)
    return _run(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``eval`` (and its ``make-testset`` and ``show`` forms) to ``main.py``'s parser."""
    from desktop.engine.quant import WEIGHT_MODES

    p = subparsers.add_parser(
        "eval", help="evaluate base, injection, LoRA and both on a test set; make a test set; show a report",
        description="Run an evaluation (default), 'eval make-testset --out FILE' to write L1 items made from the "
                    "glossary, or 'eval show --report DIR' to print a saved report.",
    )
    p.add_argument("action", nargs="?", choices=["run", "make-testset", "show"], default="run",
                   help="run (default), make-testset or show")
    g = p.add_argument_group("run")
    g.add_argument("--testset", action="append", metavar="FILE",
                   help="a JSONL test set (repeatable; default: the sample test set)")
    g.add_argument("--from-glossary", type=int, metavar="N",
                   help="add N L1 items made from the glossary (with --domain: from one subject field)")
    g.add_argument("--methods", default="base,inject,oracle",
                   help="comma-separated: base, inject, lora, lora+inject, oracle (default: base,inject,oracle)")
    g.add_argument("--adapter", metavar="NAME", help="the LoRA adapter for lora and lora+inject")
    g.add_argument("--report", metavar="DIR",
                   help="folder for the report, plain files (default: encrypted, under the data directory's "
                        "reports/); with show: the report to read")
    g.add_argument("--json", action="store_true", help="print the report as one JSON object")
    g.add_argument("--model", metavar="DIR", help="model folder (default: the installed default model)")
    g.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    g.add_argument("--weights", choices=WEIGHT_MODES, default="full",
                   help="int8: evaluate the model with 8-bit linear layers (default: full)")
    g.add_argument("--engine", choices=("auto", "transformers", "llama.cpp"), default="auto",
                   help="auto: llama.cpp for a model with a GGUF on a CPU (the default model), else transformers")
    g.add_argument("--server", metavar="URL", help="evaluate the model of an OpenAI-compatible server on your network "
                                                   "(API key from TERMLENS_SERVER_KEY)")
    g.add_argument("--server-model", metavar="NAME", default="", help="the server's model or adapter (default: its first)")
    g.add_argument("--server-tokenizer", metavar="DIR",
                   help="a local folder with the served model's tokenizer files, to render prompts as the server does "
                        "(default: --model, else the default model)")
    g.add_argument("--threads", type=int, metavar="N", help="CPU threads for the model (default: torch's choice)")
    g.add_argument("--limit", type=int, metavar="N", help="only the first N items of each test set")
    g.add_argument("--max-new-tokens", type=int, metavar="N", help="longest free-text answer (default 64)")
    g.add_argument("--inject-position", choices=("system", "inline", "both"), default="inline",
                   help="where inject, lora+inject and oracle put the definitions: inline right after the term's "
                        "first mention in the question, the system prompt, or both (default: inline, the app's)")
    g.add_argument("--inject-related", type=int, default=0, metavar="N",
                   help="also inject up to N related concepts the question does not name (cross-references, "
                        "concepts a definition names, the same subject field), in the system prompt (default 0)")
    g.add_argument("--no-general", action="store_true",
                   help="do not add the general-knowledge set (the forgetting check) when lora runs")
    m = p.add_argument_group("make-testset and show")
    m.add_argument("--out", metavar="PATH", help="make-testset: the file to write; show: a folder for a plain copy")
    m.add_argument("--domain", metavar="D", help="only concepts of this subject field")
    m.add_argument("--n", type=int, metavar="N", help="at most N items (a seeded sample)")
    m.add_argument("--level", choices=("L1", "L2"), default="L1",
                   help="L1: what one term means; L2: two or more concepts per question (comparisons, which "
                        "applies when), written for review: status pending (default L1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(func=run)
