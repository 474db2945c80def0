"""Opening the user's data, encrypted: the one way in for the window and the commands.

Everything that can hold patient or client text lives in ``termlens.db``, one SQLCipher
database keyed with the data key (see ``desktop.storage.db`` and ``desktop.storage.security``), or in
files sealed with AES-GCM (``write_private``). Nothing here ever opens the database in
the clear, and nothing falls back to plaintext when the key cannot be had.

* ``data_key()`` unlocks the data key once per process (keyring, ``TERMLENS_PASSPHRASE``,
  or, in a terminal, a ``getpass`` prompt); ``key_manager()`` is the unlocked
  ``KeyManager`` behind it.
* ``prepare(key=...)`` does the start-of-process care once per data directory: it
  encrypts a database an older TermLens wrote in the clear, checks the database and
  restores the last good backup when it is damaged, and takes the daily backup. It
  returns the sentences the person should read.
* ``open_glossary()``, ``open_conversations()`` and ``open_user_data()`` open the stores
  on encrypted connections (calling the two above first). A brand-new data directory
  gets the starter glossaries (medicine, law, finance) so that term detection works
  from the first question; a ``conversations.json`` left by an older TermLens is moved
  into the encrypted database once and then deleted.

Knows nothing of Qt or torch.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop import log, paths
from desktop.errors import StorageError
from glossary.store import GlossaryStore

_log = log.get("appdata")

LEGACY_CONVERSATIONS = "conversations.json"


def _home_id() -> str:
    return str(paths.home().resolve())


# --- the data key ------------------------------------------------------------------------

_managers: dict[str, Any] = {}  # data directory -> unlocked security.KeyManager
_prepared: dict[str, bool] = {}  # data directory -> "the database was new at this start"


def key_manager(passphrase: str | None = None, *, ask: bool = True) -> Any:
    """The unlocked ``security.KeyManager`` of the current data directory (see ``data_key``)."""
    from desktop.storage import security

    home = _home_id()
    km = _managers.get(home)
    if km is not None and km.unlocked:
        return km
    km = security.KeyManager(home)
    secret = passphrase or os.environ.get("TERMLENS_PASSPHRASE") or None
    try:
        km.ensure(secret)
    except security.PassphraseRequired:
        if secret is not None or not ask or not _in_terminal():
            raise _passphrase_needed(km) from None
        _unlock_in_terminal(km)
    _managers[home] = km
    return km


def data_key(passphrase: str | None = None, *, ask: bool = True) -> bytes:
    """The data key of the current data directory, unlocked once per process.

    From the OS keyring, or unwrapped with ``passphrase`` (else ``TERMLENS_PASSPHRASE``,
    else, unless ``ask`` is False, a prompt when a person is at a terminal). A new data
    directory gets a new key:
    in the keyring, or protected by the passphrase given. Raises
    ``security.PassphraseRequired`` when a passphrase is needed and none can be had,
    ``crypto.WrongPassphrase`` when it does not fit: TermLens never falls back to
    writing in the clear.
    """
    return key_manager(passphrase, ask=ask).unlock()


def forget_keys() -> None:
    """Drop the unlocked keys of this process, and what ``prepare`` remembered."""
    for km in _managers.values():
        km.lock()
    _managers.clear()
    _prepared.clear()


def _in_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _passphrase_needed(km: Any) -> StorageError:
    from desktop.storage import security

    if km.status() == "passphrase-needed":
        return security.PassphraseRequired.of(
            "Your TermLens data is protected by a passphrase: run the command in a terminal to type it, "
            "or set TERMLENS_PASSPHRASE."
        )
    return security.PassphraseRequired.of(
        "This computer has no secure keyring to keep TermLens's key, so your data needs a passphrase: "
        "run the command in a terminal to choose one, or set TERMLENS_PASSPHRASE."
    )


def _unlock_in_terminal(km: Any) -> None:
    """Unlock (or create) the key with a passphrase typed at the terminal, never echoed:
    three tries at the one that protects the data, or a new one, typed twice, for a data
    directory that has none yet."""
    from desktop.storage import crypto

    try:
        if km.status() == "passphrase-needed":
            for attempt in range(3):
                try:
                    km.unlock(getpass.getpass("Passphrase for your TermLens data: "))
                    return
                except crypto.WrongPassphrase as exc:
                    if attempt == 2:
                        raise
                    print(exc, file=sys.stderr)
        print(
            "This computer has no secure keyring to keep TermLens's encryption key.\n"
            f"Choose a passphrase of at least {crypto.MIN_PASSPHRASE} characters to protect your data. "
            "Keep it safe: without it your data cannot be opened.",
            file=sys.stderr,
        )
        secret = crypto.check_new_passphrase(getpass.getpass("New passphrase: "))
        if getpass.getpass("Again, to confirm: ") != secret:
            raise StorageError.of("The two passphrases differ; nothing was created.")
        km.ensure(secret)
    except (EOFError, KeyboardInterrupt):
        raise StorageError.of("No passphrase was given, so your TermLens data stays closed.") from None


# --- start-of-process care -----------------------------------------------------------------


_note_sinks: list[Callable[[str], None]] = []  # where the command line prints prepare's sentences


def print_notes_to(sink: Callable[[str], None] | None) -> None:
    """Have ``prepare`` also hand each of its sentences to ``sink`` (the command line prints them to
    stderr, so a restore is never only logged); None: stop. The window shows the returned list."""
    _note_sinks.clear()
    if sink is not None:
        _note_sinks.append(sink)


def prepare(*, key: bytes, exclusive: bool | None = None, backup: bool = True) -> list[str]:
    """Care for the database once per data directory and process; returns sentences for the person.

    Encrypts a plaintext ``termlens.db`` in place, runs ``backup.check_and_recover`` (a
    damaged, empty or missing database with backups is restored; ``StorageError`` when
    nothing could be restored) and, with ``backup``, takes the daily backup here and now (a
    failure there is a sentence, not an error; the window passes False and runs
    ``backup.start_backup`` in the background instead). ``exclusive``: the caller holds the
    data directory (``SingleInstance``), as the window does. ``None``: take it for the
    duration if it is free (or this process holds it already, as a writing command does);
    when another TermLens holds it, that one did this care at its start and it is skipped
    here (as it is with ``False``).
    """
    home = _home_id()
    if home in _prepared:
        return []
    from desktop.storage import instance

    if exclusive is False or instance.secondary_process():  # the group's first process cares for it
        _prepared[home] = False
        return []

    try:
        with instance.hold(home, what="TermLens (checking its data)"):
            notes = _care(home, key, backup=backup)
    except StorageError as exc:
        if not isinstance(exc, instance.DirectoryInUse):
            raise
        _prepared[home] = False
        return []
    for note in notes:
        for sink in _note_sinks:
            sink(note)
    return notes


def _care(home: str, key: bytes, *, backup: bool) -> list[str]:
    from desktop.storage import backup as backups
    from desktop.storage import db

    notes: list[str] = []
    path = Path(home) / "termlens.db"
    if path.exists() and path.stat().st_size > 0 and db.encrypt_plaintext_database(path, key):
        notes.append("Your TermLens data was stored unencrypted by an older version; it is now encrypted.")
    restored = backups.check_and_recover(path, key=key)
    if restored:
        notes.append(restored)
    fresh = not path.exists() or path.stat().st_size == 0
    if backup and not fresh:
        if backups.backup_due(home):
            for sink in _note_sinks:  # the command line: say why this start takes longer
                sink("Taking today's backup of your TermLens data (once a day)…")
        try:
            backups.auto_backup(key=key, home=home)
        except StorageError as exc:
            notes.append(f"Today's automatic backup was not made: {exc}")
    _prepared[home] = fresh
    return notes


def _take_fresh() -> bool:
    """Whether this start found no database (the starter glossaries are due); asked once."""
    home = _home_id()
    fresh = _prepared.get(home, False)
    _prepared[home] = False
    return fresh


# --- the stores ----------------------------------------------------------------------------


def open_glossary(*, seed_starters: bool = True, key: bytes | None = None) -> GlossaryStore:
    """The user's glossary on an encrypted connection; on first use, loaded with the
    starter glossaries (unless ``seed_starters`` is False)."""
    from desktop.storage import db

    key = key or data_key()
    prepare(key=key)
    fresh = _take_fresh()
    store = GlossaryStore(paths.db_path(), connect=db.opener(key))
    if fresh and seed_starters and store.count() == 0:
        try:
            from glossary.importer import load_starter

            n = load_starter(store)
            _log.info("new data directory: loaded %d starter concepts", n)
        except Exception as exc:  # noqa: BLE001 - an empty glossary still works
            _log.warning("starter glossaries not loaded: %s", type(exc).__name__)
    return store


def open_conversations(*, key: bytes | None = None, notes: list[str] | None = None) -> Any:
    """The user's conversations (a ``desktop.storage.conversations.ConversationStore`` that owns its
    encrypted connection: ``close()`` it). A ``conversations.json`` left by an older
    TermLens is moved in once, then deleted; a sentence about it goes to ``notes``."""
    from desktop.storage import db
    from desktop.storage.conversations import ConversationStore

    key = key or data_key()
    prepare(key=key)
    store = ConversationStore(db.connect(paths.db_path(), key))
    try:
        note = move_in_legacy_conversations(store)
    except BaseException:
        store.close()
        raise
    if note and notes is not None:
        notes.append(note)
    return store


def move_in_legacy_conversations(store: Any) -> str | None:
    """Move an older TermLens's plaintext ``conversations.json`` into ``store`` and delete it.

    The import commits before the file goes, and conversations already moved are not
    added twice, so an interrupted move finishes at the next start. A file that cannot
    be read stays where it is (nothing is lost) and the sentence returned says so.
    """
    legacy = paths.home() / LEGACY_CONVERSATIONS
    if not legacy.is_file():
        return None
    try:
        data = json.loads(legacy.read_text(encoding="utf-8"))
        added = store.import_history(data)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, StorageError) as exc:
        _log.warning("the plaintext conversations file could not be moved (%s)", type(exc).__name__)
        return (
            f"The conversations saved by an older TermLens in {legacy} could not be read, so they were not "
            "moved into the encrypted database; the file was left as it is."
        )
    legacy.unlink()
    _log.info("the plaintext conversations file was moved into the encrypted database and deleted")
    return f"{added} conversations saved by an older TermLens were moved into the encrypted database." if added else None


@dataclass
class UserData:
    """The user's stores, opened together on one key; ``close()`` closes both."""

    key: bytes
    glossary: GlossaryStore
    conversations: Any  # desktop.storage.conversations.ConversationStore
    notes: list[str] = field(default_factory=list)  # sentences for the person (restored, migrated)

    def close(self) -> None:
        try:
            self.conversations.close()
        finally:
            self.glossary.close()


def open_user_data(
    *, key: bytes | None = None, exclusive: bool | None = None, seed_starters: bool = True, backup: bool = True
) -> UserData:
    """Unlock, check (restoring a damaged database from its backup), and open the glossary
    and the conversations; see ``prepare`` for ``exclusive`` and ``backup``."""
    key = key or data_key()
    notes = prepare(key=key, exclusive=exclusive, backup=backup)
    glossary = open_glossary(seed_starters=seed_starters, key=key)
    try:
        conversations = open_conversations(key=key, notes=notes)
    except BaseException:
        glossary.close()
        raise
    return UserData(key=key, glossary=glossary, conversations=conversations, notes=notes)


# --- private files -----------------------------------------------------------------------


def write_private(path, data: bytes) -> None:
    """Write a file that may hold patient or client text: AES-256-GCM, atomically."""
    from desktop.storage import crypto

    crypto.encrypt_file(data, path, key=data_key())


def read_private(path) -> bytes:
    """The plaintext of a file written by ``write_private``."""
    from desktop.storage import crypto

    return crypto.decrypt_file(path, key=data_key())
