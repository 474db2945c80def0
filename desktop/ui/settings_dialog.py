"""Settings: generation (max new tokens, temperature, top-p), injection on/off and its
token budget, active subject fields, interface language, font size and auto-lock.

Each control carries the help text of its ``Settings`` field (tooltip and a line
under it). The dialog edits a copy; ``settings()`` returns it and the window applies
and saves it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QListWidget,
    QListWidgetItem, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget,
)

from desktop.storage.config import Settings
from desktop.ui.i18n import LANGUAGES, normalize


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, *, fields: list[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = settings
        self.setWindowTitle(self.tr("Settings"))
        self.resize(560, 640)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        lay.addLayout(form)

        self.max_new_tokens = QSpinBox()
        self.max_new_tokens.setRange(1, 32768)
        self.max_new_tokens.setValue(settings.max_new_tokens)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(settings.temperature)
        self.top_p = QDoubleSpinBox()
        self.top_p.setRange(0.05, 1.0)
        self.top_p.setSingleStep(0.05)
        self.top_p.setValue(settings.top_p)
        self.repetition_penalty = QDoubleSpinBox()
        self.repetition_penalty.setRange(1.0, 2.0)
        self.repetition_penalty.setSingleStep(0.05)
        self.repetition_penalty.setValue(settings.repetition_penalty)
        self.regenerate_temperature = QDoubleSpinBox()
        self.regenerate_temperature.setRange(0.0, 2.0)
        self.regenerate_temperature.setSingleStep(0.1)
        self.regenerate_temperature.setValue(settings.regenerate_temperature)
        self.injection_position = QComboBox()
        for code, name in (("system", self.tr("In the instructions (system prompt)")),
                           ("inline", self.tr("In the question, after each term")), ("both", self.tr("Both"))):
            self.injection_position.addItem(name, code)
        self.injection_position.setCurrentIndex(max(0, self.injection_position.findData(settings.injection_position)))
        self.injection = QCheckBox(self.tr("Put definitions of detected terms into the prompt"))
        self.injection.setChecked(settings.injection)
        self.injection_budget = QSpinBox()
        self.injection_budget.setRange(0, 8192)
        self.injection_budget.setValue(settings.injection_budget)
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(normalize(settings.language))))
        self.font_size = QSpinBox()
        self.font_size.setRange(7, 32)
        self.font_size.setValue(settings.font_size)
        self.active_fields = QListWidget()
        self.active_fields.setMaximumHeight(110)
        for f in fields:
            item = QListWidgetItem(f)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if f in settings.active_fields else Qt.Unchecked)
            self.active_fields.addItem(item)
        self.system_prompt = QPlainTextEdit(settings.system_prompt)
        self.system_prompt.setFixedHeight(70)
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(0, 24 * 60)
        self.lock_minutes.setSpecialValueText(self.tr("Never"))
        self.lock_minutes.setValue(max(0, settings.lock_minutes))
        self.csv_neutralise_formulas = QCheckBox(self.tr("Neutralise spreadsheet formulas"))
        self.csv_neutralise_formulas.setChecked(settings.csv_neutralise_formulas)

        rows = [
            ("max_new_tokens", self.tr("Longest answer (tokens):"), self.max_new_tokens),
            ("temperature", self.tr("Temperature:"), self.temperature),
            ("top_p", self.tr("Top-p:"), self.top_p),
            ("repetition_penalty", self.tr("Repetition penalty:"), self.repetition_penalty),
            ("regenerate_temperature", self.tr("Regenerate temperature:"), self.regenerate_temperature),
            ("injection", self.tr("Term injection:"), self.injection),
            ("injection_budget", self.tr("Term block budget (tokens):"), self.injection_budget),
            ("injection_position", self.tr("Where definitions go:"), self.injection_position),
            ("active_fields", self.tr("Active subject fields:"), self.active_fields),
            ("system_prompt", self.tr("Instructions to the model:"), self.system_prompt),
            ("language", self.tr("Interface language:"), self.language),
            ("font_size", self.tr("Chat font size:"), self.font_size),
            ("lock_minutes", self.tr("Lock after (idle minutes):"), self.lock_minutes),
            ("csv_neutralise_formulas", self.tr("CSV exports:"), self.csv_neutralise_formulas),
        ]
        for name, label, widget in rows:
            # the help text lives on the Settings field; its translations are in context "SettingsHelp"
            help_text = QCoreApplication.translate("SettingsHelp", settings.help(name))
            widget.setToolTip(help_text)
            widget.setAccessibleName(label.rstrip(":："))
            widget.setAccessibleDescription(help_text)
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            hint = QLabel(help_text)
            hint.setObjectName("termMeta")
            hint.setWordWrap(True)
            box.addWidget(hint)
            form.addRow(label, box)
            setattr(self, f"{name}_help", hint)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def settings(self) -> Settings:
        fields = [self.active_fields.item(i).text() for i in range(self.active_fields.count())
                  if self.active_fields.item(i).checkState() == Qt.Checked]
        return replace(
            self.original,
            max_new_tokens=self.max_new_tokens.value(),
            temperature=round(self.temperature.value(), 3),
            top_p=round(self.top_p.value(), 3),
            repetition_penalty=round(self.repetition_penalty.value(), 3),
            regenerate_temperature=round(self.regenerate_temperature.value(), 3),
            injection_position=self.injection_position.currentData(),
            injection=self.injection.isChecked(),
            injection_budget=self.injection_budget.value(),
            active_fields=fields,
            system_prompt=self.system_prompt.toPlainText().strip() or self.original.system_prompt,
            language=self.language.currentData(),
            font_size=self.font_size.value(),
            lock_minutes=self.lock_minutes.value(),
            csv_neutralise_formulas=self.csv_neutralise_formulas.isChecked(),
        )
