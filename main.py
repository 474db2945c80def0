"""TermLens entry point.

With no arguments it opens the window. Subcommands do headless work:
``models``, ``ask``, ``glossary``, ``dataset``, ``train``, ``eval``, ``bench``, ``security``
(each defined by a module in ``desktop/commands``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from desktop.engine import offline  # noqa: F401  (sets the offline environment before anything else)
from glossary.errors import TermLensError


def build_parser() -> argparse.ArgumentParser:
    import desktop.commands as commands

    parser = argparse.ArgumentParser(
        prog="main.py", description="TermLens: an offline assistant that knows your terminology."
    )
    parser.add_argument("--screenshot", metavar="FILE", help="render the main window offscreen into a PNG and exit")
    parser.add_argument("--lang", choices=["en", "zh"], help="interface language for this run")
    parser.add_argument("--model", dest="window_model", metavar="DIR", help="model folder to load in the window")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"desktop.commands.{mod.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    from desktop import log

    log.setup(console=args.command is not None)
    if args.command is None:
        from desktop.app import run

        return run(screenshot=args.screenshot, lang=args.lang, model=args.window_model)
    from desktop.commands import problems
    from desktop.storage import appdata
    from installer.cli import run_command

    appdata.print_notes_to(lambda note: print(note, file=sys.stderr))  # a restore is said, not only logged
    try:
        return run_command(lambda: _in_turn(args), errors=(TermLensError,), details=problems)
    finally:
        appdata.print_notes_to(None)


def _in_turn(args: argparse.Namespace) -> int:
    with _one_user(args):
        return int(args.func(args) or 0)


# Commands that only read may run beside the window. Every other command writes to the data
# folder (glossary, training data, adapters, reports, keys, backups) and holds the same lock as
# the window while it runs, so a second writer is refused with who holds the folder.
READ_ONLY = {"models": None, "bench": None, "glossary": {"list", "search", "detect"}, "security": {"status"},
             "eval": {"show"}}  # None: every subcommand


def _one_user(args: argparse.Namespace):  # noqa: ANN202 - a context manager
    import contextlib

    from desktop.storage.instance import hold

    sub = next((v for k, v in vars(args).items() if k.endswith("_command")), None) or getattr(args, "action", None)
    readers = READ_ONLY.get(args.command, set())
    if readers is None or sub in readers:
        return contextlib.nullcontext()
    return hold(what=f"the command '{args.command}{' ' + sub if sub else ''}'")


if __name__ == "__main__":
    sys.exit(main())
