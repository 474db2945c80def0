"""Checks of an offline bundle before anything from it is installed. Standard library only
(``cryptography``, or the ``openssl`` program, only to check an optional signature).

Copied into every bundle beside ``install.py``, which loads it from its source. What
``check`` refuses, each with one sentence naming the file, before anything is written:

* a file listed in ``manifest.json`` that is missing, or whose size or SHA-256 differs;
* a file in the bundle that the manifest does not list (an added wheel would otherwise
  be offered to pip and installed), and any symbolic link;
* a manifest path that could leave the bundle: absolute, with a drive, ``..`` or ``.``
  parts, backslashes, empty parts, or a NUL (``../../../etc/hostname``), and entries
  whose checksum or size is not well formed;
* a ``SHA256SUMS`` that says anything else than the manifest;
* a llama.cpp wheel (``llama_wheel``) that is not a listed wheel of the wheelhouse, or that is
  built for another platform than the bundle's (it would be compiled or fail on the target);
* with ``manifest_sha256``: a manifest whose own SHA-256 is not that one (``bundle``
  prints it for the administrator; ``sha256sum manifest.json`` computes the same);
* with ``public_key``: a manifest without a valid Ed25519 signature
  (``manifest.json.sig``, made by ``bundle --sign-key``) from that key.

The checks inside a bundle cannot vouch for the bundle's own installer: for a bundle
that crossed untrusted hands, compare the manifest's SHA-256 with ``sha256sum`` or run
``python -m installer verify --public-key`` from a TermLens you trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
SIGNATURE = "manifest.json.sig"
SUMS = "SHA256SUMS"
NOT_LISTED = (MANIFEST, SIGNATURE, SUMS)  # the files about the files
_HEX64 = re.compile(r"[0-9a-f]{64}")


class BundleCheckError(Exception):
    """The bundle is refused; the message names the file and says what to do."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def sums_text(files: dict) -> str:
    """The ``SHA256SUMS`` for ``files`` (the manifest's), for ``sha256sum -c``."""
    return "".join(f"{meta['sha256']}  {rel}\n" for rel, meta in files.items())


def safe_relpath(rel: object) -> str:
    """``rel`` if it is a plain relative path inside the bundle; otherwise ``BundleCheckError``."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        raise BundleCheckError(f"{MANIFEST} lists a path that is not allowed ({rel!r}); nothing was installed.")
    parts = rel.split("/")
    if rel.startswith("/") or re.match(r"^[A-Za-z]:", rel) or any(p in ("", ".", "..") for p in parts):
        raise BundleCheckError(f"{MANIFEST} lists a path that leaves the bundle or is not plain ({rel}); "
                               f"the manifest was altered. Nothing was installed.")
    return rel


def read_manifest(bundle: Path) -> tuple[dict, bytes]:
    path = bundle / MANIFEST
    if not path.is_file():
        raise BundleCheckError(f"{MANIFEST} is missing from {bundle}: this is not a TermLens bundle, or it was "
                               f"copied incompletely.")
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleCheckError(f"{MANIFEST} cannot be read ({exc}); copy the bundle again.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT \
            or not isinstance(manifest.get("files"), dict):
        raise BundleCheckError(f"{MANIFEST} is not a TermLens bundle manifest of format {MANIFEST_FORMAT}.")
    for rel, meta in manifest["files"].items():
        safe_relpath(rel)
        if rel in NOT_LISTED or not isinstance(meta, dict) or not _HEX64.fullmatch(str(meta.get("sha256"))) \
                or not isinstance(meta.get("size"), int) or meta["size"] < 0:
            raise BundleCheckError(f"{MANIFEST} has a malformed entry for {rel}; copy the bundle again.")
    for rel in [*manifest.get("models", []), *([manifest["default_model_wheel"]]
                                                if manifest.get("default_model_wheel") else [])]:
        safe_relpath(rel)
    return manifest, raw


def _walk(bundle: Path) -> list[str]:
    """Every entry of the bundle that is not a folder, as a relative POSIX path; links refused."""
    found = []
    for folder, dirs, files in os.walk(bundle, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            rel = path.relative_to(bundle).as_posix()
            if path.is_symlink():
                raise BundleCheckError(f"bundle holds a link: {rel}. A bundle holds plain files only; copy it "
                                       f"again. Nothing was installed.")
            if name in files:
                found.append(rel)
    return found


def check(bundle: Path, *, log=print, manifest_sha256: str | None = None, public_key: Path | None = None) -> dict:
    """Run every check above on ``bundle``; return the manifest. Raises ``BundleCheckError``."""
    bundle = Path(bundle)
    manifest, raw = read_manifest(bundle)
    digest = hashlib.sha256(raw).hexdigest()
    log(f"Manifest SHA-256: {digest}")
    if manifest_sha256 is not None and manifest_sha256.strip().lower() != digest:
        raise BundleCheckError(f"{MANIFEST} has SHA-256 {digest}, not the {manifest_sha256.strip()} you were "
                               f"given: this is not the bundle that was built. Nothing was installed.")
    signature = bundle / SIGNATURE
    if public_key is not None:
        if not signature.is_file():
            raise BundleCheckError(f"{SIGNATURE} is missing: the bundle is not signed. Nothing was installed.")
        if not verify_signature(raw, signature.read_bytes(), Path(public_key)):
            raise BundleCheckError(f"The signature of {MANIFEST} does not match the key {public_key}: the "
                                   f"manifest was altered or signed with another key. Nothing was installed.")
        log(f"The manifest is signed with the key in {public_key}.")
    elif signature.is_file():
        log(f"The manifest is signed: pass --public-key FILE to check the signature.")
    files = manifest["files"]
    total = sum(meta["size"] for meta in files.values())
    log(f"Checking {len(files)} files ({total / 1e6:.0f} MB) against {MANIFEST}")
    for rel in sorted(_walk(bundle)):
        if rel not in files and rel not in NOT_LISTED:
            raise BundleCheckError(f"bundle file not in the manifest: {rel}. Remove it, or copy the bundle again; "
                                   f"nothing was installed.")
    for rel, meta in sorted(files.items()):
        path = bundle.joinpath(*rel.split("/"))
        if not path.is_file():
            raise BundleCheckError(f"bundle file missing: {rel}. Copy the bundle again; nothing was installed.")
        if path.stat().st_size != meta["size"] or sha256_file(path) != meta["sha256"]:
            raise BundleCheckError(f"bundle file changed: {rel} (its SHA-256 does not match {MANIFEST}). "
                                   f"Copy the bundle again; nothing was installed.")
    sums = bundle / SUMS
    if sums.exists() and sums.read_text(encoding="utf-8", errors="replace") != sums_text(files):
        raise BundleCheckError(f"{SUMS} does not match {MANIFEST}; copy the bundle again. Nothing was installed.")
    check_llama_wheel(manifest)
    return manifest


def check_llama_wheel(manifest: dict) -> None:
    """The bundle's llama-cpp-python wheel, if it has one, is a listed wheel built for the bundle's platform."""
    name = manifest.get("llama_wheel")
    if not name:
        return
    if not isinstance(name, str) or name not in manifest.get("wheels", []) or f"wheelhouse/{name}" not in manifest["files"]:
        raise BundleCheckError(f"{MANIFEST} names the llama.cpp wheel {name!r}, but the wheelhouse does not hold it. "
                               f"Copy the bundle again; nothing was installed.")
    built_for = name[:-4].split("-")[-1]
    if built_for != manifest.get("platform"):
        raise BundleCheckError(f"The bundle's llama.cpp wheel {name} is built for {built_for}, not for the bundle's "
                               f"platform {manifest.get('platform')}. Build the bundle again on a {manifest.get('platform')} "
                               f"machine; nothing was installed.")


def llama_requirement(manifest: dict) -> list[str]:
    """``[name==version]`` of the bundle's llama-cpp-python wheel, installed beside TermLens; empty without one."""
    name = manifest.get("llama_wheel")
    return [f"{name.split('-')[0]}=={name.split('-')[1]}"] if name else []


