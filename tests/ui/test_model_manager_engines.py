"""The model manager says which engine runs the model and why, says the embedded model is a
demonstration model, and offers a GGUF found in LM Studio's folder, which then answers on llama.cpp."""

from __future__ import annotations

import pytest

from desktop.ui.model_manager import ModelManagerDialog
from tests.engine.llama_server import default_gguf, needs_llama
from tests.ui.conftest import ask


def test_the_engine_its_reason_and_the_demonstration_note_are_shown(open_window, qtbot, default_model_dir):
    needs_llama()
    default_gguf(default_model_dir)
    win = open_window(model_dir=default_model_dir, max_new_tokens=4)
    qtbot.waitUntil(lambda: "SmolLM2" in win.status.model.text(), timeout=60_000)
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    text = dialog.current.text()
    assert "Engine: llama.cpp, because on a CPU llama.cpp runs the folder's SmolLM2-135M-Instruct.Q4_1.gguf" in text
    assert "small demonstration model" in text and "Load a real model here" in text
    dialog.path.setText(str(default_model_dir))
    dialog.check()
    qtbot.waitUntil(lambda: "Engine:" in dialog.check_label.text(), timeout=60_000)
    dialog.close()
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    assert answer["content"].strip() and answer["stats"]["path"] == "llama.cpp"


def test_a_gguf_in_lm_studio_is_offered_and_loads_on_llama_cpp(open_window, qtbot, default_model_dir, tmp_path,
                                                              monkeypatch: pytest.MonkeyPatch):
    needs_llama()
    gguf = default_gguf(default_model_dir)
    home = tmp_path / "user"
    lms = home / ".lmstudio" / "models" / "someone" / "tiny-GGUF"
    lms.mkdir(parents=True)
    (lms / "tiny-q4_1.gguf").symlink_to(gguf)
    monkeypatch.setenv("HOME", str(home))
    win = open_window(model_dir=default_model_dir, max_new_tokens=4)
    dialog = ModelManagerDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: any("LM Studio" in dialog.list.item(i).text() for i in range(dialog.list.count())),
                    timeout=60_000)
    row = next(dialog.list.item(i) for i in range(dialog.list.count()) if "LM Studio" in dialog.list.item(i).text())
    assert "Q4_1" in row.text() and "fits in memory" in row.text() and "llama.cpp" in row.text()
    dialog.list.setCurrentItem(row)
    assert dialog.path.text().endswith("tiny-q4_1.gguf")
    with qtbot.waitSignal(win.ctx.worker.loaded, timeout=120_000) as loaded:
        dialog.load()
    assert loaded.args[0]["engine"] == "llama.cpp" and loaded.args[0]["name"] == "tiny-q4_1"
    dialog.close()
    answer = ask(qtbot, win, "What does CKD-EPI estimate?")
    assert answer["content"].strip()
