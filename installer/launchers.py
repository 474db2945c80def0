"""The launchers an install adds: the command-line launcher in the program folder and, on Linux,
the desktop entry and icon (on Windows a ``.pyw`` and ``.cmd``; ``install.ps1`` makes the
Start-menu shortcut). Standard library only; copied into every bundle beside ``install.py``,
which loads it from its source.
"""

from __future__ import annotations

import shutil
from pathlib import Path

DESKTOP_ID = "termlens.desktop"
ICON_NAME = "termlens.svg"


def write_launchers(prefix: Path, *, termlens: Path, data_dir: Path, pin_data_dir: bool, bundle: Path,
                    windows: bool, share: Path, log=print) -> list[str]:
    """Write the launchers for the ``termlens`` program; return the files made outside ``prefix``.

    ``pin_data_dir``: the launchers set ``TERMLENS_HOME`` to ``data_dir`` unless it is set already.
    ``share``: ``$XDG_DATA_HOME`` (Linux), where the desktop entry and icon go.
    """
    created: list[str] = []
    templates = bundle / "templates"
    if windows:
        pyw = prefix / "termlens.pyw"
        lines = ["# TermLens launcher (Start-menu shortcut target).", "import os", "import sys"]
        if pin_data_dir:
            lines.append(f"os.environ.setdefault('TERMLENS_HOME', {str(data_dir)!r})")
        lines += ["import main", "sys.exit(main.main())", ""]
        pyw.write_text("\n".join(lines), encoding="utf-8")
        cmd = prefix / "termlens.cmd"
        text = (templates / "termlens.cmd").read_text(encoding="utf-8")
        text = text.replace("@DATA_LINE@", f'if not defined TERMLENS_HOME set "TERMLENS_HOME={data_dir}"' if pin_data_dir else "rem data: the platform default")
        cmd.write_text(text.replace("@TERMLENS@", str(termlens)), encoding="utf-8")
        return created  # the Start-menu shortcut is made by install.ps1 (WScript.Shell)
    launcher = prefix / "termlens"
    text = (templates / "termlens.sh").read_text(encoding="utf-8")
    data_line = (f"if [ -z \"${{TERMLENS_HOME:-}}\" ]; then TERMLENS_HOME={sh_quote(str(data_dir))}; export TERMLENS_HOME; fi"
                 if pin_data_dir else "# data: the platform's user data directory, or $TERMLENS_HOME")
    text = text.replace("@DATA_LINE@", data_line).replace("@TERMLENS@", sh_quote(str(termlens)))
    launcher.write_text(text, encoding="utf-8")
    launcher.chmod(0o755)
    icon_dir = share / "icons" / "hicolor" / "scalable" / "apps"
    icon_dir.mkdir(parents=True, exist_ok=True)
    icon = icon_dir / ICON_NAME
    shutil.copyfile(bundle / ICON_NAME, icon)
    created.append(str(icon))
    apps = share / "applications"
    apps.mkdir(parents=True, exist_ok=True)
    entry = apps / DESKTOP_ID
    text = (templates / "termlens.desktop").read_text(encoding="utf-8")
    text = text.replace("@EXEC@", desktop_quote(str(launcher))).replace("@ICON@", str(icon))
    entry.write_text(text, encoding="utf-8")
    entry.chmod(0o755)
    created.append(str(entry))
    log(f"  desktop entry: {entry}")
    return created


def sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def desktop_quote(s: str) -> str:
    """Exec= quoting of the desktop entry specification."""
    if not any(c in s for c in ' \t"\'\\$`<>~|&;*?#()'):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$") + '"'
