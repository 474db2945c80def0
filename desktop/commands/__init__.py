"""Headless subcommands of ``main.py``.

Each module here defines ``register(subparsers)``, which adds its parser(s) and sets
``func=run`` where ``run(args) -> int`` is the exit code. ``main.py`` discovers them.
Commands print for a terminal; errors of the ``TermLensError`` family become one line
on stderr and exit code 2.
"""
