"""Conversations: migrations, messages with their prompt and terms, search, regenerate, export."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.storage import conversations, crypto
from desktop.storage.conversations import ConversationStore
from desktop.errors import StorageError

PROMPT = {
    "system": "You are TermLens.\n\nTerms:\n- HbA1c: glycated haemoglobin",
    "messages": [{"role": "user", "content": "Is an HbA1c of 9% high?"}],
}
HITS = [{"text": "HbA1c", "preferred": "glycated haemoglobin", "concept_id": 4, "start": 6, "end": 11}]


@pytest.fixture
def store(conn) -> ConversationStore:  # noqa: ANN001
    return ConversationStore(conn)


def test_migrations_are_numbered_recorded_apart_and_idempotent(conn) -> None:  # noqa: ANN001
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.execute("INSERT INTO schema_migrations VALUES ('m001_initial', 'x')")  # the glossary's own m001
    assert conversations.migrate(conn) == ["m001_initial", "m002_private_settings"]
    assert conversations.migrate(conn) == []
    ConversationStore(conn)
    assert conversations.applied_migrations(conn) == ["m001_initial", "m002_private_settings"]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(messages)")]
    assert cols == ["id", "conversation_id", "role", "content", "created_at", "prompt_json", "terms_json", "stats_json"]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(conversations)")]
    assert cols == ["id", "title", "created_at", "updated_at", "adapter", "model"]
    conn.execute("INSERT INTO conv_migrations VALUES ('m999_future', 'x')")
    with pytest.raises(StorageError, match="newer version"):
        ConversationStore(conn)


def test_a_question_and_its_answer_keep_prompt_terms_and_stats(store: ConversationStore) -> None:
    cid = store.create("HbA1c", model="Qwen2.5-7B-Instruct", adapter="cardio-v1")
    q = store.add_message(cid, "user", "Is an HbA1c of 9% high?", terms=HITS)
    a = store.add_message(cid, "assistant", "Yes; above 6.5% indicates diabetes.", prompt=PROMPT, stats={"tok_s": 41.5, "tokens": 12})
    msgs = store.messages(cid)
    assert [(m.id, m.role) for m in msgs] == [(q, "user"), (a, "assistant")]
    assert msgs[0].terms == HITS and msgs[0].prompt is None
    assert msgs[1].prompt == PROMPT and msgs[1].stats == {"tok_s": 41.5, "tokens": 12}
    conv = store.get(cid)
    assert (conv.model, conv.adapter, conv.message_count) == ("Qwen2.5-7B-Instruct", "cardio-v1", 2)


def test_rename_list_and_search_titles_and_text(store: ConversationStore) -> None:
    a = store.create("Discharge letter")
    b = store.create("Contract review")
    store.add_message(a, "user", "Draft a letter for Mr Quist after his CABG")
    store.add_message(b, "user", "Is clause 12 (100% liability) enforceable?")
    store.rename(b, "Lease, clause 12")
    assert [c.id for c in store.list()] == [b, a]  # most recently changed first
    assert [c.title for c in store.list("lease")] == ["Lease, clause 12"]
    assert [c.id for c in store.list("cabg")] == [a]
    assert [c.id for c in store.list("100%")] == [b]
    assert store.list("0_") == []  # wildcards are literal
    assert store.list("nowhere") == []
    assert len(store.list(limit=1)) == 1


def test_regenerate_and_edit_and_resend(store: ConversationStore) -> None:
    cid = store.create("t")
    q1 = store.add_message(cid, "user", "first")
    store.add_message(cid, "assistant", "answer 1")
    q2 = store.add_message(cid, "user", "second")
    store.add_message(cid, "assistant", "answer 2")
    assert store.delete_messages_after(cid, q2) == 1  # regenerate the last answer
    assert [m.content for m in store.messages(cid)] == ["first", "answer 1", "second"]
    store.update_message(q1, "first, edited", terms=HITS)  # edit-and-resend the first question
    store.delete_messages_after(cid, q1)
    [m] = store.messages(cid)
    assert (m.content, m.terms) == ("first, edited", HITS)
    store.update_message(q1, terms=None)
    assert store.message(q1).terms is None and store.message(q1).content == "first, edited"


def test_delete_removes_the_messages_too(store: ConversationStore, conn) -> None:  # noqa: ANN001
    cid = store.create("t")
    store.add_message(cid, "user", "x")
    store.delete(cid)
    assert store.list() == []
    assert conn.execute("SELECT count(*) FROM messages").fetchone() == (0,)
    with pytest.raises(StorageError, match="no longer exists"):
        store.get(cid)


def test_a_failed_group_leaves_nothing_behind(store: ConversationStore) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction():
            cid = store.create("half saved")
            store.add_message(cid, "user", "question")
            raise RuntimeError("the answer failed")
    assert store.list() == []
    with pytest.raises(StorageError):
        store.add_message(12345, "user", "to nowhere")
    with pytest.raises(ValueError):
        store.add_message(store.create("t"), "robot", "x")


def test_inside_another_components_transaction_it_joins_as_a_savepoint(store: ConversationStore, conn) -> None:  # noqa: ANN001
    conn.execute("BEGIN IMMEDIATE")
    cid = store.create("joined")
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.add_message(cid, "user", "undone")
            raise RuntimeError
    conn.execute("COMMIT")
    assert store.get(cid).message_count == 0


def test_export_markdown_plain_and_encrypted(tmp_path: Path, store: ConversationStore, key: bytes) -> None:
    cid = store.create("HbA1c question", model="SmolLM2")
    store.add_message(cid, "user", "Is an HbA1c of 9% high?", terms=HITS)
    store.add_message(cid, "assistant", "Yes.")
    text = store.export_markdown(cid)
    assert text.startswith("# HbA1c question\n")
    assert "## You\n\nIs an HbA1c of 9% high?" in text and "## TermLens\n\nYes." in text
    assert "_Terms: glycated haemoglobin_" in text
    store.write_export(cid, tmp_path / "c.md")
    assert (tmp_path / "c.md").read_text(encoding="utf-8") == text
    store.write_export(cid, tmp_path / "c.md.enc", key=key)
    assert b"HbA1c" not in (tmp_path / "c.md.enc").read_bytes()
    assert crypto.decrypt_file(tmp_path / "c.md.enc", key=key).decode() == text


def test_from_the_first_version_the_private_settings_arrive_and_nothing_is_lost(conn) -> None:  # noqa: ANN001
    assert conversations.migrate(conn, upto=1) == ["m001_initial"]
    conn.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('Kept', 'x', 'x')")
    store = ConversationStore(conn)  # opening applies m002
    assert conversations.applied_migrations(conn) == ["m001_initial", "m002_private_settings"]
    assert [c.title for c in store.list()] == ["Kept"]
    assert store.private_setting("system_prompt") is None
    store.set_private_setting("system_prompt", "Bed 4 is allergic to penicillin.")
    store.set_private_setting("system_prompt", "Bed 5 too.")  # replaced, not added
    assert store.private_setting("system_prompt") == "Bed 5 too."
    assert conn.execute("SELECT COUNT(*) FROM private_settings").fetchone()[0] == 1
