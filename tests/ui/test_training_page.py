"""The Training page: every setting with its explanation, a short training on the tiny
model with progress and a loss curve, cancel and resume, and bad input in a sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ui.conftest import LOAD_TIMEOUT_MS

TRAIN_TIMEOUT_MS = 300_000


def make_pairs(n: int = 24) -> list[dict]:
    return [{"id": f"p{i}", "concept_id": i % 6, "status": "accepted",
             "messages": [{"role": "user", "content": f"What does term {i} mean?"},
                          {"role": "assistant", "content": f"Term {i} is the rate of fox {i % 6}."}]}
            for i in range(n)]


def write_pairs(path: Path, pairs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    return path


@pytest.fixture
def ctx(qtbot, tiny_model_dir):
    """The app's context with the tiny model loaded on the real model thread."""
    from desktop.ui.app import make_app
    from desktop.app import open_context

    make_app()
    c = open_context(model=str(tiny_model_dir))
    with qtbot.waitSignal(c.worker.loaded, timeout=LOAD_TIMEOUT_MS):
        c.worker.request_load(str(tiny_model_dir))
    yield c
    c.close()


@pytest.fixture
def page(qtbot, ctx):
    from desktop.ui.training_page import TrainingPage

    p = TrainingPage(ctx)
    qtbot.addWidget(p)
    p.show()
    yield p
    p.shutdown()


def quick(page, pairs_file: Path, *, name: str = "fox", epochs: int = 2) -> None:
    page.file_path.setText(str(pairs_file))
    page.file_radio.setChecked(True)
    page.refresh_data()
    page.name_edit.setText(name)
    page.set_config({"epochs": epochs, "batch_size": 4, "lr": 5e-3, "max_seq_len": 128, "val_fraction": 0.2,
                     "warmup_ratio": 0.0})


def test_every_setting_is_editable_with_an_explanation_and_starts_at_the_methods_defaults(page):
    from dataclasses import fields

    from desktop.engine.train import TrainConfig

    assert {f.name for f in fields(TrainConfig)} == set(page.editors)
    for name in page.editors:
        assert page.field_labels[name].text() and len(page.field_help[name].text()) > 20, name
    cfg = page.config()
    assert cfg == {**TrainConfig().to_dict(), "max_steps": None}
    assert cfg["rank"] == 16 and cfg["alpha"] == 32 and cfg["dropout"] == 0.05 and cfg["lr"] == 2e-4
    assert cfg["target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj"]
    assert cfg["batch_size"] == 4 and cfg["epochs"] == 3


def test_a_short_training_shows_progress_and_the_loss_curve_and_saves_the_adapter(qtbot, page, tmp_path):
    from desktop import paths

    quick(page, write_pairs(tmp_path / "pairs.jsonl", make_pairs()))
    assert "24 pairs will train, from 6 concepts" in page.data_summary.text()
    reports = []
    with qtbot.waitSignal(page.adapter_trained, timeout=TRAIN_TIMEOUT_MS) as done:
        qtbot.mouseClick(page.start_btn, _left())
        assert not page.start_btn.isEnabled() and page.cancel_btn.isEnabled()
        page.job.progress.connect(reports.append)
    assert done.args == ["fox"]
    total = reports[-1].total
    assert page.progress.maximum() == total and page.progress.value() == total
    assert len(page.chart.losses) == total and len(page.chart.val_points) == 2
    page.chart.redraw()
    assert [line.get_label() for line in page.chart.axes.get_lines()] == ["training loss", "held-out loss"]
    text = page.stats.text()
    assert f"Step {total} of {total}" in text and "tokens/s" in text and "held-out loss" in text
    assert "not yet" not in text
    assert "saved" in page.message.text() and "fox" in page.message.text()
    meta = json.loads((paths.adapters_dir() / "fox" / "termlens_adapter.json").read_text())
    assert meta["config"]["epochs"] == 2 and meta["n_pairs"] > 0
    assert page.start_btn.isEnabled() and not page.cancel_btn.isEnabled() and not page.resume_btn.isEnabled()


def test_cancel_keeps_a_checkpoint_and_resume_finishes_the_run(qtbot, page, tmp_path):
    quick(page, write_pairs(tmp_path / "pairs.jsonl", make_pairs()), name="long", epochs=12)
    page.start()
    with qtbot.waitSignal(page.job.progress, timeout=TRAIN_TIMEOUT_MS):
        pass
    with qtbot.waitSignal(page.run_ended, timeout=TRAIN_TIMEOUT_MS) as ended:
        qtbot.mouseClick(page.cancel_btn, _left())
    stopped = ended.args[0]
    assert stopped.stopped and stopped.steps < stopped.total_steps
    assert "Stopped at step" in page.message.text()
    assert page.resume_btn.isEnabled() and page.stopped_label.isVisible()
    assert f"from step {stopped.steps}" in page.stopped_label.text()
    # after a crash the app starts again: the new page offers the same resume
    from desktop.ui.training_page import TrainingPage

    again = TrainingPage(page.ctx)
    qtbot.addWidget(again)
    again.name_edit.setText("long")
    assert again.resume_btn.isEnabled() and f"from step {stopped.steps} of" in again.stopped_label.text()
    again.shutdown()
    # a person changes a setting meanwhile; Resume goes back to the run's own settings
    page.set_config({"rank": 4})
    with qtbot.waitSignal(page.run_ended, timeout=TRAIN_TIMEOUT_MS) as ended:
        qtbot.mouseClick(page.resume_btn, _left())
    result = ended.args[0]
    assert result.resumed_from_step == stopped.steps and result.steps == result.total_steps
    assert page.config()["rank"] == 16
    assert len(page.chart.losses) == result.total_steps  # the curve spans both parts of the run
    assert page.chart.losses[:stopped.steps] == pytest.approx(stopped.losses)
    assert not page.resume_btn.isEnabled() and not page.stopped_label.isVisible()


