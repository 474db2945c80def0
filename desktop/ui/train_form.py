"""The settings form of the Training page: one editor per ``TrainConfig`` field, with
its one-line explanation under it (the less common fields under "Advanced").

``add_field`` makes a row, ``set_values`` shows settings in the editors and
``read_values`` reads them back as ``TrainConfig`` values, or raises ``ValueError``
with a sentence. ``TrainFormTexts`` (a mixin of the page) sets the labels and explanations.
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
    "cpu_bf16": ("bool",),
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


class TrainFormTexts:
    """The labels and explanations of the fields, for the Training page (a mixin of it, so
    the strings stay in its translation context). Expects the page's ``editors``,
    ``field_labels`` and ``field_help``."""

    def _retranslate_fields(self) -> None:
        texts = {
            "rank": (self.tr("LoRA rank (r)"), self.tr("Size of the learned update: higher learns more and needs "
                                                       "more memory; 8–32 suits a glossary.")),
            "alpha": (self.tr("LoRA alpha"), self.tr("Strength of the update (scaled by alpha ÷ rank); twice the "
                                                     "rank is usual.")),
            "dropout": (self.tr("Dropout"), self.tr("Share of the update's inputs dropped while training, against "
                                                    "learning the pairs by heart.")),
            "target_modules": (self.tr("Layers to adapt"), self.tr("Layers that get an update, separated by commas: "
                                                                   "the attention's query, key, value and output.")),
            "lr": (self.tr("Learning rate"), self.tr("How far each step moves the weights (AdamW, after warm-up); "
                                                     "too high makes the loss jump.")),
            "batch_size": (self.tr("Batch size"), self.tr("Rows per step; each row packs several short pairs. "
                                                          "Lower it if memory runs out.")),
            "epochs": (self.tr("Epochs"), self.tr("Passes over the training pairs.")),
            "max_steps": (self.tr("Maximum steps"), self.tr("Stop after this many steps, whatever the epochs "
                                                            "(0: no limit).")),
            "val_fraction": (self.tr("Held-out share"), self.tr("Share of the pairs kept out of training to measure "
                                                                "the loss on unseen pairs (needs 10 pairs or more).")),
            "seed": (self.tr("Seed"), self.tr("Fixes the held-out pairs, the order and the first weights, so a run "
                                              "can be repeated.")),
            "max_seq_len": (self.tr("Sequence length"), self.tr("Tokens per row; longer pairs are cut.")),
            "weight_decay": (self.tr("Weight decay"), self.tr("Pulls the update's weights towards zero a little "
                                                              "each step.")),
            "warmup_ratio": (self.tr("Warm-up share"), self.tr("Share of the steps over which the learning rate "
                                                               "rises from zero; it then falls along a cosine.")),
            "grad_clip": (self.tr("Gradient clip"), self.tr("Largest gradient norm per step; steadies training "
                                                            "(0: off).")),
            "save_every_steps": (self.tr("Checkpoint every"), self.tr("Also save a checkpoint every this many "
                                                                      "steps (0: at the end of each epoch only).")),
            "gradient_checkpointing": (self.tr("Save memory"), self.tr("Recompute activations in the backward "
                                                                       "pass: less memory, about a third slower.")),
            "packing": (self.tr("Pack pairs"), self.tr("Put several short pairs in one row (they cannot see each "
                                                       "other): much faster on short pairs.")),
            "fused_kernels": (self.tr("Fused kernels"), self.tr("On an NVIDIA GPU, use fused kernels when "
                                                                "installed: less memory, faster.")),
            "cpu_bf16": (self.tr("bfloat16 on a CPU"), self.tr("On a CPU with bfloat16 units, compute in bfloat16 "
                                                               "(the weights stay float32): several times faster.")),
        }
        for name, (label, help_text) in texts.items():
            if name in self.editors:
                self.field_labels[name].setText(label)
                self.field_help[name].setText(help_text)
                self.editors[name].setAccessibleName(label)
                self.editors[name].setToolTip(help_text)
