"""``main.py bench ...``: speed measurements on this machine.

``bench decode`` runs the plain and the fast decode path on a model built from a config
with random weights (``desktop.engine.bench``). ``bench train`` hands every argument
after it to ``desktop.engine.train_bench.main`` when that module is installed. The
engine is imported only when a bench runs, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys


def _decode(args: argparse.Namespace) -> int:
    from desktop.engine import bench

    return bench.main_decode(args)


def _train(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("desktop.engine.train_bench") is None:
        print("error: the training benchmark is not part of this installation.", file=sys.stderr)
        return 2
    module = importlib.import_module("desktop.engine.train_bench")
    return int(module.main(list(args.train_args)) or 0)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench`` with its ``decode`` and ``train`` subcommands to ``main.py``'s parser."""
    from desktop.engine.bench import add_decode_arguments

    p = subparsers.add_parser("bench", help="measure generation and training speed on this machine")
    sub = p.add_subparsers(dest="bench_what", required=True, metavar="WHAT")
    d = sub.add_parser("decode", help="tokens per second, first-token time and warm-up of the decode paths")
    add_decode_arguments(d)
    d.set_defaults(func=_decode)
    # every argument after `train` (options too) goes to the training benchmark untouched
    t = sub.add_parser("train", help="training throughput (arguments are passed to the training benchmark)",
                       add_help=False, prefix_chars="+")
    t.add_argument("train_args", nargs=argparse.REMAINDER)
    t.set_defaults(func=_train)
