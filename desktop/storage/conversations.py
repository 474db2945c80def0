"""Conversations and their messages, kept in the encrypted ``termlens.db``.

Each assistant answer keeps what produced it: ``prompt`` is exactly what the model
received for that answer (system prompt with its term block, history, question),
``terms`` the glossary hits detected in a question, ``stats`` the figures of the
generation (tokens per second, tokens, time to first token). They are stored as JSON
and come back as Python values.

``ConversationStore(conn)`` takes an open connection (``desktop.storage.db.connect``) in
autocommit mode and owns its schema through numbered migrations recorded in
``conv_migrations``, a namespace apart from the glossary's ``schema_migrations``.
Every change that touches more than one row runs in one transaction; ``transaction()``
lets a caller group several calls (a question and its answer, say) into one.
Database errors surface as ``StorageError`` sentences.

One thread at a time uses a store (the GUI thread owns it). Log lines carry ids and
lengths, never text. This module knows nothing of Qt or of the model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from desktop import log
from desktop.storage.db import storage_errors
from desktop.errors import StorageError, phrase
from glossary.migrations import recorded_migrations, run_migrations

_log = log.get("conversations")

ROLES = ("system", "user", "assistant")
_KEEP: Any = object()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


# --- migrations -------------------------------------------------------------------------


def m001_initial(db: Any) -> None:
    db.execute(
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            adapter TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX conversations_updated ON conversations(updated_at)")
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids grow, so "after" means a larger id
            conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            prompt_json TEXT,
            terms_json TEXT,
            stats_json TEXT
        )
        """
    )
    db.execute("CREATE INDEX messages_conversation ON messages(conversation_id, id)")


