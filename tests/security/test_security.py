"""Key management, passphrases, encrypted files, bundles and the ``security`` command."""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.storage import crypto, db, keyrings, security
from desktop.storage.bundle import export_bundle, import_bundle
from desktop.storage.conversations import ConversationStore
from desktop.errors import StorageError
from desktop.storage.crypto import WrongPassphrase
from desktop.storage.security import KeyManager, PassphraseRequired

SECRET = "Mrs Okafor, 62, disclosed a fall at home on 3 March"
PASS = "correct horse battery"
REPO = Path(__file__).resolve().parents[2]


# --- keyring or passphrase --------------------------------------------------------------


def test_new_key_goes_to_the_keyring_and_unlocks_again(home: Path) -> None:
    km = KeyManager(home)
    assert km.status() == "new"
    key = km.create()
    assert len(key) == 32
    assert km.status() == "keyring"
    assert not km.keyfile.exists()
    assert KeyManager(home).unlock() == key
    entry = keyrings.memory_keyring().get_password(security.SERVICE, km.entry)
    assert entry == key.hex() and str(home.resolve()) in km.entry


def test_each_data_directory_has_its_own_key(tmp_path: Path) -> None:
    a, b = KeyManager(tmp_path / "a").ensure(), KeyManager(tmp_path / "b").ensure()
    assert a != b


def test_without_a_keyring_a_passphrase_is_needed_never_plaintext(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERMLENS_KEYRING", "none")
    km = KeyManager(home)
    assert not km.has_secure_keyring()
    assert km.status() == "new"
    with pytest.raises(PassphraseRequired, match="passphrase"):
        km.create()
    assert sorted(p.name for p in home.iterdir()) == []  # nothing written, least of all the key
    key = km.create(PASS)
    doc = km.keyfile.read_text()
    assert key.hex() not in doc and base64.b64encode(key).decode() not in doc
    assert json.loads(doc)["kdf"]["name"] == "argon2id"
    fresh = KeyManager(home)
    assert fresh.status() == "passphrase-needed"
    with pytest.raises(PassphraseRequired):
        fresh.unlock()
    assert fresh.unlock(PASS) == key


def test_plaintext_and_failing_keyrings_are_not_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import chainer, fail, null
    from keyrings.alt.file import PlaintextKeyring

    class OsKeyring:
        priority = 5

    assert not keyrings.is_secure_backend(PlaintextKeyring())
    assert not keyrings.is_secure_backend(fail.Keyring())
    assert not keyrings.is_secure_backend(null.Keyring())
    assert not keyrings.is_secure_backend(None)
    assert keyrings.is_secure_backend(OsKeyring())
    assert keyrings.is_secure_backend(keyrings.MemoryKeyring())
    chain = chainer.ChainerBackend.__new__(chainer.ChainerBackend)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [OsKeyring(), PlaintextKeyring()], raising=False)
    assert not keyrings.is_secure_backend(chain)
    monkeypatch.delenv("TERMLENS_KEYRING")
    monkeypatch.setattr(keyring, "get_keyring", lambda: PlaintextKeyring())
    assert keyrings.default_backend() is None
    monkeypatch.setattr(keyring, "get_keyring", lambda: OsKeyring())
    assert isinstance(keyrings.default_backend(), OsKeyring)


def test_wrong_passphrase_is_refused_with_a_sentence(home: Path) -> None:
    KeyManager(home, backend=None).create(PASS)
    with pytest.raises(WrongPassphrase) as err:
        KeyManager(home, backend=None).unlock("not the passphrase")
    assert isinstance(err.value, StorageError)
    assert "passphrase does not unlock" in str(err.value)


def test_change_passphrase_new_works_old_fails_data_still_opens(home: Path) -> None:
    km = KeyManager(home, backend=None)
    key = km.create(PASS)
    db.connect(home / "termlens.db", key).execute("CREATE TABLE t(x)")
    with pytest.raises(WrongPassphrase):
        km.change_passphrase("wrong passphrase", "a new passphrase")
    km.change_passphrase(PASS, "a new passphrase")
    with pytest.raises(WrongPassphrase):
        KeyManager(home, backend=None).unlock(PASS)
    again = KeyManager(home, backend=None).unlock("a new passphrase")
    assert again == key
    assert db.connect(home / "termlens.db", again).execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_passphrase_can_replace_the_keyring_and_back(home: Path) -> None:
    km = KeyManager(home)
    key = km.create()
    km.change_passphrase(None, PASS)
    assert km.status() == "passphrase-needed"
    assert keyrings.memory_keyring().get_password(security.SERVICE, km.entry) is None
    assert KeyManager(home).unlock(PASS) == key
    km.remove_passphrase(PASS)
    assert km.status() == "keyring" and not km.keyfile.exists()
    assert KeyManager(home).unlock() == key


