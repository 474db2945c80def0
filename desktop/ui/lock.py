"""Auto-lock: after some minutes without use, the window hides conversation text until
the person unlocks it.

``AutoLock(window, minutes=..., passphrase_set=..., verify=...)`` watches the
application's input events (keys, clicks, mouse moves, wheel, touch); each one starts
the idle countdown again. When it runs out, the window's pages are hidden and an
opaque ``LockOverlay`` covers the window, and every dialog of the window left open
(a prompt, a concept being edited) is covered too, without closing it, so nothing
typed there is lost. While locked, keyboard shortcuts do nothing.

Unlocking: when the data is protected by a passphrase, the overlay asks for it and
``verify`` checks it (the same passphrase that opens the data); when the key is kept
in the system keyring, a click on Unlock is enough, because TermLens has no secret of
its own to ask for. The lock is a screen lock: the database stays open and an answer
being written goes on while locked. ``minutes`` 0 turns auto-lock off; ``lock()``
locks at once (File ▸ Lock, Ctrl+L). GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication, QDialog, QLabel, QLineEdit, QMainWindow, QPushButton, QVBoxLayout, QWidget,
)

from desktop.ui.i18n import Retranslating

_INPUT = {
    QEvent.KeyPress, QEvent.MouseButtonPress, QEvent.MouseButtonDblClick, QEvent.MouseMove, QEvent.Wheel,
    QEvent.TouchBegin, QEvent.TabletPress,
}


class LockOverlay(Retranslating, QWidget):
    """An opaque cover over ``parent`` with the unlock controls; follows its size."""

    unlock_requested = Signal(str)  # the passphrase typed ("" when none is asked)

    def __init__(self, parent: QWidget, *, ask_passphrase: bool) -> None:
        super().__init__(parent)
        self.setObjectName("lockOverlay")
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.Window, parent.palette().color(QPalette.Window))
        self.setPalette(pal)
        lay = QVBoxLayout(self)
        lay.setAlignment(Qt.AlignCenter)
        self.title = QLabel()
        self.title.setObjectName("panelHeading")
        self.title.setAlignment(Qt.AlignCenter)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignCenter)
        self.hint.setFixedWidth(440)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.Password)
        self.passphrase.setVisible(ask_passphrase)
        self.passphrase.setFixedWidth(320)
        self.passphrase.returnPressed.connect(self._submit)
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.setAlignment(Qt.AlignCenter)
        self.error.setFixedWidth(440)
        self.error.setVisible(False)
        self.unlock_btn = QPushButton()
        self.unlock_btn.setObjectName("sendButton")
        self.unlock_btn.setDefault(True)
        self.unlock_btn.clicked.connect(self._submit)
        for w in (self.title, self.hint, self.passphrase, self.error, self.unlock_btn):
            lay.addWidget(w, 0, Qt.AlignHCenter)
        self.ask_passphrase = ask_passphrase
        self.retranslate()
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())

    def retranslate(self) -> None:
        self.title.setText(self.tr("TermLens is locked"))
        if self.ask_passphrase:
            self.hint.setText(self.tr("Your conversations are hidden. Enter your passphrase to show them again."))
        else:
            self.hint.setText(self.tr("Your conversations are hidden. Click Unlock to show them again."))
        self.passphrase.setPlaceholderText(self.tr("Passphrase"))
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.unlock_btn.setText(self.tr("Unlock"))
        self.unlock_btn.setAccessibleName(self.tr("Unlock TermLens"))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _submit(self) -> None:
        self.unlock_requested.emit(self.passphrase.text() if self.ask_passphrase else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if watched is self.parentWidget() and event.type() == QEvent.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False


class AutoLock(QObject):
    """Locks ``window`` after ``minutes`` without input; see the module docstring.

    ``passphrase_set()`` says whether unlocking asks for the passphrase (asked at each
    lock, since a passphrase may be set while the app runs); ``verify(text)`` says
    whether ``text`` is that passphrase.
    """

    locked_changed = Signal(bool)

    def __init__(self, window: QMainWindow, *, minutes: int, passphrase_set: Callable[[], bool],
                 verify: Callable[[str], bool]) -> None:
        super().__init__(window)
        self.window = window
        self.passphrase_set = passphrase_set
        self.verify = verify
        self.locked = False
        self.overlays: list[LockOverlay] = []
        self._hidden: QWidget | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.minutes = 0
        self.action = QAction(window, shortcut=QKeySequence(Qt.CTRL | Qt.Key_L), triggered=self.lock)
        self.action.setShortcutContext(Qt.ApplicationShortcut)
        menu = getattr(window, "file_menu", None)
        if menu is not None:
            menu.insertAction(menu.actions()[-1] if menu.actions() else None, self.action)
        else:
            window.addAction(self.action)
        self.retranslate()
        QApplication.instance().installEventFilter(self)
        self.set_minutes(minutes)

    def retranslate(self) -> None:
        self.action.setText(self.tr("&Lock"))
        self.action.setToolTip(self.tr("Hide your conversations until you unlock TermLens"))

    def set_minutes(self, minutes: int) -> None:
        """Idle minutes before locking; 0 turns auto-lock off."""
        self.minutes = max(0, int(minutes))
        if self.minutes and not self.locked:
            self.timer.start(self.minutes * 60_000)
        else:
            self.timer.stop()

    # ---- locking ------------------------------------------------------------------------
    def lock(self) -> None:
        if self.locked or not self.window.isVisible():
            return
        self.locked = True
        self.timer.stop()
        ask = bool(self.passphrase_set())
        central = self.window.centralWidget()
        if central is not None and central.isVisible():
            central.setVisible(False)  # hidden, not just covered: grabs and screen readers see nothing
            self._hidden = central
        targets: list[QWidget] = [self.window]
        targets += [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QDialog) and w.isVisible() and self._belongs(w)]
        for target in targets:
            overlay = LockOverlay(target, ask_passphrase=ask)
            overlay.unlock_requested.connect(lambda text, o=overlay: self.unlock(text, overlay=o))
            overlay.show()
            overlay.raise_()
            self.overlays.append(overlay)
        focus = self.overlays[-1]
        (focus.passphrase if ask else focus.unlock_btn).setFocus()
        self.locked_changed.emit(True)

    def _belongs(self, w: QWidget) -> bool:
        p = w.parentWidget()
        while p is not None:
            if p is self.window:
                return True
            p = p.parentWidget()
        return False

    def unlock(self, passphrase: str = "", *, overlay: LockOverlay | None = None) -> bool:
        """Show the conversations again; False (and a message) when the passphrase does not fit."""
        if not self.locked:
            return True
        if self.overlays and self.overlays[0].ask_passphrase:
            QApplication.setOverrideCursor(Qt.WaitCursor)
            try:
                ok = bool(passphrase) and self.verify(passphrase)
            finally:
                QApplication.restoreOverrideCursor()
            if not ok:
                (overlay or self.overlays[0]).show_error(
                    self.tr("That passphrase does not unlock TermLens. Check it and try again."))
                return False
        for o in self.overlays:
            o.hide()
            o.deleteLater()
        self.overlays = []
        if self._hidden is not None:
            self._hidden.setVisible(True)
            self._hidden = None
        self.locked = False
        self.set_minutes(self.minutes)
        self.locked_changed.emit(False)
        return True

    # ---- idle watch ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        kind = event.type()
        if self.locked:
            if kind == QEvent.Shortcut:  # no Ctrl+N, Preferences or Quit behind the cover
                return True
        elif kind in _INPUT and self.minutes:
            self.timer.start(self.minutes * 60_000)
        elif kind == QEvent.LanguageChange and watched is self.window:
            self.retranslate()
        return False

    def shutdown(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
