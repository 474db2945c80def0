"""Settings: edited in the dialog, applied to the window, saved in config.toml."""

from __future__ import annotations

from desktop.storage import config
from desktop.ui.settings_dialog import SettingsDialog
from tests.ui.fakes import FakeWorker


def test_settings_are_applied_and_saved(open_window, qtbot):
    worker = FakeWorker(rate=2000)
    win = open_window(worker=worker)
    dialog = SettingsDialog(win.ctx.settings, fields=win.ctx.store.subject_fields(), parent=win)
    qtbot.addWidget(dialog)
    assert "Longest answer" in dialog.max_new_tokens.toolTip()  # help text from the Settings field
    dialog.max_new_tokens.setValue(7)
    dialog.temperature.setValue(0.7)
    dialog.injection.setChecked(False)
    dialog.font_size.setValue(14)
    for i in range(dialog.active_fields.count()):
        if dialog.active_fields.item(i).text() == "cardiology":
            dialog.active_fields.item(i).setCheckState(dialog.active_fields.item(i).checkState().Checked)
    win.apply_settings(dialog.settings())
    saved = config.load()
    assert (saved.max_new_tokens, saved.temperature, saved.injection, saved.font_size) == (7, 0.7, False, 14)
    assert saved.active_fields == ["cardiology"]
    assert win.ctx.matcher.active_fields == {"cardiology"}
    assert win.chat.input.font().pointSize() == 14
    # the next question uses them: no injection, 7 tokens
    win.chat.input.setPlainText("What does CKD-EPI estimate?")
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
        win.chat.send_btn.click()
    req = worker.requests[-1]
    assert req.max_new_tokens == 7 and req.temperature == 0.7
    assert "estimates glomerular filtration rate" not in req.messages[0]["content"]


def test_the_instructions_to_the_model_are_kept_encrypted_not_in_config_toml(open_window, qtbot, termlens_home):
    from desktop import paths

    win = open_window(worker=FakeWorker(rate=2000))
    dialog = SettingsDialog(win.ctx.settings, fields=[], parent=win)
    qtbot.addWidget(dialog)
    text = "Answer for the renal ward at St Aldhelm's; keep it short."
    dialog.system_prompt.setPlainText(text)
    win.apply_settings(dialog.settings())
    assert win.ctx.settings.system_prompt == text
    written = paths.config_path().read_text(encoding="utf-8")
    assert "font_size" in written and "system_prompt" not in written and "Aldhelm" not in written
    assert config.load().system_prompt != text  # config.toml alone does not know it
    assert win.ctx.conversations.private_setting("system_prompt") == text  # the encrypted database does
    win.chat.input.setPlainText("What does CKD-EPI estimate?")
    with qtbot.waitSignal(win.session.answer_finished, timeout=5_000):
        win.chat.send_btn.click()
    worker = win.ctx.worker
    assert worker.requests[-1].messages[0]["content"].startswith(text)
