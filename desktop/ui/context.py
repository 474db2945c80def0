"""What the window works with, opened once and passed in: settings, glossary store and
matcher, conversations, the token counter and the model thread.

No global state: ``open_context`` builds one ``AppContext`` that ``run_app`` hands to
``MainWindow``; ``close`` stops the model thread and closes the stores. Runs on the
GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import config, log, paths
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
    closed: bool = field(default=False, init=False)

    @property
    def worker(self) -> ModelWorker:
        return self.model_thread.worker

    def save_settings(self) -> None:
        if self.persist:
            config.save(self.settings)

    def set_model_dir(self, path: str) -> None:
        """A new model is in use: count tokens with its tokenizer."""
        self.model_dir = path
        self.counter = TokenCounter(path)

    def reload_matcher(self) -> None:
        """Rebuild detection from the store (after a change made through another connection)."""
        self.matcher.detach()
        self.matcher = Matcher.from_store(self.store, follow=True, active_fields=self.settings.active_fields)

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


def open_context(*, model: str | None = None, sample: bool = False, worker: ModelWorker | None = None) -> AppContext:
    """Open everything the window needs. ``sample``: a throwaway glossary and conversations."""
    settings = config.load()
    if sample:
        store = _sample_store()
    else:
        from desktop.appdata import open_glossary

        store = open_glossary()
    matcher = Matcher.from_store(store, follow=True, active_fields=settings.active_fields)
    model_dir = model or settings.model_path or str(paths.default_model_dir())
    return AppContext(
        settings=settings, store=store, matcher=matcher, conversations=open_conversations(in_memory=sample),
        model_thread=ModelThread(worker), counter=TokenCounter(model_dir), model_dir=str(Path(model_dir)),
        persist=not sample,
    )
