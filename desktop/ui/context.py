"""What the window works with, opened once and passed in: settings, glossary store and
matcher, conversations, the token counter and the model thread.

No global state: the composition root (``desktop.app``) opens storage, builds one
``AppContext`` and hands it to ``MainWindow``; ``close`` stops the model thread and closes
the stores. The glossary and the conversations live in the encrypted ``termlens.db``;
``notes`` holds what the person should be told about opening it (a restored backup, old
files moved in). ``matcher`` is None while the detection index is still being built in the
background (``desktop.ui.startup``): questions are then answered without detection. Runs
on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop import log
from desktop.storage import config
from desktop.tokens import TokenCounter
from desktop.workers.model_worker import ModelThread, ModelWorker
from glossary.matcher import Matcher
from glossary.store import GlossaryStore

_log = log.get("ui")


@dataclass
class AppContext:
    settings: config.Settings
    store: GlossaryStore
    matcher: Matcher | None  # None until the detection index is built
    conversations: Any
    model_thread: ModelThread
    counter: TokenCounter
    model_dir: str
    key: bytes | None = None  # the data key the stores were opened with
    home: str = ""
    notes: list[str] = field(default_factory=list)  # restored from backup, old files moved in
    instance: Any = None  # the SingleInstance lock on the data directory, held while the window lives
    closed: bool = field(default=False, init=False)

    @property
    def worker(self) -> ModelWorker:
        return self.model_thread.worker

    def save_settings(self) -> None:
        config.save(self.settings)
        config.save_private(self.settings, self.conversations)  # encrypted, in the database

    def set_model_dir(self, path: str) -> None:
        """A new model is in use: count tokens with its tokenizer."""
        self.model_dir = path
        self.counter = TokenCounter(path)

    def reload_matcher(self) -> None:
        """Rebuild detection from the store (after a change made through another connection)."""
        if self.matcher is None:
            return  # still being built: desktop.ui.startup's indexer starts again on this change
        self.matcher.detach()
        self.matcher = Matcher.from_store(self.store, follow=True, active_fields=self.settings.active_fields)

    def passphrase_set(self) -> bool:
        """Whether the data is protected by a passphrase (then unlocking the window asks for it)."""
        if self.key is None:
            return False
        from desktop.storage import security

        return security.KeyManager(self.home, backend=None).status() == "passphrase-needed"

    def check_passphrase(self, passphrase: str) -> bool:
        """Whether ``passphrase`` is the one that protects this data (Argon2id: takes a moment)."""
        from desktop.storage import security
        from desktop.errors import StorageError

        if self.key is None or not passphrase:
            return False
        try:
            return security.KeyManager(self.home, backend=None).unlock(passphrase) == self.key
        except StorageError:
            return False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.model_thread.shutdown()
        if self.matcher is not None:
            self.matcher.detach()
        try:
            self.conversations.close()
        finally:
            self.store.close()
