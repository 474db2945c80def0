"""The model manager: a check before loading, and a failed load that leaves the
previous model answering."""

from __future__ import annotations

import shutil

from desktop.ui.model_manager import ModelManagerDialog
from tests.ui.conftest import ask


def test_failed_load_is_a_message_and_the_previous_model_still_answers(open_window, qtbot, default_model_dir,
                                                                        tmp_path):
    win = open_window(model_dir=default_model_dir, max_new_tokens=4)
    bad = tmp_path / "pickled-model"
    bad.mkdir()
    shutil.copy(default_model_dir / "config.json", bad / "config.json")
    (bad / "pytorch_model.bin").write_bytes(b"\x80\x02}q\x00.")
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(bad))
    with qtbot.waitSignal(win.ctx.worker.load_failed, timeout=60_000):
        dialog.load()
    qtbot.waitUntil(lambda: bool(dialog.message.text()), timeout=10_000)  # the dialog's slot, on the GUI thread
    assert "pickle" in dialog.message.text()
    assert "still in use" in dialog.message.text()
    assert dialog.load_btn.isEnabled() and not dialog.progress.isVisible()
    assert "SmolLM2" in win.status.model.text()
    assert win.ctx.settings.model_path == ""  # a failed load is not remembered
    dialog.close()
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    assert answer["content"].strip() and answer["stats"]["new_tokens"] > 0


def test_check_shows_memory_needed_against_free(open_window, qtbot, default_model_dir):
    win = open_window(model_dir=default_model_dir)
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    assert dialog.list.count() >= 1
    assert "SmolLM2" in dialog.current.text()
    dialog.path.setText(str(default_model_dir))
    dialog.check()
    qtbot.waitUntil(lambda: "Checking" not in dialog.check_label.text(), timeout=60_000)
    text = dialog.check_label.text()
    assert "Memory needed" in text and "free" in text and "It fits." in text
    dialog.path.setText(str(default_model_dir.parent / "no-such-model"))
    dialog.check()
    qtbot.waitUntil(lambda: "Checking" not in dialog.check_label.text(), timeout=60_000)
    assert "not a folder" in dialog.check_label.text()


def test_loading_with_8_bit_weights_is_shown_remembered_and_answers(open_window, qtbot, default_model_dir):
    win = open_window(model_dir=default_model_dir, max_new_tokens=4)
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    assert dialog.weights.currentData() == "full"
    dialog.path.setText(str(default_model_dir))
    needed = {}
    for mode in ("full", "int8"):
        dialog.weights.setCurrentIndex(dialog.weights.findData(mode))
        dialog.check_label.clear()
        dialog.check()
        qtbot.waitUntil(lambda: "Memory needed" in dialog.check_label.text(), timeout=60_000)
        needed[mode] = dialog.check_label.text().split("Memory needed on ")[1].split(";")[0]
    assert needed["full"] != needed["int8"]  # the check counts the 8-bit layers
    assert "answer more slowly" in dialog.check_label.text()  # said on a CPU, where int8 has no fast kernel
    with qtbot.waitSignal(win.ctx.worker.loaded, timeout=120_000) as loaded:
        dialog.load()
    assert loaded.args[0]["weights"] == "int8"
    qtbot.waitUntil(lambda: "8-bit" in win.status.device.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "8-bit weights" in dialog.current.text(), timeout=10_000)  # the dialog's own slot
    assert win.ctx.settings.weights == "int8"  # the next start loads 8-bit weights too
    dialog.close()
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    assert answer["content"].strip() and answer["stats"]["new_tokens"] > 0
