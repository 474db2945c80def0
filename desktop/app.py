"""The composition root: opens storage, builds the matcher and the model thread, and hands
them to the window.

``run`` is what ``main.py`` calls with no subcommand. In order: take the data directory
(a second TermLens on it is refused with a sentence), get the data key (from the
keyring, or a passphrase asked in a dialog; where no secure keyring exists the person is
offered to choose one, never plaintext), check the database (restoring the last good
backup when it is damaged, and saying so), open the encrypted stores, and show the window
at once; the matcher's index is built, the model loaded and the daily backup taken
afterwards, in the background (see ``desktop.ui.startup``).

``--screenshot FILE`` runs this same path on a temporary data folder (an in-process
keyring, the starter glossaries a new data directory gets, a sample conversation added
through the conversation store) and renders the window into a PNG; the folder is deleted
afterwards, so nothing is written to the person's data.

This is the one module that knows every layer: storage, engine (the stale-download sweep,
the default model folder), workers (the model thread) and ui (the window). Nothing imports
it but ``main.py`` and tests.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from desktop import paths
from desktop.errors import StorageError
from desktop.storage import config
from desktop.tokens import TokenCounter
from desktop.ui.context import AppContext
from desktop.ui.conversation_source import StoreConversations
from desktop.workers.model_worker import ModelThread, ModelWorker
from glossary.matcher import Matcher
from glossary.store import GlossaryStore


def open_context(*, model: str | None = None, worker: ModelWorker | None = None, key: bytes | None = None,
                 exclusive: bool | None = None, build_matcher: bool = True) -> AppContext:
    """Open everything the window needs on the current data directory, encrypted with ``key``
    (default: ``appdata.data_key()``); ``exclusive``: the caller holds the data directory (see
    ``appdata.prepare``). The daily backup is not taken here: the window starts it in the
    background. ``build_matcher=False`` leaves ``ctx.matcher`` None for the window to build
    off the GUI thread. Raises ``StorageError`` (a sentence) when the data cannot be opened."""
    from desktop.storage import appdata

    settings = config.load()
    data = appdata.open_user_data(key=key, exclusive=exclusive, backup=False)
    store, conversations = data.glossary, StoreConversations(data.conversations)
    try:
        config.apply_private(settings, conversations)
        matcher = Matcher.from_store(store, active_fields=settings.active_fields) if build_matcher else None
    except BaseException:
        conversations.close()
        store.close()
        raise
    model_dir = model or settings.model_path or str(paths.default_model_dir())
    return AppContext(
        settings=settings, store=store, matcher=matcher, conversations=conversations,
        model_thread=ModelThread(worker), counter=TokenCounter(model_dir), model_dir=str(Path(model_dir)),
        key=data.key, home=str(paths.home().resolve()), notes=data.notes,
    )


def build_matcher_for(store: GlossaryStore, settings: config.Settings) -> Matcher:
    """The detection index of ``store``'s concepts, read through a connection of its own, so
    that it can be built on another thread; the caller attaches it (``Matcher.follow``)."""
    reader = GlossaryStore(store.path, connect=store.connect)
    try:
        return Matcher(reader.iter_concepts(), active_fields=settings.active_fields)
    finally:
        reader.close()


def run(*, screenshot: str | None = None, lang: str | None = None, model: str | None = None) -> int:
    """Open the main window (or, with ``screenshot``, render it into a PNG and exit)."""
    from desktop.ui.app import display_problem

    if screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if screenshot:
        return _screenshot(Path(screenshot), lang=lang, model=model)
    return _window(lang=lang, model=model)


def _window(*, lang: str | None, model: str | None) -> int:
    from PySide6.QtWidgets import QMessageBox

    from desktop.engine.fetch import remove_stale_work
    from desktop.storage.instance import SingleInstance
    from desktop.ui.app import make_app, set_language
    from desktop.ui.passphrase_dialog import obtain_key
    from desktop.ui.startup import show_window

    app = make_app()
    language = set_language(app, lang)
    title = app.translate("PassphraseDialog", "TermLens")
    guard = SingleInstance()
    try:
        guard.acquire()
    except StorageError as exc:
        QMessageBox.information(None, title, str(exc))
        return 1
    key = obtain_key()
    if key is None:
        return 1
    remove_stale_work()  # a model conversion killed half-way leaves the previous model in place
    try:
        ctx = open_context(model=model, key=key, exclusive=True, build_matcher=False)
    except StorageError as exc:
        QMessageBox.critical(None, title, str(exc))
        return 1
    ctx.instance = guard  # held until the process ends
    ctx.settings.language = language
    # the window lives until this function returns, after the model thread is stopped
    window = show_window(ctx, build_matcher=lambda: build_matcher_for(ctx.store, ctx.settings))  # noqa: F841
    code = int(app.exec())
    ctx.close()  # done already when the window closed; a no-op then
    ctx.model_thread.exit_if_still_running(code)
    return code


def _screenshot(path: Path, *, lang: str | None, model: str | None) -> int:
    """The ordinary window on a temporary data folder, with a sample conversation, as a PNG."""
    from desktop.storage import appdata
    from desktop.ui.app import make_app, set_language
    from desktop.ui.screenshot import render_screenshot

    # The person's own model and language (read, never written), found before the data folder changes.
    own = config.load()
    model_dir = model or own.model_path or str(paths.default_model_dir())
    lang = lang or own.language
    saved = {name: os.environ.get(name) for name in ("TERMLENS_HOME", "TERMLENS_KEYRING")}
    home = tempfile.mkdtemp(prefix="termlens-screenshot-")
    os.environ.update(TERMLENS_HOME=home, TERMLENS_KEYRING="memory")
    try:
        app = make_app()
        settings = config.load()
        settings.language = set_language(app, lang)
        config.save(settings)
        ctx = open_context(model=model_dir, key=appdata.data_key(ask=False), exclusive=None)
        try:
            return render_screenshot(ctx, path)
        finally:
            ctx.close()
    finally:
        appdata.forget_keys()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(home, ignore_errors=True)