def test_a_bad_pairs_file_is_one_sentence_and_the_settings_stay(qtbot, page, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": "not a list"}\n', encoding="utf-8")
    quick(page, bad)
    page.set_config({"rank": 8})
    page.start()
    assert "line 1" in page.message.text() or "bad.jsonl" in page.message.text()
    assert "Traceback" not in page.message.text()
    assert page.config()["rank"] == 8 and page.file_path.text() == str(bad)
    assert page.start_btn.isEnabled() and not page.running and page.job is None
    page.editors["target_modules"].setText("q_proj; ???")
    page.file_path.setText(str(write_pairs(tmp_path / "ok.jsonl", make_pairs())))
    page.start()
    assert "separated by commas" in page.message.text() and not page.running
    page.editors["target_modules"].setText("q_proj, v_proj")
    page.name_edit.setText("../models")
    page.start()
    assert "cannot be an adapter name" in page.message.text() and not page.running


def test_a_layer_the_model_lacks_is_refused_in_a_sentence(qtbot, page, tmp_path):
    quick(page, write_pairs(tmp_path / "pairs.jsonl", make_pairs()))
    page.editors["target_modules"].setText("attention_dense")
    with qtbot.waitSignal(page.run_ended, timeout=TRAIN_TIMEOUT_MS):
        page.start()
    assert "no layers named attention_dense" in page.message.text()
    assert page.start_btn.isEnabled() and not page.running


def test_a_model_with_8_bit_weights_is_asked_to_load_in_full_precision_first(qtbot, page, tmp_path, tiny_model_dir):
    with qtbot.waitSignal(page.ctx.worker.loaded, timeout=LOAD_TIMEOUT_MS):
        page.ctx.worker.request_load(str(tiny_model_dir), weights="int8")
    quick(page, write_pairs(tmp_path / "pairs.jsonl", make_pairs()))
    page.start()
    assert "full-precision weights" in page.message.text() and "Model manager" in page.message.text()
    assert not page.running and page.start_btn.isEnabled() and page.job is None
    with qtbot.waitSignal(page.ctx.worker.loaded, timeout=LOAD_TIMEOUT_MS):
        page.ctx.worker.request_load(str(tiny_model_dir))  # full precision again: training may start
    with qtbot.waitSignal(page.run_ended, timeout=TRAIN_TIMEOUT_MS):
        page.start()
    assert "full-precision" not in page.message.text()


def test_reviewed_pairs_are_the_default_source(qtbot, page):
    trainingset = pytest.importorskip("desktop.storage.trainingset")
    pairs = make_pairs(12)
    for p in pairs[:2]:
        p["status"] = "rejected"
    trainingset.save(pairs)
    page.review_radio.setChecked(True)
    page.refresh_data()
    assert "10 pairs will train, from 6 concepts" in page.data_summary.text()
    loaded, version = page.load_pairs()
    assert len(loaded) == 10 and version == page.ctx.store.version()


def _left():
    from PySide6.QtCore import Qt

    return Qt.LeftButton


def test_the_loss_chart_finds_a_chinese_font_installed_after_matplotlib_listed_its_fonts(tmp_path):
    import shutil
    from types import SimpleNamespace

    import matplotlib
    from matplotlib import font_manager

    from desktop.ui.loss_chart import cjk_font_families

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    cjk = shutil.copy(dejavu, tmp_path / "NotoSansCJKsc-Regular.ttf")  # a font file named like a CJK one
    other = shutil.copy(dejavu, tmp_path / "Something-Else.ttf")
    added: list[str] = []
    stale = SimpleNamespace(ttflist=[SimpleNamespace(name="DejaVu Sans")], addfont=added.append)
    fm = SimpleNamespace(fontManager=stale, findSystemFonts=lambda: [str(other), str(cjk)],
                         FontProperties=font_manager.FontProperties)
    assert cjk_font_families(fm) == ["DejaVu Sans"]  # the family inside the file that was added
    assert added == [str(cjk)]
    listed = SimpleNamespace(ttflist=[SimpleNamespace(name="Noto Sans CJK SC")], addfont=added.append)
    assert cjk_font_families(SimpleNamespace(fontManager=listed, findSystemFonts=lambda: [str(cjk)])) == [
        "Noto Sans CJK SC"]  # already known: nothing is searched or added
    assert added == [str(cjk)]
