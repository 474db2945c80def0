"""``python -m installer bundle|install|uninstall|verify|keygen``."""

from __future__ import annotations

import argparse
import sys

from installer.cli import run_command
from installer.install import InstallError, add_arguments as add_install_arguments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m installer", description="Offline bundles of TermLens.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from installer.bundle import BundleError, add_arguments as add_bundle_arguments
    from installer.llama_wheel import LlamaWheelError
    from installer.signing import SigningError, add_arguments as add_keygen_arguments

    add_bundle_arguments(sub)
    add_install_arguments(sub)
    add_keygen_arguments(sub)
    args = parser.parse_args(argv)
    return run_command(lambda: args.func(args), errors=(BundleError, InstallError, SigningError,
                                                                  LlamaWheelError))


if __name__ == "__main__":
    sys.exit(main())
