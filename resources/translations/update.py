"""Refresh the Simplified Chinese translation of the interface.

    .venv/bin/python resources/translations/update.py            # extract strings into the .ts
    .venv/bin/python resources/translations/update.py --release  # ... then build the .qm

``termlens_zh_CN.ts`` is the file translators edit (by hand, or in Qt Linguist,
which opens it directly); the ``.qm`` next to it is built from it and is what the
application loads (``desktop/ui/i18n.py``).

The first step runs ``pyside6-lupdate`` over every ``desktop/ui/*.py``: new strings
are added as unfinished, existing translations are kept, and strings no longer in
the code are dropped (``-no-obsolete``). The help texts of the settings (the
``metadata={"help": ...}`` of ``desktop/storage/config.py``, which knows nothing of Qt) are
looked up by the settings dialog in context ``SettingsHelp``; they are handed to
lupdate as a generated file whose lines match ``config.py``, so they sit in the
``.ts`` like any other message. The same is done, in context ``Engine``, for the
error sentences the engine and the glossary make with ``SomeError.of("template",
...)`` and the words they show otherwise (values put into those sentences, progress
messages) made with ``phrase("template", ...)`` (``glossary/errors.py``): the window
shows them translated. It then reports how many messages still need a
translation. With ``--release`` it also runs ``pyside6-lrelease`` to produce
``termlens_zh_CN.qm``, and refuses (exit status 1, listing them) while any message
lacks a translation.
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCES = ROOT / "desktop" / "ui"
LANG = "zh_CN"
TS = HERE / f"termlens_{LANG}.ts"
QM = HERE / f"termlens_{LANG}.qm"
CONFIG = ROOT / "desktop" / "storage" / "config.py"
HELP_CONTEXT = "SettingsHelp"  # as in desktop/ui/settings_dialog.py
ENGINE_CONTEXT = "Engine"  # as in desktop/ui/i18n.py
ERROR_SOURCES = [ROOT / "desktop", ROOT / "glossary"]  # outside desktop/ui: code that knows nothing of Qt


def tool(name: str) -> str:
    """The PySide6 tool next to this Python (the venv), else the one on PATH."""
    for candidate in (Path(sys.executable).parent / name, shutil.which(name)):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    sys.exit(f"{name} not found: install PySide6 in this environment (pip install PySide6)")


def mirror_source(path: Path, context: str, found: list[tuple[int, str]]) -> str:
    """Python that lupdate reads: one translate() per (line, text) of ``path``, on that line."""
    lines = [""] * len(path.read_text(encoding="utf-8").splitlines())
    for lineno, text in found:
        lines[lineno - 1] += f"QCoreApplication.translate({context!r}, {text!r}); "
    return "\n".join(lines) + "\n"


def settings_help_source() -> str:
    """The help texts of config.py, for lupdate, each on the line it has there."""
    found = []
    for node in ast.walk(ast.parse(CONFIG.read_text(encoding="utf-8"), str(CONFIG))):
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value == "help" and isinstance(v, ast.Constant) \
                        and isinstance(v.value, str) and v.value:
                    found.append((v.lineno, v.value))
    return mirror_source(CONFIG, HELP_CONTEXT, found)


def error_templates(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every ``X.of("template", ...)`` and ``phrase("words")`` in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if (name == "of" and isinstance(node.func, ast.Attribute)) or name == "phrase":
            found.append((node.args[0].lineno, node.args[0].value))
    return found


def error_sources(tmp: Path) -> dict[Path, Path]:
    """Generated files for lupdate, one per source file with error templates, each line where
    the template is in the real file; {generated: real}."""
    out = {}
    for top in ERROR_SOURCES:
        for path in sorted(top.rglob("*.py")):
            if SOURCES in path.parents:
                continue
            found = error_templates(path)
            if not found:
                continue
            gen = tmp / "errors" / path.relative_to(ROOT)
            gen.parent.mkdir(parents=True, exist_ok=True)
            gen.write_text(mirror_source(path, ENGINE_CONTEXT, found), encoding="utf-8")
            out[gen] = path
    return out


def lupdate() -> None:
    sources = [str(p.relative_to(ROOT)) for p in sorted(SOURCES.glob("*.py"))]
    if not sources:
        sys.exit(f"no Python sources found in {SOURCES}")
    with tempfile.TemporaryDirectory(prefix="termlens-i18n-") as tmp:
        helps = Path(tmp) / "config.py"
        helps.write_text(settings_help_source(), encoding="utf-8")
        generated = {helps: CONFIG, **error_sources(Path(tmp))}
        cmd = [tool("pyside6-lupdate"), "-no-obsolete", "-locations", "relative",
               "-source-language", "en", "-target-language", LANG,
               *sources, *map(str, generated), "-ts", str(TS.relative_to(ROOT))]
        subprocess.run(cmd, cwd=ROOT, check=True)
        # point the generated files' locations at the real ones (same line numbers)
        text = TS.read_text(encoding="utf-8")
        for gen, real in generated.items():
            text = text.replace(f'filename="{Path(os.path.relpath(gen, TS.parent)).as_posix()}"',
                                f'filename="{Path(os.path.relpath(real, TS.parent)).as_posix()}"')
        TS.write_text(text, encoding="utf-8")


def _texts(translation: ET.Element) -> list[str]:
    forms = translation.findall("numerusform")
    return [f.text or "" for f in forms] if forms else [translation.text or ""]


def untranslated() -> list[tuple[str, str]]:
    """(context, source) of every live message with an empty or unfinished translation."""
    missing = []
    for ctx in ET.parse(TS).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            t = m.find("translation")
            kind = t.get("type") if t is not None else None
            if kind in ("obsolete", "vanished"):
                continue
            if t is None or kind == "unfinished" or not all(s.strip() for s in _texts(t)):
                missing.append((name, m.findtext("source") or ""))
    return missing


def count() -> int:
    """Live messages (obsolete and vanished ones left out)."""
    return sum(1 for m in ET.parse(TS).getroot().iter("message")
               if m.find("translation") is None or m.find("translation").get("type") not in ("obsolete", "vanished"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--release", action="store_true", help=f"also build {QM.name} with pyside6-lrelease")
    ap.add_argument("--skip-update", action="store_true", help="do not run lupdate (only check and release)")
    args = ap.parse_args(argv)

    if not args.skip_update:
        lupdate()
    missing = untranslated()
    print(f"{TS.name}: {count()} messages, {len(missing)} unfinished")
    if missing and not args.release:
        for ctx, src in missing:
            print(f"  unfinished [{ctx}] {src!r}")
    if not args.release:
        return 0
    if missing:
        print(f"\nNot building {QM.name}: these messages lack a translation in {TS.name}"
              " (fill them in there, by hand or in Qt Linguist, then run again):", file=sys.stderr)
        for ctx, src in missing:
            print(f"  [{ctx}] {src!r}", file=sys.stderr)
        return 1
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(QM)], cwd=ROOT, check=True)
    print(f"built {QM.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
