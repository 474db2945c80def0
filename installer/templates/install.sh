#!/bin/sh
# Install TermLens from this offline bundle. Nothing is downloaded.
#
#   sh install.sh [--prefix DIR] [--data-dir DIR] [--no-launcher]
#   sh install.sh uninstall [--prefix DIR] [--remove-data]
#   sh install.sh verify
#
# Every file is checked against manifest.json before anything is written.
# The interpreter is python<version the bundle was built for>, else python3;
# choose another with PYTHON=/path/to/python3.11 sh install.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want=$(sed -n 's/^  "python": *"\([0-9.]*\)".*/\1/p' "$here/manifest.json" 2>/dev/null | head -n 1)
py=${PYTHON:-}
if [ -z "$py" ]; then
    for candidate in "python$want" python3; do
        if command -v "$candidate" >/dev/null 2>&1; then py=$candidate; break; fi
    done
fi
if [ -z "$py" ]; then
    echo "error: Python ${want:-3} was not found; install it, or set PYTHON=/path/to/python${want}" >&2
    exit 2
fi
exec "$py" "$here/install.py" "$@"
