"""Moving a data directory to another computer: a bundle folder with the key wrapped by a passphrase.

``export_bundle`` writes the database as a consistent snapshot (still encrypted with the data
key) and the user's other files, with a manifest holding the data key wrapped by the
bundle's passphrase and the SHA-256 of every file. ``import_bundle`` checks every file
before it copies anything, refuses a folder that already holds data, and keeps the key the
way the target ``KeyManager`` keeps keys (the keyring, or a key file under the same
passphrase). It sits above ``desktop.storage.security`` and ``desktop.storage.db`` (both
are needed here, and neither needs this module). Knows nothing of Qt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from desktop import log
from desktop.errors import StorageError, phrase
from desktop.storage import db
from desktop.storage.atomic import storage_error, write_text_atomic
from desktop.storage.crypto import check_new_passphrase, unwrap_key, wrap_key
from desktop.storage.security import DB_NAME, KEYFILE_NAME, KeyManager

_log = log.get("security")

BUNDLE_MANIFEST = "termlens-bundle.json"
_NOT_CARRIED = {"logs", "cache", "backups", "models"}


def export_bundle(km: KeyManager, dest: str | os.PathLike[str], passphrase: str, *,
                  include_models: bool = False) -> Path:
    """Write a folder that carries ``km``'s data directory to another computer.

    Models, logs, caches and backups stay behind unless ``include_models``. Needs the key
    unlocked (or in the keyring).
    """
    check_new_passphrase(passphrase)
    key = km.unlock()
    out = Path(dest).expanduser().resolve()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StorageError.of("{folder} is not empty; choose a new or empty folder for the bundle.", folder=str(out))
    if out == km.home or km.home in out.parents:
        raise StorageError.of("Choose a folder outside the TermLens data directory for the bundle.")
    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    try:
        data = work / "data"
        data.mkdir(parents=True)
        if km.db_file.exists():
            db.snapshot(km.db_file, data / DB_NAME, key=key)
        for rel in _bundle_files(km.home, include_models=include_models):
            target = data / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(km.home / rel, target)
        manifest = {
            "format": "termlens-bundle",
            "version": 1,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "key": wrap_key(key, passphrase, km.kdf),
            "files": {p.relative_to(data).as_posix(): _sha256(p) for p in sorted(data.rglob("*")) if p.is_file()},
        }
        write_text_atomic(work / BUNDLE_MANIFEST, json.dumps(manifest, indent=2) + "\n")
        if out.exists():
            out.rmdir()
        os.replace(work, out)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise storage_error(exc, phrase("The bundle")) from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _log.info("bundle exported (%d files)", len(manifest["files"]))
    return out


def import_bundle(km: KeyManager, src: str | os.PathLike[str], passphrase: str) -> bytes:
    """Fill ``km``'s (empty) data directory from a bundle; keep its key in the keyring, or
    wrapped with the same passphrase when ``km`` has no secure keyring. Returns the key."""
    source = Path(src).expanduser().resolve()
    try:
        manifest = json.loads((source / BUNDLE_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StorageError.of("{folder} is not a TermLens bundle (its {manifest} is missing or unreadable).",
                              folder=str(source), manifest=BUNDLE_MANIFEST) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != "termlens-bundle":
        raise StorageError.of("{folder} is not a TermLens bundle.", folder=str(source))
    if manifest.get("version") != 1:
        raise StorageError.of("This bundle was written by a newer TermLens; update TermLens to import it.")
    key = unwrap_key(manifest.get("key") or {}, passphrase, what="this bundle")
    files: dict[str, str] = manifest.get("files") or {}
    data = source / "data"
    for rel, digest in files.items():
        p = (data / rel).resolve()
        if data.resolve() not in p.parents:
            raise StorageError.of("This bundle names files outside itself; it was not imported.")
        if not p.is_file() or _sha256(p) != digest:
            raise StorageError.of("The bundle is incomplete or damaged ({file} does not match); nothing was imported.",
                                  file=rel)
    if km.db_file.exists() or km.keyfile.exists():
        raise StorageError.of(
            "{home} already holds TermLens data; import into an empty data directory, or move it away first.",
            home=str(km.home)
        )
    km.home.mkdir(parents=True, exist_ok=True)
    # The database goes last: its presence marks a finished import.
    ordered = sorted(files, key=lambda r: r == DB_NAME)
    try:
        for rel in ordered:
            target = km.home / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.import")
            shutil.copy2(data / rel, tmp)
            os.replace(tmp, target)
    except OSError as exc:
        raise storage_error(exc, phrase("The imported data")) from exc
    if km.db_file.exists():
        conn = db.connect(km.db_file, key=key)
        try:
            if not db.integrity_check(conn):
                raise StorageError.of("The database in the bundle is damaged; it was copied but should not be trusted.")
        finally:
            conn.close()
    km.keep(key, passphrase)
    _log.info("bundle imported (%d files)", len(files))
    return key


def _bundle_files(home: Path, *, include_models: bool) -> list[Path]:
    """The files of a data directory that a bundle carries (relative paths), besides the database."""
    out: list[Path] = []
    for p in sorted(home.rglob("*")):
        rel = p.relative_to(home)
        top = rel.parts[0]
        if not p.is_file() or p.is_symlink():
            continue
        if top in _NOT_CARRIED and not (include_models and top == "models"):
            continue
        name = rel.name
        if rel == Path(KEYFILE_NAME) or name.startswith(".") or name.startswith(DB_NAME) or name == "termlens.lock":
            continue
        out.append(rel)
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