def verify_signature(data: bytes, signature: bytes, public_key: Path) -> bool:
    """Whether ``signature`` is a valid Ed25519 signature of ``data`` by the PEM key ``public_key``.

    With ``cryptography`` where this Python has it, else with ``openssl`` (3.0 or newer);
    ``BundleCheckError`` when neither is there or the key cannot be read.
    """
    try:
        pem = public_key.read_bytes()
    except OSError as exc:
        raise BundleCheckError(f"The public key {public_key} cannot be read ({exc.strerror}).") from exc
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError:
        return verify_with_openssl(data, signature, public_key)
    try:
        key = load_pem_public_key(pem)
    except ValueError as exc:
        raise BundleCheckError(f"{public_key} is not a PEM public key.") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise BundleCheckError(f"{public_key} is not an Ed25519 public key.")
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def verify_with_openssl(data: bytes, signature: bytes, public_key: Path) -> bool:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise BundleCheckError("Checking the signature needs the Python package cryptography or the openssl "
                               "program, and this machine has neither; compare the manifest's SHA-256 instead.")
    with tempfile.TemporaryDirectory(prefix="termlens-sig-") as tmp:
        (Path(tmp) / "data").write_bytes(data)
        (Path(tmp) / "sig").write_bytes(signature)
        proc = subprocess.run([openssl, "pkeyutl", "-verify", "-pubin", "-inkey", str(public_key), "-rawin",
                               "-in", str(Path(tmp) / "data"), "-sigfile", str(Path(tmp) / "sig")],
                              capture_output=True, text=True)
    return proc.returncode == 0 and "Signature Verified Successfully" in proc.stdout


def current_platform() -> str:
    machine = platform.machine().lower()
    if os.name == "nt":
        return "win_amd64" if machine in ("amd64", "x86_64") else f"win_{machine}"
    if sys.platform.startswith("linux"):
        return f"linux_{'x86_64' if machine in ('x86_64', 'amd64') else machine}"
    return f"{sys.platform}_{machine}"


def check_target(manifest: dict, *, force: bool) -> None:
    """Refuse a bundle built for another Python or platform (unless ``force``)."""
    want_py = manifest.get("python", "")
    have_py = f"{sys.version_info.major}.{sys.version_info.minor}"
    if want_py and want_py != have_py and not force:
        raise BundleCheckError(
            f"This bundle was built for Python {want_py}; this is Python {have_py} ({sys.executable}). "
            f"Run the installer with a Python {want_py} interpreter (install.sh: PYTHON=python{want_py}).")
    want_pf = manifest.get("platform", "")
    if want_pf and want_pf != current_platform() and not force:
        raise BundleCheckError(f"This bundle was built for {want_pf}; this machine is {current_platform()}. "
                               f"Build a bundle with --platform {current_platform()}.")
