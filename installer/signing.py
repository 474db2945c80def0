"""The manifest of a bundle, its own SHA-256, and its optional Ed25519 signature (build side).

``write_manifest`` checksums every file of a bundle into ``manifest.json`` (and the same
sums into ``SHA256SUMS`` for ``sha256sum -c``) and returns the manifest's own SHA-256,
which ``bundle`` prints for the administrator to compare on the target (``install.sh
verify`` prints it too; ``sha256sum manifest.json`` gives the same). With a private key
made by ``python -m installer keygen`` and kept by the administrator, the manifest is
also signed (``manifest.json.sig``, 64 raw bytes: what ``openssl pkeyutl -rawin`` reads),
and ``verify``/``install --public-key`` refuse any manifest the key did not sign.

Ed25519 through ``cryptography`` (already a TermLens dependency, for encryption at rest):
small keys, deterministic signatures, and ``openssl`` can check them where the target's
Python lacks the package.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from installer.bundle_check import MANIFEST, MANIFEST_FORMAT, NOT_LISTED, SIGNATURE, SUMS, sha256_file, sums_text


class SigningError(Exception):
    """The key cannot be made, read or used; the message says which file."""


def _files_of(root: Path) -> dict:
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel not in NOT_LISTED:
            files[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    return files


def write_manifest(root: Path, description: dict, *, sign_key: Path | None = None) -> dict:
    """Checksum every file under ``root`` and write ``manifest.json`` and ``SHA256SUMS`` there,
    and ``manifest.json.sig`` with ``sign_key``; the manifest returned carries its own SHA-256
    under ``manifest_sha256`` (not in the file: it cannot hold its own checksum)."""
    files = _files_of(root)
    manifest = {"format": MANIFEST_FORMAT, "product": "TermLens", **description,
                "total_bytes": sum(f["size"] for f in files.values()), "files": files}
    raw = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
    (root / MANIFEST).write_bytes(raw)
    (root / SUMS).write_text(sums_text(files), encoding="utf-8")
    (root / SIGNATURE).unlink(missing_ok=True)
    if sign_key is not None:
        (root / SIGNATURE).write_bytes(sign(raw, sign_key))
    return {**manifest, "manifest_sha256": hashlib.sha256(raw).hexdigest()}


def _private_key(path: Path):  # noqa: ANN202 - an Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise SigningError(f"The signing key {path} cannot be read ({exc.strerror}).") from exc
    except (ValueError, TypeError) as exc:
        raise SigningError(f"{path} is not an unencrypted PEM private key.") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} is not an Ed25519 private key; make one with: python -m installer keygen.")
    return key


def sign(data: bytes, private_key: Path) -> bytes:
    """The Ed25519 signature of ``data`` with the PEM key at ``private_key``."""
    return _private_key(private_key).sign(data)


def keygen(out: Path) -> tuple[Path, Path]:
    """A new Ed25519 key pair in the folder ``out``: ``bundle-signing.key`` (private, owner-only:
    keep it off the workstations) and ``bundle-signing.pub`` (give it to every workstation)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out = Path(out)
    private, public = out / "bundle-signing.key", out / "bundle-signing.pub"
    if private.exists() or public.exists():
        raise SigningError(f"{out} holds a signing key already; choose another folder (a key is never replaced).")
    out.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def add_arguments(sub) -> None:
    p = sub.add_parser("keygen", help="make an Ed25519 key pair to sign bundles (keep the private key safe)")
    p.add_argument("--out", type=Path, required=True, help="the folder for bundle-signing.key and bundle-signing.pub")

    def run(a) -> None:
        private, public = keygen(a.out)
        print(f"Private key: {private} (keep it on the build machine; sign with: bundle --sign-key {private})")
        print(f"Public key: {public} (give it to each workstation: install.sh --public-key {public.name})")

    p.set_defaults(func=run)
