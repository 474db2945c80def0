"""The window's view of its conversations: the encrypted ``termlens.db``
(``desktop.storage.conversations.ConversationStore``, opened through ``desktop.storage.appdata``)
behind a small API that hands back plain dicts (``create``, ``rename``, ``delete``, ``list``,
``messages``, ``add_message``, ``update_message``, ``delete_messages_after``,
``export_markdown``, ``close``), so the widgets never see database rows. A
``conversations.json`` written in the clear by an older TermLens is moved into the encrypted
database once and deleted (``desktop.storage.appdata.move_in_legacy_conversations``). Runs
on the GUI thread; knows nothing of widgets.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any


def _as_dict(row: Any) -> dict:
    if isinstance(row, dict):
        return dict(row)
    if is_dataclass(row):
        return asdict(row)
    if hasattr(row, "keys"):
        return {k: row[k] for k in row.keys()}
    return dict(vars(row))


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
