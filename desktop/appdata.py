"""Opening the app's stores: the glossary (and, through desktop.conversations, the chats)
in ``termlens.db`` under the data directory.

A brand-new data directory gets the starter glossaries (medicine, law, finance) so
that term detection works from the first question. Knows nothing of Qt or torch.
"""

from __future__ import annotations

from desktop import log, paths
from glossary.store import GlossaryStore

_log = log.get("appdata")


def open_glossary(*, seed_starters: bool = True) -> GlossaryStore:
    """The user's glossary; on first use, loaded with the starter glossaries."""
    fresh = not paths.db_path().exists()
    store = GlossaryStore(paths.db_path())
    if fresh and seed_starters and store.count() == 0:
        try:
            from glossary.importer import load_starter

            n = load_starter(store)
            _log.info("new data directory: loaded %d starter concepts", n)
        except Exception as exc:  # noqa: BLE001 - an empty glossary still works
            _log.warning("starter glossaries not loaded: %s", type(exc).__name__)
    return store
