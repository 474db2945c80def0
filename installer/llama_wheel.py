"""The built ``llama-cpp-python`` wheel, carried in the offline bundle so that no target compiles.

``llama-cpp-python`` publishes no Linux wheel on the package registry: pip builds it from
its source distribution (about 6 minutes on 2 cores, with a C++ compiler and CMake). A
bundle therefore carries the wheel that was built on the connected machine, and the
target installs it with ``pip install --no-index --only-binary=:all:`` like every other
wheel: an air-gapped install never compiles, and a target without a compiler still gets
llama.cpp.

Where the wheel comes from, the first that applies (``find``):

1. the file given with ``--llama-wheel``;
2. the wheel this environment's copy was installed from (pip records a local file in
   ``direct_url.json``), when it is still there with the recorded SHA-256;
3. a wheel in pip's wheel cache whose native libraries are byte for byte the ones installed
   here — pip's cache ignores ``CMAKE_ARGS``, so a cached wheel may be a native
   (``-march=native``) build that crashes on other CPUs; only the build that runs here is taken;
4. the installed files themselves, packed again into a wheel (its ``RECORD`` rewritten).

A wheel is only taken for a target of the same platform (``linux_x86_64`` here). Without
one the bundle is built without llama.cpp, and TermLens answers with transformers there.
Nothing here opens a network connection; the wheel's dependencies are downloaded by
``installer.bundle`` with the rest.
"""

from __future__ import annotations

import base64
import csv
import email
import hashlib
import importlib.metadata as metadata
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from installer.bundle_check import sha256_file

DIST = "llama_cpp_python"
_NATIVE = (".so", ".dll", ".dylib")
_DROP = ("INSTALLER", "REQUESTED", "direct_url.json", "RECORD")  # written by the installer, not part of a wheel


class LlamaWheelError(Exception):
    """The wheel given cannot be used; the message says why."""


def installed() -> metadata.Distribution | None:
    try:
        return metadata.distribution(DIST)
    except metadata.PackageNotFoundError:
        return None


def wheel_platform(name: str) -> str:
    """The platform tag of a wheel file name (``linux_x86_64``, ``any``, ``win_amd64``)."""
    return name[:-4].split("-")[-1]


def requirements(wheel: Path) -> list[str]:
    """What the wheel needs at run time, from its metadata (optional extras, such as ``server``, left out)."""
    with zipfile.ZipFile(wheel) as zf:
        name = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        if name is None:
            raise LlamaWheelError(f"{wheel.name} has no metadata: it is not a complete wheel.")
        meta = email.message_from_bytes(zf.read(name))
    return [r for r in meta.get_all("Requires-Dist") or [] if "extra ==" not in r.replace("'", '"')]


def _record_rows(text: str) -> dict[str, str]:
    return {row[0]: row[1] for row in csv.reader(io.StringIO(text)) if len(row) >= 2 and row[1]}


def _native_hashes(rows: dict[str, str]) -> dict[str, str]:
    return {path: digest for path, digest in rows.items() if Path(path).name.endswith(_NATIVE) or ".so." in path}


def same_build(wheel: Path, dist: metadata.Distribution) -> bool:
    """Whether ``wheel`` holds exactly the native libraries installed in ``dist``."""
    here = _native_hashes(_record_rows(dist.read_text("RECORD") or ""))
    try:
        with zipfile.ZipFile(wheel) as zf:
            record = next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))
            theirs = _native_hashes(_record_rows(zf.read(record).decode("utf-8")))
    except (OSError, zipfile.BadZipFile, StopIteration):
        return False
    return bool(here) and here == theirs


def _origin_wheel(dist: metadata.Distribution) -> Path | None:
    """The local wheel file this copy was installed from, if pip recorded one and it is unchanged."""
    try:
        info = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        return None
    url = urlparse(info.get("url", ""))
    path = Path(unquote(url.path))
    digest = (info.get("archive_info", {}).get("hashes", {}) or {}).get("sha256")
    if url.scheme != "file" or path.suffix != ".whl" or not path.is_file():
        return None
    return path if digest is None or sha256_file(path) == digest else None


def _cached_wheels() -> list[Path]:
    """Wheels of llama-cpp-python in pip's wheel cache (none when pip has no cache)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "pip", "cache", "list", DIST, "--format=abspath"],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in proc.stdout.splitlines() if line.endswith(".whl") and Path(line).is_file()]


def repack(dist: metadata.Distribution, dest: Path) -> Path:
    """The installed files of ``dist`` packed again into a wheel in ``dest`` (compiled ``.pyc`` left out)."""
    wheel_meta = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_meta.splitlines() if line.startswith("Tag:")]
    if not tags:
        raise LlamaWheelError(f"The installed {DIST} has no wheel tag, so it cannot be packed into a wheel.")
    version = dist.version
    out = dest / f"{DIST}-{version}-{tags[0]}.whl"
    info_dir = f"{DIST}-{version}.dist-info"
    rows = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for file in dist.files or []:
            rel = file.as_posix()
            if rel.startswith("..") or "__pycache__" in rel or (rel.startswith(info_dir) and file.name in _DROP):
                continue
            data = Path(file.locate()).read_bytes()
            zf.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{rel},sha256={digest},{len(data)}")
        rows.append(f"{info_dir}/RECORD,,")
        zf.writestr(f"{info_dir}/RECORD", "\n".join(rows) + "\n")
    return out


def find(dest: Path, *, given: Path | None = None, platform: str, log=print) -> Path | None:
    """The llama-cpp-python wheel for a ``platform`` bundle, copied or packed into ``dest``; None
    (with a log line saying why) when this environment has no build for that platform."""
    if given is not None:
        given = Path(given).expanduser()
        if not given.is_file() or given.suffix != ".whl" or not given.name.startswith(DIST + "-"):
            raise LlamaWheelError(f"--llama-wheel {given}: not a {DIST} wheel file.")
        if wheel_platform(given.name) != platform:
            raise LlamaWheelError(f"--llama-wheel {given.name} is built for {wheel_platform(given.name)}, "
                                  f"but the bundle is for {platform}.")
        log(f"  llama.cpp: {given.name} (given)")
        return _copy(given, dest)
    dist = installed()
    if dist is None:
        log("  llama.cpp: not installed here, so the bundle has none (TermLens will use transformers on the target)")
        return None
    tag_platform = next((line.split("-")[-1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
                         if line.startswith("Tag:")), "")
    if tag_platform != platform:
        log(f"  llama.cpp: the build here is for {tag_platform or 'an unknown platform'}, not {platform}; "
            f"pass --llama-wheel with a wheel built on a {platform} machine")
        return None
    origin = _origin_wheel(dist)
    if origin is not None:
        log(f"  llama.cpp: {origin.name}, the wheel this environment was installed from")
        return _copy(origin, dest)
    for cached in _cached_wheels():
        if same_build(cached, dist):
            log(f"  llama.cpp: {cached.name} from pip's wheel cache (the build installed here)")
            return _copy(cached, dest)
    log(f"  llama.cpp: packing the installed {DIST} {dist.version} into a wheel")
    return repack(dist, dest)


def _copy(wheel: Path, dest: Path) -> Path:
    import shutil

    out = dest / wheel.name
    shutil.copyfile(wheel, out)
    return out
