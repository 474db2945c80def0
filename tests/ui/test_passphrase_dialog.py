"""The passphrase asked before the window opens: chosen where no secure keyring exists,
typed to open protected data, asked again after a wrong one, never needed with a keyring."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from desktop.storage import appdata, crypto, security
from desktop.ui.passphrase_dialog import PassphraseDialog, obtain_key

GOOD = "correct horse battery staple"


@pytest.fixture
def no_keyring(monkeypatch):
    monkeypatch.setenv("TERMLENS_KEYRING", "none")
    monkeypatch.setattr(security, "DEFAULT_KDF", crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))


def _ok(dialog: PassphraseDialog):
    return dialog.buttons.button(QDialogButtonBox.Ok)


def test_choosing_a_passphrase_refuses_a_short_or_mistyped_one(qtbot):
    dialog = PassphraseDialog(mode="create", folder="/data/TermLens")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.again.isVisible() and "no secure keyring" in dialog.message.text()
    dialog.passphrase.setText("short")
    dialog.again.setText("short")
    qtbot.mouseClick(_ok(dialog), Qt.LeftButton)
    assert dialog.isVisible() and "at least 8 characters" in dialog.error.text()
    dialog.passphrase.setText(GOOD)
    dialog.again.setText(GOOD + "!")
    qtbot.mouseClick(_ok(dialog), Qt.LeftButton)
    assert dialog.isVisible() and "differ" in dialog.error.text()
    dialog.again.setText(GOOD)
    qtbot.mouseClick(_ok(dialog), Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted and dialog.value() == GOOD


def _answer_with(monkeypatch, answers: list[str | None], seen: list[PassphraseDialog]) -> None:
    """Each time the dialog is shown, type the next answer (None: press Quit)."""

    def exec_(self):
        seen.append(self)
        text = answers.pop(0)
        if text is None:
            return QDialog.Rejected
        self.passphrase.setText(text)
        self.again.setText(text)
        self.accept()
        return self.result()

    monkeypatch.setattr(PassphraseDialog, "exec", exec_)


def test_without_a_keyring_the_person_chooses_a_passphrase_then_needs_it(no_keyring, monkeypatch, termlens_home):
    seen: list[PassphraseDialog] = []
    _answer_with(monkeypatch, [GOOD], seen)
    key = obtain_key()
    assert key is not None and [d.mode for d in seen] == ["create"]
    assert (termlens_home / "keyfile.json").is_file()
    assert security.KeyManager(termlens_home, backend=None).unlock(GOOD) == key

    appdata.forget_keys()  # the next start
    seen.clear()
    _answer_with(monkeypatch, ["a wrong guess", GOOD], seen)
    assert obtain_key() == key
    assert len(seen) == 2 and seen[0] is seen[1]  # one dialog, shown again after the wrong passphrase
    assert seen[0].mode == "unlock"
    assert "does not unlock" in seen[0].error.text()


def test_quitting_the_dialog_opens_nothing(no_keyring, monkeypatch, termlens_home):
    _answer_with(monkeypatch, [None], [])
    assert obtain_key() is None
    assert not (termlens_home / "keyfile.json").exists() and not (termlens_home / "termlens.db").exists()


def test_with_a_keyring_no_dialog_is_shown(monkeypatch, termlens_home):
    seen: list[PassphraseDialog] = []
    _answer_with(monkeypatch, [], seen)
    key = obtain_key()
    assert key is not None and seen == []
    assert security.KeyManager(termlens_home).status() == "keyring"
