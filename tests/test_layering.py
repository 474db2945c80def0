"""The layering of DESIGN.md, checked on the import statements of every module (those inside
functions too). Only ``desktop.app`` (the composition root) and ``main.py`` may import every layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "glossary": ("torch", "transformers", "peft", "accelerate", "PySide6", "desktop"),
    "desktop/storage": ("torch", "transformers", "peft", "accelerate", "PySide6",
                        "desktop.engine", "desktop.workers", "desktop.ui", "desktop.app"),
    "desktop/engine": ("PySide6", "desktop.ui", "desktop.workers", "desktop.app"),
    "desktop/workers": ("PySide6.QtWidgets", "PySide6.QtGui", "desktop.ui", "desktop.app"),
    "desktop/ui": ("torch", "transformers", "peft", "accelerate", "desktop.engine", "desktop.app"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_its_layer(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_the_glossary_core_imports_without_torch_or_qt() -> None:
    import subprocess
    import sys

    code = ("import sys, glossary.store, glossary.matcher, glossary.inject, glossary.model;"
            "bad=[m for m in ('torch','transformers','PySide6') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