def test_setting_a_passphrase_before_first_use_creates_the_key(home: Path) -> None:
    km = KeyManager(home)
    km.change_passphrase(None, PASS)
    assert km.status() == "passphrase-needed"
    assert KeyManager(home).unlock(PASS) == km.unlock()


def test_short_passphrase_refused(home: Path) -> None:
    with pytest.raises(StorageError, match="at least 8"):
        KeyManager(home, backend=None).create("short")


def test_existing_key_is_never_replaced_and_a_lost_key_is_named(home: Path) -> None:
    km = KeyManager(home)
    key = km.create()
    with pytest.raises(StorageError, match="already has a key"):
        km.create()
    db.connect(home / "termlens.db", key).close()
    keyrings.memory_keyring().entries.clear()
    lost = KeyManager(home)
    assert lost.status() == "key-missing"
    with pytest.raises(StorageError, match="key .* is missing"):
        lost.unlock()
    with pytest.raises(StorageError):
        lost.create()


def test_stored_kdf_settings_are_used_and_the_default_is_strong(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    strong = crypto.KdfParams()
    assert strong.memory_cost >= 64 * 1024 and strong.time_cost >= 3
    km = KeyManager(home, backend=None, kdf=crypto.KdfParams(time_cost=2, memory_cost=2048, parallelism=1))
    key = km.create(PASS)
    assert json.loads(km.keyfile.read_text())["kdf"]["memory_cost"] == 2048
    assert KeyManager(home, backend=None).unlock(PASS) == key


def test_a_key_file_with_absurd_costs_is_refused_quickly(home: Path) -> None:
    km = KeyManager(home, backend=None)
    km.create(PASS)
    doc = json.loads(km.keyfile.read_text())
    doc["kdf"]["memory_cost"] = 2**40
    km.keyfile.write_text(json.dumps(doc))
    with pytest.raises(StorageError, match="damaged"):
        KeyManager(home, backend=None).unlock(PASS)


# --- encrypted files --------------------------------------------------------------------


def test_encrypted_file_round_trip_has_no_plaintext(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "train.jsonl.enc"
    data = (json.dumps({"q": SECRET, "a": "noted"}) + "\n").encode() * 50
    crypto.encrypt_file(data, path, key=key)
    raw = path.read_bytes()
    assert raw.startswith(crypto.FILE_MAGIC) and SECRET.encode() not in raw
    assert crypto.is_encrypted_file(path)
    assert crypto.decrypt_file(path, key=key) == data


def test_changed_or_foreign_encrypted_file_is_refused(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "report.enc"
    crypto.encrypt_file(b"evaluation of " + SECRET.encode(), path, key=key)
    with pytest.raises(StorageError, match="cannot be decrypted"):
        crypto.decrypt_file(path, key=bytes(32))
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(StorageError, match="changed or damaged"):
        crypto.decrypt_file(path, key=key)
    plain = tmp_path / "plain.txt"
    plain.write_text("hello")
    with pytest.raises(StorageError, match="not a TermLens encrypted file"):
        crypto.decrypt_file(plain, key=key)


# --- bundles ----------------------------------------------------------------------------


def _fill(home: Path, key: bytes) -> None:
    conn = db.connect(home / "termlens.db", key)
    store = ConversationStore(conn)
    cid = store.create("Ward round")
    store.add_message(cid, "user", SECRET)
    conn.close()
    (home / "reports").mkdir()
    crypto.encrypt_file(SECRET.encode(), home / "reports" / "eval.json.enc", key=key)
    (home / "config.toml").write_text('language = "en"\n')
    (home / "logs").mkdir()
    (home / "logs" / "termlens.log").write_text("events only\n")


def test_export_import_round_trip(tmp_path: Path, home: Path, key: bytes) -> None:
    _fill(home, key)
    bundle = export_bundle(KeyManager(home), tmp_path / "bundle", "bundle passphrase")
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert files == ["data/config.toml", "data/reports/eval.json.enc", "data/termlens.db", "termlens-bundle.json"]
    for p in bundle.rglob("*"):
        if p.is_file():
            assert SECRET.encode() not in p.read_bytes()
            assert key.hex().encode() not in p.read_bytes()

    other = tmp_path / "other machine"
    with pytest.raises(WrongPassphrase):
        import_bundle(KeyManager(other, backend=None), bundle, "wrong passphrase")
    assert not (other / "termlens.db").exists()

    km = KeyManager(other, backend=None)
    import_bundle(km, bundle, "bundle passphrase")
    assert km.status() == "passphrase-needed"
    new_key = KeyManager(other, backend=None).unlock("bundle passphrase")
    assert new_key == key
    conn = db.connect(other / "termlens.db", new_key)
    msgs = ConversationStore(conn).messages(1)
    assert [m.content for m in msgs] == [SECRET]
    conn.close()
    assert crypto.decrypt_file(other / "reports" / "eval.json.enc", key=new_key) == SECRET.encode()

    third = tmp_path / "third"
    km3 = KeyManager(third)  # the memory keyring
    import_bundle(km3, bundle, "bundle passphrase")
    assert km3.status() == "keyring" and KeyManager(third).unlock() == key


def test_import_refuses_a_damaged_bundle_and_a_full_directory(tmp_path: Path, home: Path, key: bytes) -> None:
    _fill(home, key)
    bundle = export_bundle(KeyManager(home), tmp_path / "bundle", "bundle passphrase")
    with pytest.raises(StorageError, match="already holds"):
        import_bundle(KeyManager(home), bundle, "bundle passphrase")
    with pytest.raises(StorageError, match="not empty"):
        export_bundle(KeyManager(home), bundle, "bundle passphrase")
    cfg = bundle / "data" / "config.toml"
    cfg.write_text("changed\n")
    target = tmp_path / "fresh"
    with pytest.raises(StorageError, match="damaged"):
        import_bundle(KeyManager(target), bundle, "bundle passphrase")
    assert not (target / "termlens.db").exists()
    with pytest.raises(StorageError, match="not a TermLens bundle"):
        import_bundle(KeyManager(target), tmp_path, "bundle passphrase")


# --- the command ------------------------------------------------------------------------


def _run(*argv: str) -> int:
    from desktop.commands import security_cmd

    parser = argparse.ArgumentParser()
    security_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_command_status_change_export_import_backup_check(
    tmp_path: Path, home: Path, key: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(home, key)
    assert _run("security", "status") == 0
    assert "system keyring" in capsys.readouterr().out

    monkeypatch.setenv("TERMLENS_NEW_PASSPHRASE", "first passphrase")
    assert _run("security", "change-passphrase") == 0
    monkeypatch.setenv("TERMLENS_PASSPHRASE", "wrong one!")
    monkeypatch.setenv("TERMLENS_BUNDLE_PASSPHRASE", "bundle passphrase")
    assert _run("security", "backup") == 2
    assert "passphrase does not unlock" in capsys.readouterr().err
    monkeypatch.setenv("TERMLENS_PASSPHRASE", "first passphrase")
    assert _run("security", "backup") == 0
    assert _run("security", "check") == 0
    assert _run("security", "export", "--out", str(tmp_path / "b")) == 0
    out = capsys.readouterr()
    assert "The database is sound." in out.out
    for secret in ("first passphrase", "bundle passphrase"):
        assert secret not in out.out + out.err

    monkeypatch.setenv("TERMLENS_HOME", str(tmp_path / "moved"))
    assert _run("security", "import", "--from", str(tmp_path / "b")) == 0
    assert "Imported" in capsys.readouterr().out
    assert KeyManager(tmp_path / "moved").unlock() == key


def test_security_modules_import_neither_qt_nor_torch() -> None:
    code = (
        "import sys\n"
        "import desktop.storage.security, desktop.storage.db, desktop.storage.conversations, desktop.storage.backup, desktop.storage.instance, desktop.storage.atomic\n"
        "import desktop.commands.security_cmd\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'torch', 'transformers')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
