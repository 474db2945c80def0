"""After a session of use, no sentence a person typed is in the logs or in any file in the clear."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import log, paths
from desktop.storage import backup, db, security
from desktop.storage.conversations import ConversationStore
from desktop.errors import StorageError

SENTENCE = "Ms Adaeze Nwosu, 34, disclosed heroin use during her second pregnancy"
WORDS = ("Adaeze", "Nwosu", "heroin", "pregnancy")
TERM = "neonatal abstinence syndrome"


@pytest.fixture
def logging_to_home(home: Path) -> Iterator[Path]:
    root = log.setup(logging.DEBUG)
    yield paths.logs_dir()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root._termlens_configured = None  # type: ignore[attr-defined]


def _glossary_session(path: Path, key: bytes) -> None:
    try:
        from glossary.model import Concept, Term
        from glossary.store import GlossaryStore
    except ImportError:
        return
    concept = Concept(terms=[Term(text=TERM)], definitions={"en": SENTENCE}, note=SENTENCE)
    if "connect" in inspect.signature(GlossaryStore).parameters:
        store = GlossaryStore(path, connect=lambda *a, **k: db.connect(path, key))
    else:  # not wired to the encrypted database yet: exercise its logging only
        store = GlossaryStore(":memory:")
    with store:
        store.add_concept(concept)
        store.search("abstinence")


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_no_client_text_in_logs_database_wal_or_backups(home: Path, logging_to_home: Path, tmp_path: Path) -> None:
    km = security.KeyManager(home)
    key = km.ensure()
    path = home / "termlens.db"
    conn = db.connect(path, key)
    store = ConversationStore(conn)
    cid = store.create(SENTENCE[:40])
    q = store.add_message(cid, "user", SENTENCE, terms=[{"text": TERM}])
    a = store.add_message(cid, "assistant", f"Regarding {SENTENCE}: refer.", prompt={"system": SENTENCE}, stats={"tok_s": 30})
    store.update_message(a, f"Regarding {SENTENCE}: refer to the perinatal team.")
    store.delete_messages_after(cid, q)
    store.add_message(cid, "assistant", SENTENCE)
    assert store.list("heroin")
    store.write_export(cid, tmp_path / "export.md.enc", key=key)
    _glossary_session(path, key)
    backup.make_backup(key=key, home=home)
    with pytest.raises(StorageError):
        security.KeyManager(home, backend=None).change_passphrase(None, "short")

    logs = _files(logging_to_home)
    assert logs and any("conversation" in p.read_text(encoding="utf-8") for p in logs)  # the session was logged
    for p in logs:
        text = p.read_text(encoding="utf-8")
        for needle in (SENTENCE, *WORDS, TERM):
            assert needle not in text, f"{needle!r} in {p.name}"

    assert Path(f"{path}-wal").exists()  # the session's pages are in the WAL: check it while it is there
    stored = [p for p in _files(home) if p.suffix != ".log"] + [tmp_path / "export.md.enc"]
    for p in stored:
        raw = p.read_bytes()
        for needle in (SENTENCE, *WORDS, TERM):
            assert needle.encode() not in raw, f"{needle!r} in {p.name}"
    conn.close()
    for p in home.glob("termlens.db*"):
        assert b"Nwosu" not in p.read_bytes()