def m002_private_settings(db: Any) -> None:
    """Settings that may hold patient or client text (the instructions to the model), kept
    here, encrypted, instead of in ``config.toml``."""
    db.execute(
        """
        CREATE TABLE private_settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )


MIGRATIONS: list[Callable[[Any], None]] = [m001_initial, m002_private_settings]


def applied_migrations(db: Any) -> list[str]:
    return recorded_migrations(db, "conv_migrations")


def migrate(db: Any, upto: int | None = None) -> list[str]:
    """Apply the conversation migrations not yet applied; return their names."""
    with storage_errors(phrase("The conversation history")):
        return run_migrations(db, MIGRATIONS, table="conv_migrations", upto=upto, newer=StorageError.of(
            "Your conversations were saved by a newer version of TermLens; update TermLens to open them."))


# --- values -----------------------------------------------------------------------------


@dataclass
class Conversation:
    id: int
    title: str
    created_at: str
    updated_at: str
    adapter: str = ""
    model: str = ""
    message_count: int = 0


@dataclass
class Message:
    id: int
    conversation_id: int
    role: str
    content: str
    created_at: str
    prompt: Any = None
    terms: Any = None
    stats: Any = None


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_CONV_COLUMNS = (
    "c.id, c.title, c.created_at, c.updated_at, c.adapter, c.model,"
    " (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"
)
_MSG_COLUMNS = "id, conversation_id, role, content, created_at, prompt_json, terms_json, stats_json"


def _message(row: tuple) -> Message:
    return Message(row[0], row[1], row[2], row[3], row[4], _load(row[5]), _load(row[6]), _load(row[7]))


# --- the store ----------------------------------------------------------------------------


class ConversationStore:
    """Conversations in an open database connection. See the module docstring."""

    def __init__(self, conn: Any) -> None:
        self._db = conn
        self._depth = 0
        migrate(conn)

    def close(self) -> None:
        """Close the connection the store was given (the store is unusable afterwards)."""
        self._db.close()

    def __enter__(self) -> ConversationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One atomic unit: nested calls join the outer one. Inside another component's
        open transaction (a shared connection) it becomes a savepoint of that one."""
        if self._depth:
            self._depth += 1
            try:
                yield self._db
            finally:
                self._depth -= 1
            return
        with storage_errors(phrase("Your conversation")):
            own = not self._db.in_transaction
            self._db.execute("BEGIN IMMEDIATE" if own else "SAVEPOINT conversations")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._depth = 0
                if own:
                    self._db.execute("ROLLBACK")
                else:
                    self._db.execute("ROLLBACK TO conversations")
                    self._db.execute("RELEASE conversations")
                raise
            self._depth = 0
            try:
                self._db.execute("COMMIT" if own else "RELEASE conversations")
            except BaseException:
                if self._db.in_transaction and own:
                    self._db.execute("ROLLBACK")
                raise

    # -- private settings --

    def private_setting(self, name: str) -> str | None:
        """A setting kept in the encrypted database (see ``desktop.storage.config.PRIVATE``), or None."""
        with storage_errors(phrase("Your settings")):
            row = self._db.execute("SELECT value FROM private_settings WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_private_setting(self, name: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO private_settings (name, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (name, value, now_iso()),
            )

    def _touch(self, conv_id: int, when: str | None = None) -> None:
        cur = self._db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (when or now_iso(), conv_id))
        if cur.rowcount == 0:
            raise StorageError.of("That conversation no longer exists.")

    # -- conversations --

    def create(self, title: str = "", *, adapter: str = "", model: str = "") -> int:
        when = now_iso()
        with self.transaction() as db:
            cid = db.execute(
                "INSERT INTO conversations(title, created_at, updated_at, adapter, model) VALUES (?, ?, ?, ?, ?)",
                (title, when, when, adapter, model),
            ).lastrowid
        _log.info("conversation %d created", cid)
        return int(cid)

    def rename(self, conv_id: int, title: str) -> None:
        with self.transaction() as db:
            if db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conv_id)).rowcount == 0:
                raise StorageError.of("That conversation no longer exists.")

    def set_model(self, conv_id: int, *, model: str, adapter: str = "") -> None:
        """Record the model and adapter the conversation is held with."""
        with self.transaction() as db:
            if db.execute("UPDATE conversations SET model = ?, adapter = ? WHERE id = ?", (model, adapter, conv_id)).rowcount == 0:
                raise StorageError.of("That conversation no longer exists.")

    def delete(self, conv_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM messages WHERE conversation_id = ?", (conv_id,))
            db.execute("DELETE FROM conversations WHERE id = ?", (conv_id,))
        _log.info("conversation %d deleted", conv_id)

    def get(self, conv_id: int) -> Conversation:
        with storage_errors(phrase("Your conversation")):
            row = self._db.execute(f"SELECT {_CONV_COLUMNS} FROM conversations c WHERE c.id = ?", (conv_id,)).fetchone()
        if row is None:
            raise StorageError.of("That conversation no longer exists.")
        return Conversation(*row)

    def list(self, search: str | None = None, *, limit: int | None = None) -> list[Conversation]:
        """Conversations, most recently changed first; with ``search``, those whose title or
        any message contains it (case-insensitive for ASCII letters)."""
        sql = f"SELECT {_CONV_COLUMNS} FROM conversations c"
        args: list[Any] = []
        if search and search.strip():
            pattern = _like(search.strip())
            sql += (
                " WHERE c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m"
                " WHERE m.conversation_id = c.id AND m.content LIKE ? ESCAPE '\\')"
            )
            args += [pattern, pattern]
        sql += " ORDER BY c.updated_at DESC, c.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        with storage_errors(phrase("Your conversations")):
            return [Conversation(*row) for row in self._db.execute(sql, args)]

    # -- messages --

    def messages(self, conv_id: int) -> list[Message]:
        with storage_errors(phrase("Your conversation")):
            rows = self._db.execute(
                f"SELECT {_MSG_COLUMNS} FROM messages WHERE conversation_id = ? ORDER BY id", (conv_id,)
            ).fetchall()
        return [_message(r) for r in rows]

    def message(self, message_id: int) -> Message:
        with storage_errors(phrase("Your conversation")):
            row = self._db.execute(f"SELECT {_MSG_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise StorageError.of("That message no longer exists.")
        return _message(row)

    def add_message(
        self,
        conv_id: int,
        role: str,
        content: str,
        *,
        prompt: Any = None,
        terms: Any = None,
        stats: Any = None,
    ) -> int:
        """Append a message; ``prompt``, ``terms`` and ``stats`` are JSON-ready values."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        when = now_iso()
        with self.transaction() as db:
            self._touch(conv_id, when)
            mid = db.execute(
                "INSERT INTO messages(conversation_id, role, content, created_at, prompt_json, terms_json, stats_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (conv_id, role, content, when, _dump(prompt), _dump(terms), _dump(stats)),
            ).lastrowid
        _log.info("message %d (%s, %d chars) added to conversation %d", mid, role, len(content), conv_id)
        return int(mid)

    def update_message(
        self,
        message_id: int,
        content: str = _KEEP,
        *,
        prompt: Any = _KEEP,
        terms: Any = _KEEP,
        stats: Any = _KEEP,
    ) -> None:
        """Change what is given (an argument left out keeps its value; None clears it)."""
        sets: list[str] = []
        args: list[Any] = []
        if content is not _KEEP:
            sets.append("content = ?")
            args.append(content)
        for column, value in (("prompt_json", prompt), ("terms_json", terms), ("stats_json", stats)):
            if value is not _KEEP:
                sets.append(f"{column} = ?")
                args.append(_dump(value))
        with self.transaction() as db:
            row = db.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise StorageError.of("That message no longer exists.")
            if sets:
                db.execute(f"UPDATE messages SET {', '.join(sets)} WHERE id = ?", (*args, message_id))
                self._touch(row[0])

    def delete_messages_after(self, conv_id: int, message_id: int) -> int:
        """Delete the messages that follow ``message_id`` (not itself): for regenerate and
        edit-and-resend. Returns how many were deleted."""
        with self.transaction() as db:
            n = db.execute("DELETE FROM messages WHERE conversation_id = ? AND id > ?", (conv_id, message_id)).rowcount
            if n:
                self._touch(conv_id)
        return int(n)

    def import_history(self, data: Any) -> int:
        """Add the conversations of an older TermLens's ``conversations.json`` (already parsed),
        keeping their titles, times and messages; one transaction, so all or nothing.

        A conversation already here (same title and start time) is skipped, so an import
        that was interrupted after its commit can run again. Returns how many were added.
        Raises ``StorageError`` when ``data`` does not have that file's shape.
        """
        try:
            convs = list(data["conversations"])
            rows = [
                (str(c.get("title") or ""), str(c["created_at"]), str(c.get("updated_at") or c["created_at"]),
                 [(str(m["role"]), str(m.get("content") or ""), str(m.get("created_at") or c["created_at"]),
                   m.get("prompt"), m.get("terms"), m.get("stats")) for m in c.get("messages") or []])
                for c in convs
            ]
        except (KeyError, TypeError, AttributeError) as exc:
            raise StorageError.of("The old conversations file does not have the expected shape; it was left as it is.") from exc
        added = 0
        with self.transaction() as db:
            for title, created, updated, messages in rows:
                if db.execute("SELECT 1 FROM conversations WHERE title = ? AND created_at = ?", (title, created)).fetchone():
                    continue
                cid = db.execute(
                    "INSERT INTO conversations(title, created_at, updated_at) VALUES (?, ?, ?)", (title, created, updated)
                ).lastrowid
                for role, content, when, prompt, terms, stats in messages:
                    if role not in ROLES:
                        continue
                    db.execute(
                        "INSERT INTO messages(conversation_id, role, content, created_at, prompt_json, terms_json, stats_json)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (cid, role, content, when, _dump(prompt), _dump(terms), _dump(stats)),
                    )
                added += 1
        _log.info("%d conversations imported from an older conversations file", added)
        return added

    # -- export --

    def export_markdown(self, conv_id: int) -> str:
        """The conversation as Markdown: title, then each message under its speaker."""
        conv = self.get(conv_id)
        names = {"user": "You", "assistant": "TermLens", "system": "System"}
        lines = [f"# {conv.title or 'Conversation'}", ""]
        lines.append(f"_Started {conv.created_at[:16].replace('T', ' ')} UTC" + (f"; model {conv.model}" if conv.model else "")
                     + (f", adapter {conv.adapter}" if conv.adapter else "") + "_")
        lines.append("")
        for m in self.messages(conv_id):
            lines += [f"## {names.get(m.role, m.role)}", "", m.content.rstrip(), ""]
            found = _term_labels(m.terms)
            if found:
                lines += [f"_Terms: {', '.join(found)}_", ""]
        return "\n".join(lines).rstrip() + "\n"

    def write_export(self, conv_id: int, path: str | os.PathLike[str], *, key: bytes | None = None) -> None:
        """Save ``export_markdown`` to ``path`` atomically; encrypted (``crypto.encrypt_file``)
        when ``key`` is given."""
        data = self.export_markdown(conv_id).encode("utf-8")
        if key is not None:
            from desktop.storage.crypto import encrypt_file

            encrypt_file(data, path, key=key)
        else:
            from desktop.storage.atomic import write_bytes_atomic

            write_bytes_atomic(path, data)
        _log.info("conversation %d exported (%s)", conv_id, "encrypted" if key is not None else "plain")


def _term_labels(terms: Any) -> list[str]:
    """Readable names of detected terms, whatever shape the hits were stored in."""
    if not isinstance(terms, list):
        return []
    out: list[str] = []
    for t in terms:
        if isinstance(t, str):
            label = t
        elif isinstance(t, dict):
            label = str(t.get("preferred") or t.get("text") or t.get("term") or "")
        else:
            label = ""
        if label and label not in out:
            out.append(label)
    return out
