"""The settings form of the Training page: one editor per ``TrainConfig`` field, with
its one-line explanation under it (the less common fields under "Advanced").

``add_field`` makes a row, ``set_values`` shows settings in the editors and
``read_values`` reads them back as ``TrainConfig`` values, or raises ``ValueError``
with a sentence. Labels and explanations are set by the page's ``retranslate``.
GUI thread only.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

# field -> (kind, minimum, maximum, step, decimals); "list": comma-separated names, "bool": a check box
MAIN_FIELDS: dict[str, tuple] = {
    "rank": ("int", 1, 1024, 1),
    "alpha": ("float", 0.1, 4096.0, 1.0, 1),
    "dropout": ("float", 0.0, 0.95, 0.01, 2),
    "target_modules": ("list",),
    "lr": ("float", 1e-6, 1.0, 1e-5, 6),
    "batch_size": ("int", 1, 1024, 1),
    "epochs": ("int", 0, 1000, 1),
    "max_steps": ("int", 0, 10_000_000, 1),  # 0: no limit
    "val_fraction": ("float", 0.0, 0.5, 0.05, 2),
    "seed": ("int", 0, 2**31 - 1, 1),
}
ADVANCED_FIELDS: dict[str, tuple] = {
    "max_seq_len": ("int", 8, 131_072, 64),
    "weight_decay": ("float", 0.0, 1.0, 0.01, 3),
    "warmup_ratio": ("float", 0.0, 0.9, 0.01, 2),
    "grad_clip": ("float", 0.0, 1000.0, 0.1, 2),
    "save_every_steps": ("int", 0, 10_000_000, 10),
    "gradient_checkpointing": ("bool",),
    "packing": ("bool",),
    "fused_kernels": ("bool",),
}
_LAYER = re.compile(r"[A-Za-z_][\w.]*")


def add_field(form: QFormLayout, name: str, spec: tuple) -> tuple[QWidget, QLabel, QLabel]:
    """A row for field ``name`` of kind ``spec``: (editor, label, explanation)."""
    kind = spec[0]
    if kind == "int":
        editor: QWidget = QSpinBox()
        editor.setRange(spec[1], spec[2])
        editor.setSingleStep(spec[3])
        editor.setGroupSeparatorShown(False)
    elif kind == "float":
        editor = QDoubleSpinBox()
        editor.setDecimals(spec[4])
        editor.setRange(spec[1], spec[2])
        editor.setSingleStep(spec[3])
    elif kind == "bool":
        editor = QCheckBox()
    else:
        editor = QLineEdit()
    editor.setObjectName(f"train_{name}")
    label, help_label = QLabel(), QLabel()
    help_label.setObjectName("fieldHelp")
    help_label.setWordWrap(True)
    help_label.setEnabled(False)  # drawn dimmer than the value
    cell = QWidget()
    cl = QVBoxLayout(cell)
    cl.setContentsMargins(0, 0, 0, 4)
    cl.setSpacing(1)
    cl.addWidget(editor)
    cl.addWidget(help_label)
    label.setBuddy(editor)
    form.addRow(label, cell)
    return editor, label, help_label


def set_values(editors: dict[str, QWidget], values: dict[str, Any]) -> None:
    """Show these settings in the editors (fields not given keep their value)."""
    for name, editor in editors.items():
        if name not in values:
            continue
        v = values[name]
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(v))
        elif isinstance(editor, QSpinBox):
            editor.setValue(int(v or 0))
        elif isinstance(editor, QDoubleSpinBox):
            editor.setValue(float(v))
        else:
            editor.setText(", ".join(v) if isinstance(v, (list, tuple)) else str(v))


def read_values(editors: dict[str, QWidget]) -> dict[str, Any]:
    """The settings in the editors, as TrainConfig field values; ``ValueError`` with a sentence if one is unusable."""
    out: dict[str, Any] = {}
    for name, editor in editors.items():
        if isinstance(editor, QCheckBox):
            out[name] = editor.isChecked()
        elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            out[name] = editor.value()
        else:
            layers = [x.strip() for x in editor.text().replace(";", ",").split(",") if x.strip()]
            if not layers or not all(_LAYER.fullmatch(x) for x in layers):
                raise ValueError(QCoreApplication.translate(
                    "TrainingPage", "Name the layers to train as names separated by commas, "
                                    "for example: q_proj, k_proj, v_proj, o_proj."))
            out[name] = layers
    out["max_steps"] = out["max_steps"] or None
    if not out["epochs"] and not out["max_steps"]:
        raise ValueError(QCoreApplication.translate("TrainingPage",
                                                    "Set at least one epoch, or a maximum number of steps."))
    return out
