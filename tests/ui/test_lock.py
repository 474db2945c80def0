"""Auto-lock: after the idle minutes the conversations are hidden until the person unlocks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from desktop.storage import crypto, security
from tests.ui.conftest import ask
from tests.ui.fakes import FakeWorker

PATIENT = "Mrs Odile Brennan-Saoirse, 47, asked that her HIV status stay out of the referral"


def _visible_text(win) -> list[str]:
    """The conversation text a person could see in the window now."""
    shown = [b.text for b in win.chat.bubbles if b.isVisible()]
    shown += [win.conversations.list.item(i).text() for i in range(win.conversations.list.count())
              if win.conversations.list.isVisible()]
    return shown


def test_idle_minutes_lock_the_window_and_a_click_unlocks_it(open_window, qtbot):
    win = open_window(worker=FakeWorker(rate=2000), max_new_tokens=5)
    ask(qtbot, win, PATIENT)
    assert PATIENT in _visible_text(win)
    assert win.lock.timer.isActive() and win.lock.timer.interval() == 15 * 60_000  # the default: 15 minutes

    win.lock.timer.timeout.emit()  # the idle minutes ran out
    assert win.lock.locked
    assert not any(PATIENT in t or "Brennan" in t for t in _visible_text(win))
    assert not win.chat.isVisible() and not win.terms.isVisible()
    overlay = win.lock.overlays[0]
    assert overlay.isVisible() and overlay.title.text() == "TermLens is locked"
    assert not overlay.passphrase.isVisible()  # the key is in the keyring: no passphrase to ask

    conv = win.session.conv_id
    qtbot.keyClick(overlay, Qt.Key_N, Qt.ControlModifier)  # shortcuts do nothing behind the cover
    assert win.session.conv_id == conv

    qtbot.mouseClick(overlay.unlock_btn, Qt.LeftButton)
    assert not win.lock.locked and win.lock.overlays == []
    assert PATIENT in _visible_text(win)
    assert win.lock.timer.isActive()


def test_input_starts_the_countdown_again_and_zero_turns_it_off(open_window, qtbot):
    win = open_window(worker=FakeWorker())
    win.lock.timer.stop()
    qtbot.keyClick(win.chat.input, Qt.Key_A)
    assert win.lock.timer.isActive()

    win.apply_settings(replace(win.ctx.settings, lock_minutes=0))
    assert not win.lock.timer.isActive()
    qtbot.keyClick(win.chat.input, Qt.Key_B)
    assert not win.lock.timer.isActive()
    win.apply_settings(replace(win.ctx.settings, lock_minutes=3))
    assert win.lock.timer.isActive() and win.lock.timer.interval() == 3 * 60_000
    from desktop.storage import config

    assert config.load().lock_minutes == 3


def test_with_a_passphrase_only_the_passphrase_unlocks(open_window, qtbot, monkeypatch):
    monkeypatch.setenv("TERMLENS_KEYRING", "none")
    monkeypatch.setenv("TERMLENS_PASSPHRASE", "correct horse battery staple")
    monkeypatch.setattr(security, "DEFAULT_KDF", crypto.KdfParams(time_cost=1, memory_cost=1024, parallelism=1))
    win = open_window(worker=FakeWorker(rate=2000), max_new_tokens=5)
    ask(qtbot, win, PATIENT)
    assert win.ctx.passphrase_set()

    win.lock.lock()
    overlay = win.lock.overlays[0]
    assert overlay.passphrase.isVisible()
    overlay.passphrase.setText("a wrong guess")
    qtbot.keyClick(overlay.passphrase, Qt.Key_Return)
    assert win.lock.locked and overlay.error.isVisible()
    assert "does not unlock" in overlay.error.text()
    assert PATIENT not in _visible_text(win)
    qtbot.mouseClick(overlay.unlock_btn, Qt.LeftButton)  # empty field: still locked
    assert win.lock.locked

    overlay.passphrase.setText("correct horse battery staple")
    qtbot.keyClick(overlay.passphrase, Qt.Key_Return)
    assert not win.lock.locked
    assert PATIENT in _visible_text(win)


def test_an_open_dialog_is_covered_too_and_stays_open(open_window, qtbot):
    from desktop.ui.prompt_dialog import PromptDialog

    win = open_window(worker=FakeWorker())
    dialog = PromptDialog(f"<|user|>\n{PATIENT}", win)
    qtbot.addWidget(dialog)
    dialog.show()
    win.lock.lock()
    assert len(win.lock.overlays) == 2
    cover = next(o for o in win.lock.overlays if o.parentWidget() is dialog)
    assert cover.isVisible() and cover.geometry() == dialog.rect()
    qtbot.mouseClick(cover.unlock_btn, Qt.LeftButton)  # unlocking from the dialog unlocks everything
    assert not win.lock.locked and dialog.isVisible()
    assert not [o for o in dialog.findChildren(type(cover)) if o.isVisible()]


@pytest.mark.parametrize("minutes", [0, 15])
def test_the_settings_dialog_offers_the_lock_minutes_with_their_help(qtbot, minutes):
    from desktop.storage.config import Settings
    from desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(lock_minutes=minutes))
    qtbot.addWidget(dialog)
    assert dialog.lock_minutes.value() == minutes
    assert "0: never" in dialog.lock_minutes_help.text()
    assert (dialog.lock_minutes.text() == "Never") == (minutes == 0)
    dialog.lock_minutes.setValue(7)
    assert dialog.settings().lock_minutes == 7
