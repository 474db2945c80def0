"""``main.py security ...``: keys, passphrases, bundles, backups and checks from a terminal.

Subcommands: ``status``, ``change-passphrase``, ``export --out DIR``,
``import --from DIR``, ``backup`` and ``check``. Passphrases are read with ``getpass``
(never echoed) or, for scripts, from the environment:

* ``TERMLENS_PASSPHRASE`` - the passphrase that unlocks the data directory;
* ``TERMLENS_NEW_PASSPHRASE`` - the new one, for ``change-passphrase``;
* ``TERMLENS_BUNDLE_PASSPHRASE`` - the bundle's, for ``export`` and ``import``
  (``TERMLENS_PASSPHRASE`` is used when it is not set).

A passphrase is never printed or logged. Errors of the ``TermLensError`` family become
one line on stderr and exit code 2. This module knows nothing of Qt or of the model.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable

from desktop.commands import guarded
from desktop.errors import StorageError


def _ask(prompt: str, env: tuple[str, ...], *, confirm: bool = False) -> str:
    for name in env:
        value = os.environ.get(name)
        if value:
            return value
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != first:
        raise StorageError("The two passphrases differ; nothing was changed.")
    return first


def _key_manager():  # noqa: ANN202 - a KeyManager, imported lazily
    from desktop.storage.security import KeyManager

    return KeyManager()


def _unlocked(*, prepare: bool = True):  # noqa: ANN202 - the unlocked KeyManager of the data directory
    """Through ``desktop.storage.appdata`` (keyring, ``TERMLENS_PASSPHRASE`` or a terminal prompt);
    refuses a data directory that holds nothing yet rather than creating a key for it.
    With ``prepare``, the database gets the app's start-of-day care first (encrypted if an
    older TermLens left it in the clear, checked, restored if damaged)."""
    from desktop.storage import appdata

    km = _key_manager()
    if not km.db_file.exists():
        raise StorageError(f"There is no TermLens data in {km.home} yet.")
    unlocked = appdata.key_manager()
    if prepare:
        appdata.prepare(key=unlocked.unlock(), backup=False)  # main.py prints its sentences
    return unlocked


def _status(args: argparse.Namespace) -> int:
    from desktop.storage import backup
    from desktop.storage.keyrings import backend_name

    km = _key_manager()
    state = km.status()
    where = {
        "keyring": "in the system keyring",
        "passphrase-needed": f"wrapped with a passphrase in {km.keyfile.name}",
        "new": "not created yet",
        "key-missing": "MISSING: the database cannot be opened here",
    }[state]
    print(f"Data directory: {km.home}")
    print(f"Key: {where}")
    print(f"Secure keyring: {backend_name(km.backend) if km.has_secure_keyring() else 'none (a passphrase is needed)'}")
    if km.db_file.exists():
        print(f"Database: {km.db_file.name}, {km.db_file.stat().st_size:,} bytes, encrypted (SQLCipher)")
    else:
        print("Database: none yet")
    found = backup.list_backups(km.home)
    good = next((b.name for b in found if backup.is_known_good(b)), None)
    print(f"Backups: {len(found)}" + (f", newest {found[0].name}" if found else "")
          + (f"; last known good {good}" if good else ""))
    return 0


def _change_passphrase(args: argparse.Namespace) -> int:
    km = _key_manager()
    old = _ask("Current passphrase: ", ("TERMLENS_PASSPHRASE",)) if km.status() == "passphrase-needed" else None
    new = _ask("New passphrase: ", ("TERMLENS_NEW_PASSPHRASE",), confirm=True)
    km.change_passphrase(old, new)
    print("The passphrase is set; your data now opens with it.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from desktop.storage.bundle import export_bundle

    km = _unlocked()
    secret = _ask("Passphrase for the bundle: ", ("TERMLENS_BUNDLE_PASSPHRASE", "TERMLENS_PASSPHRASE"), confirm=True)
    out = export_bundle(km, args.out, secret, include_models=args.include_models)
    print(f"Exported to {out}. Keep its passphrase: the bundle cannot be opened without it.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from desktop.storage.bundle import import_bundle
    from desktop.storage.instance import hold

    with hold():  # main.py holds it already; taken here when called on its own
        km = _key_manager()
        secret = _ask("Passphrase of the bundle: ", ("TERMLENS_BUNDLE_PASSPHRASE", "TERMLENS_PASSPHRASE"))
        import_bundle(km, args.source, secret)
        where = "the system keyring" if km.status() == "keyring" else "a key file protected by the bundle's passphrase"
    print(f"Imported into {km.home}; its key is kept in {where}.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from desktop.storage import backup

    km = _unlocked()
    out = backup.make_backup(key=km.unlock(), home=km.home)
    print(f"Backup written: {out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from desktop.storage import backup
    from desktop.storage.instance import hold

    with hold():
        if not _key_manager().db_file.exists() and not backup.list_backups():
            print("There is no database yet.")
            return 0
        from desktop.storage import appdata, db

        km = appdata.key_manager()
        if km.db_file.exists():
            db.encrypt_plaintext_database(km.db_file, km.unlock())  # we hold the directory: safe to convert
        message = backup.check_and_recover(km.db_file, key=km.unlock(), full=True)  # the full check
    print(message or "The database is sound.")
    return 0


def _guarded(work: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return work(args)
        except (EOFError, KeyboardInterrupt):  # at a passphrase prompt
            print("Cancelled; nothing was changed.", file=sys.stderr)
            return 1

    run.__name__ = work.__name__
    return guarded(run)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``security`` and its subcommands to ``main.py``'s parser."""
    p = subparsers.add_parser("security", help="encryption key, passphrase, bundles, backups and checks")
    sub = p.add_subparsers(dest="security_command", required=True, metavar="COMMAND")

    q = sub.add_parser("status", help="where the key is kept, the database and its backups")
    q.set_defaults(func=_guarded(_status))

    q = sub.add_parser("change-passphrase", help="set or change the passphrase that protects the key")
    q.set_defaults(func=_guarded(_change_passphrase))

    q = sub.add_parser("export", help="write a bundle to move this data directory to another computer")
    q.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    q.add_argument("--include-models", action="store_true", help="also carry the models folder (large)")
    q.set_defaults(func=_guarded(_export))

    q = sub.add_parser("import", help="fill an empty data directory from a bundle")
    q.add_argument("--from", dest="source", required=True, metavar="DIR", help="the bundle folder")
    q.set_defaults(func=_guarded(_import))

    q = sub.add_parser("backup", help="back up the database now")
    q.set_defaults(func=_guarded(_backup))

    q = sub.add_parser("check", help="check the database in full; restore the last good backup if it is damaged, "
                                     "empty or missing")
    q.set_defaults(func=_guarded(_check))
