"""What the window works with, opened once and passed in: settings, glossary store and
matcher, conversations, the token counter and the model thread.

No global state: ``open_context`` builds one ``AppContext`` that ``run_app`` hands to
``MainWindow``; ``close`` stops the model thread and closes the stores. The glossary
and the conversations live in the encrypted ``termlens.db``, opened through
``desktop.storage.appdata`` with the data key (which checks the database and restores a
damaged one from its backup first); ``notes`` holds what the person should be told
about that. The screenshot's context (``sample``) keeps everything in memory and
writes nothing: no key, no database, no settings. Runs on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import log, paths
from desktop.storage import config
from desktop.tokens import TokenCounter
from desktop.ui.conversation_source import open_conversations
from desktop.workers.model_worker import ModelThread, ModelWorker
from glossary.matcher import Matcher
from glossary.store import GlossaryStore

_log = log.get("ui")


@dataclass
class AppContext:
    settings: config.Settings
    store: GlossaryStore
    matcher: Matcher
    conversations: Any
    model_thread: ModelThread
    counter: TokenCounter
    model_dir: str
    persist: bool = True  # False for the screenshot run: nothing is written
    key: bytes | None = None  # the data key the stores were opened with (None: in memory)
    home: str = ""
    notes: list[str] = field(default_factory=list)  # restored from backup, old files moved in
    instance: Any = None  # the SingleInstance lock on the data directory, held while the window lives
    closed: bool = field(default=False, init=False)

    @property
    def worker(self) -> ModelWorker:
        return self.model_thread.worker

    def save_settings(self) -> None:
        if self.persist:
            config.save(self.settings)
            config.save_private(self.settings, self.conversations)  # encrypted, in the database

    def set_model_dir(self, path: str) -> None:
        """A new model is in use: count tokens with its tokenizer."""
        self.model_dir = path
        self.counter = TokenCounter(path)

    def reload_matcher(self) -> None:
        """Rebuild detection from the store (after a change made through another connection)."""
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
        self.matcher.detach()
        try:
            self.conversations.close()
        finally:
            self.store.close()


def _sample_store() -> GlossaryStore:
    """An in-memory glossary with the starter glossaries (or a few sample concepts)."""
    from desktop.ui.screenshot import seed_sample_glossary

    store = GlossaryStore(":memory:")
    seed_sample_glossary(store)
    return store


def open_context(*, model: str | None = None, sample: bool = False, worker: ModelWorker | None = None,
                 key: bytes | None = None, exclusive: bool | None = None) -> AppContext:
    """Open everything the window needs. ``sample``: a throwaway glossary and conversations.

    Otherwise the user's data, encrypted, with ``key`` (default: ``appdata.data_key()``);
    ``exclusive``: the caller holds the data directory (see ``appdata.prepare``). Raises
    ``StorageError`` (a sentence) when the data cannot be opened.
    """
    settings = config.load()
    if sample:
        store, conversations, notes, home = _sample_store(), open_conversations(in_memory=True), [], ""
    else:
        from desktop.storage import appdata

        data = appdata.open_user_data(key=key, exclusive=exclusive)
        store, conversations, notes, key = data.glossary, open_conversations(store=data.conversations), data.notes, data.key
        home = str(paths.home().resolve())
    try:
        if not sample:
            config.apply_private(settings, conversations)
        matcher = Matcher.from_store(store, follow=True, active_fields=settings.active_fields)
    except BaseException:
        conversations.close()
        store.close()
        raise
    model_dir = model or settings.model_path or str(paths.default_model_dir())
    return AppContext(
        settings=settings, store=store, matcher=matcher, conversations=conversations,
        model_thread=ModelThread(worker), counter=TokenCounter(model_dir), model_dir=str(Path(model_dir)),
        persist=not sample, key=None if sample else key, home=home, notes=notes,
    )
