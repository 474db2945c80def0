"""Where the window keeps its conversations: the encrypted ``termlens.db``
(``desktop.storage.conversations.ConversationStore``, opened through ``desktop.storage.appdata``), or,
for the screenshot, a throwaway set in memory that is never written anywhere.

``open_conversations`` picks one. Both speak the same small API (``create``,
``rename``, ``delete``, ``list``, ``messages``, ``add_message``, ``update_message``,
``delete_messages_after``, ``export_markdown``, ``close``) and hand back plain dicts, so
the widgets do not care which one is in use. A ``conversations.json`` written in the
clear by an older TermLens is moved into the encrypted database once and deleted
(``desktop.storage.appdata.move_in_legacy_conversations``). Runs on the GUI thread; knows
nothing of widgets.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone
from typing import Any


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _as_dict(row: Any) -> dict:
    if isinstance(row, dict):
        return dict(row)
    if is_dataclass(row):
        return asdict(row)
    if hasattr(row, "keys"):
        return {k: row[k] for k in row.keys()}
    return dict(vars(row))


def markdown_for(title: str, messages: list[dict]) -> str:
    """A conversation as Markdown: a heading, then each message under its speaker."""
    out = [f"# {title}", ""]
    for m in messages:
        who = {"user": "You", "assistant": "TermLens"}.get(m["role"], m["role"])
        out += [f"## {who}", "", m["content"].rstrip(), ""]
        terms = m.get("terms") or []
        if m["role"] == "user" and terms:
            out.append("Terms: " + ", ".join(f"{t.get('text')} → {t.get('preferred')}" for t in terms))
            out.append("")
    return "\n".join(out).rstrip() + "\n"


class MemoryConversations:
    """Conversations kept in memory only (the screenshot's sample): nothing is written."""

    def __init__(self) -> None:
        self._data: dict = {"next_id": 1, "conversations": []}
        self._private: dict[str, str] = {}

    def private_setting(self, name: str) -> str | None:
        return self._private.get(name)

    def set_private_setting(self, name: str, value: str) -> None:
        self._private[name] = value

    def _save(self) -> None:
        pass  # by design: this set is thrown away with the window

    def _next_id(self) -> int:
        i = self._data["next_id"]
        self._data["next_id"] = i + 1
        return i

    def _conv(self, conv_id: int) -> dict:
        for c in self._data["conversations"]:
            if c["id"] == conv_id:
                return c
        raise KeyError(conv_id)

    # -- API --
    def create(self, title: str) -> int:
        cid = self._next_id()
        self._data["conversations"].append(
            {"id": cid, "title": title, "created_at": _now(), "updated_at": _now(), "messages": []})
        self._save()
        return cid

    def rename(self, conv_id: int, title: str) -> None:
        self._conv(conv_id)["title"] = title
        self._save()

    def delete(self, conv_id: int) -> None:
        self._data["conversations"] = [c for c in self._data["conversations"] if c["id"] != conv_id]
        self._save()

    def list(self, search: str | None = None) -> list[dict]:
        convs = sorted(self._data["conversations"], key=lambda c: (c["updated_at"], c["id"]), reverse=True)
        if search:
            q = search.casefold()
            convs = [c for c in convs if q in c["title"].casefold()
                     or any(q in m["content"].casefold() for m in c["messages"])]
        return [{"id": c["id"], "title": c["title"], "updated_at": c["updated_at"]} for c in convs]

    def messages(self, conv_id: int) -> list[dict]:
        return [dict(m) for m in self._conv(conv_id)["messages"]]

    def add_message(self, conv_id: int, role: str, content: str, *, prompt: str | None = None,
                    terms: list | None = None, stats: dict | None = None) -> int:
        c = self._conv(conv_id)
        mid = self._next_id()
        c["messages"].append({"id": mid, "role": role, "content": content, "prompt": prompt,
                              "terms": terms, "stats": stats, "created_at": _now()})
        c["updated_at"] = _now()
        self._save()
        return mid

    def update_message(self, message_id: int, **changes: Any) -> None:
        for c in self._data["conversations"]:
            for m in c["messages"]:
                if m["id"] == message_id:
                    m.update({k: v for k, v in changes.items() if v is not None})
                    c["updated_at"] = _now()
                    self._save()
                    return

    def delete_messages_after(self, conv_id: int, message_id: int) -> None:
        c = self._conv(conv_id)
        c["messages"] = [m for m in c["messages"] if m["id"] <= message_id]
        self._save()

    def export_markdown(self, conv_id: int) -> str:
        c = self._conv(conv_id)
        return markdown_for(c["title"], c["messages"])

    def close(self) -> None:
        pass


class StoreConversations:
    """``desktop.storage.conversations.ConversationStore`` behind the same dict-returning API."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def private_setting(self, name: str) -> str | None:
        return self._store.private_setting(name)

    def set_private_setting(self, name: str, value: str) -> None:
        self._store.set_private_setting(name, value)

    def create(self, title: str) -> int:
        return int(self._store.create(title))

    def rename(self, conv_id: int, title: str) -> None:
        self._store.rename(conv_id, title)

    def delete(self, conv_id: int) -> None:
        self._store.delete(conv_id)

    def list(self, search: str | None = None) -> list[dict]:
        return [_as_dict(r) for r in self._store.list(search=search)]

    def messages(self, conv_id: int) -> list[dict]:
        return [_as_dict(r) for r in self._store.messages(conv_id)]

    def add_message(self, conv_id: int, role: str, content: str, **kw: Any) -> int:
        return int(self._store.add_message(conv_id, role, content, **kw))

    def update_message(self, message_id: int, **changes: Any) -> None:
        self._store.update_message(message_id, **{k: v for k, v in changes.items() if v is not None})

    def delete_messages_after(self, conv_id: int, message_id: int) -> None:
        self._store.delete_messages_after(conv_id, message_id)

    def export_markdown(self, conv_id: int) -> str:
        return self._store.export_markdown(conv_id)

    def close(self) -> None:
        self._store.close()


def open_conversations(*, in_memory: bool = False, store: Any = None,
                       key: bytes | None = None) -> MemoryConversations | StoreConversations:
    """The conversations of this data directory, encrypted at rest: ``store`` (an open
    ``ConversationStore``) or one opened with ``key`` through ``desktop.storage.appdata``.
    ``in_memory``: a throwaway set for the screenshot, never written."""
    if in_memory:
        return MemoryConversations()
    if store is None:
        from desktop.storage import appdata

        store = appdata.open_conversations(key=key)
    return StoreConversations(store)
