"""Asking for the passphrase that protects the user's data, before the window opens.

``PassphraseDialog(mode="unlock")`` asks for the passphrase of a data directory that
has one; ``mode="create"`` asks for a new one (typed twice) where this computer has no
secure keyring to keep the key: TermLens never stores the data unencrypted instead.
``obtain_key(parent)`` runs the whole exchange (keyring first, then the dialog, again
after a wrong passphrase) and returns the data key, or None when the person cancels.
The passphrase is never shown, logged or kept: it goes to ``desktop.storage.appdata.data_key``.
GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication, QDialog, QDialogButtonBox, QLabel, QLayout, QLineEdit, QMessageBox, QVBoxLayout, QWidget,
)

from desktop.storage import appdata, crypto, security
from desktop.errors import StorageError


class PassphraseDialog(QDialog):
    def __init__(self, *, mode: str, folder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if mode not in ("unlock", "create"):
            raise ValueError("mode must be 'unlock' or 'create'")
        self.mode = mode
        self.setWindowTitle(self.tr("TermLens"))
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        # the dialog grows with its wrapped texts (a warning appearing, a longer Chinese sentence)
        lay.setSizeConstraint(QLayout.SetMinimumSize)
        self.message = QLabel()
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.Password)
        lay.addWidget(self.passphrase)
        self.again = QLineEdit()
        self.again.setEchoMode(QLineEdit.Password)
        self.again.setVisible(mode == "create")
        lay.addWidget(self.again)
        self.folder = QLabel(folder)
        self.folder.setObjectName("termMeta")
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.folder.setVisible(bool(folder))
        lay.addWidget(self.folder)
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.retranslate()
        self.passphrase.setFocus()

    def retranslate(self) -> None:
        if self.mode == "unlock":
            self.message.setText(self.tr("Your TermLens data is protected by a passphrase. Enter it to open your "
                                         "glossary and conversations."))
        else:
            self.message.setText(self.tr(
                "This computer has no secure keyring to keep TermLens's encryption key, so your data needs a "
                "passphrase. Choose one of at least {n} characters. Keep it safe: without it your glossary and "
                "conversations cannot be opened, and TermLens never stores them unencrypted instead."
            ).format(n=crypto.MIN_PASSPHRASE))
        self.passphrase.setPlaceholderText(self.tr("Passphrase"))
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.again.setPlaceholderText(self.tr("The same passphrase again"))
        self.again.setAccessibleName(self.tr("Confirm the passphrase"))
        self.buttons.button(QDialogButtonBox.Ok).setText(self.tr("Open") if self.mode == "unlock" else self.tr("Protect"))
        self.buttons.button(QDialogButtonBox.Cancel).setText(self.tr("Quit"))

    def value(self) -> str:
        return self.passphrase.text()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.adjustSize()  # room for the new lines, so no text is cut off
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def accept(self) -> None:
        text = self.passphrase.text()
        if self.mode == "create":
            if len(text) < crypto.MIN_PASSPHRASE:
                self.show_error(self.tr("Choose a passphrase of at least {n} characters.").format(n=crypto.MIN_PASSPHRASE))
                return
            if self.again.text() != text:
                self.show_error(self.tr("The two passphrases differ; type the same one twice."))
                return
        elif not text:
            self.show_error(self.tr("Enter your passphrase."))
            return
        super().accept()


def obtain_key(parent: QWidget | None = None) -> bytes | None:
    """The data key of the current data directory, asking for the passphrase when one is
    needed; None when the person cancels (or the key is missing: they were told why)."""
    km = security.KeyManager()
    try:
        return appdata.data_key(ask=False)
    except security.PassphraseRequired:
        pass
    except StorageError as exc:  # a missing or damaged key: nothing to type can fix it here
        QMessageBox.critical(parent, QApplication.translate("PassphraseDialog", "TermLens"), str(exc))
        return None
    mode = "unlock" if km.status() == "passphrase-needed" else "create"
    dialog = PassphraseDialog(mode=mode, folder=str(km.home), parent=parent)
    while dialog.exec() == QDialog.Accepted:
        QApplication.setOverrideCursor(Qt.WaitCursor)  # Argon2id takes a moment, on purpose
        try:
            return appdata.data_key(dialog.value(), ask=False)
        except StorageError as exc:  # a wrong passphrase, or a keyfile that cannot be read
            dialog.show_error(str(exc))
        finally:
            QApplication.restoreOverrideCursor()
    return None
