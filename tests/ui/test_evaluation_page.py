"""The Evaluation page: the choices reach the model-thread job, bad choices are one sentence
that loses nothing, and with the default model a run shows the table, the groups and the
chart, keeps the report encrypted, exports plain files, and stops on Cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.workers.handle import JobHandle
from tests.ui.fakes import FakeWorker

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "testsets" / "sample.jsonl"
RUN_TIMEOUT_MS = 600_000  # a busy two-core machine is slow; the run ends long before on a free one


def _few(tmp_path: Path, ids: list[str]) -> Path:
    rows = {json.loads(line)["id"]: line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()}
    path = tmp_path / "few.jsonl"
    path.write_text("\n".join(rows[i] for i in ids) + "\n", encoding="utf-8")
    return path


def _page(open_window):
    win = open_window(worker=FakeWorker())
    win.tabs.setCurrentWidget(win.evaluation)
    return win, win.evaluation


def _texts(table, col: int = 0) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def _adapter_folders(home: Path) -> None:
    """One usable adapter (as far as listing goes) and one without weights."""
    import numpy as np
    from safetensors.numpy import save_file

    good = home / "adapters" / "cardio"
    good.mkdir(parents=True)
    save_file({"base_model.model.layers.0.q_proj.lora_A.weight": np.zeros((4, 8), dtype=np.float32)},
              str(good / "adapter_model.safetensors"))
    (good / "adapter_config.json").write_text('{"r": 4, "lora_alpha": 8}', encoding="utf-8")
    (good / "termlens_adapter.json").write_text('{"base_fingerprint": "x", "concept_ids": [1]}', encoding="utf-8")
    (home / "adapters" / "broken").mkdir()


def test_the_chosen_set_methods_and_adapter_reach_the_job(open_window, qtbot, monkeypatch, termlens_home):
    _adapter_folders(termlens_home)
    win, page = _page(open_window)
    jobs = []
    page.refresh_adapters()  # the folders were made after the page read them
    assert [page.adapter.itemText(i) for i in range(page.adapter.count())][1:] == ["broken", "cardio"]
    assert not page.adapter.model().item(1).isEnabled()
    assert "no weights" in page.adapter.itemData(1, Qt.ToolTipRole)
    assert not page.method_boxes["lora"].isEnabled()  # no adapter chosen: the LoRA methods cannot run
    page.adapter.setCurrentIndex(2)
    assert page.method_boxes["lora"].isEnabled() and page.forgetting.isEnabled() is False
    page.method_boxes["lora"].setChecked(True)
    assert page.forgetting.isEnabled() and page.forgetting.isChecked()
    monkeypatch.setattr(win.ctx.worker, "submit", lambda job: jobs.append(job) or JobHandle(job))
    qtbot.mouseClick(page.run_btn, Qt.LeftButton)
    (job,) = jobs
    spec = job.kwargs["spec"]
    assert spec["testsets"] == [str(SAMPLE)] and spec["adapter"] == "cardio" and spec["forgetting"]
    assert spec["methods"] == ["base", "inject", "lora", "oracle"]
    assert spec["settings"]["system_prompt"] == win.ctx.settings.system_prompt
    assert len(job.kwargs["concepts"]) > 100  # the starter glossaries of a new data directory
    assert page.running and page.cancel_btn.isEnabled() and not page.run_btn.isEnabled()
    page.job.failed.emit("The adapter 'cardio' was made for another model.")  # as the model thread would
    assert page.status.text() == "The adapter 'cardio' was made for another model."
    assert page.run_btn.isEnabled() and not page.running
    assert page.adapter.currentText() == "cardio" and page.method_boxes["lora"].isChecked()  # nothing lost


def test_bad_choices_are_one_sentence(open_window, qtbot, tmp_path):
    win, page = _page(open_window)
    page.set_testset("file")
    qtbot.mouseClick(page.run_btn, Qt.LeftButton)
    assert page.status.text() == "Choose a test-set file first." and not page.running
    page.set_testset("sample")
    page.set_methods([])
    qtbot.mouseClick(page.run_btn, Qt.LeftButton)
    assert page.status.text() == "Choose at least one method."
    page.set_methods(["base"])
    win.ctx.worker.lm = None
    qtbot.mouseClick(page.run_btn, Qt.LeftButton)
    assert page.status.text().startswith("No model is loaded yet.")


def test_a_broken_test_set_file_is_named_with_its_line(open_window, qtbot, tmp_path):
    win, page = _page(open_window)
    bad = tmp_path / "mine.jsonl"
    bad.write_text('{"id": "q1", "subject_field": "law", "lang": "fr", "level": "L1", "question": "?", '
                   '"choices": ["a", "b"], "answer": 0}\n', encoding="utf-8")
    page.set_testset("file", str(bad))
    assert page.file_label.text() == "mine.jsonl"
    with qtbot.waitSignal(page.evaluation_failed, timeout=30_000) as failed:
        qtbot.mouseClick(page.run_btn, Qt.LeftButton)
    assert failed.args[0] == "mine.jsonl, line 1: 'lang' must be one of en, zh, not 'fr'."
    assert page.status.text() == failed.args[0]
    assert page.run_btn.isEnabled() and page.testset.currentData() == "file" and page.outcome is None


@pytest.mark.slow
def test_the_default_model_is_evaluated_from_the_window(open_window, qtbot, default_model_dir, tmp_path,
                                                         termlens_home):
    win = open_window(model_dir=default_model_dir)
    page = win.evaluation
    win.tabs.setCurrentWidget(page)
    page.set_testset("file", str(_few(tmp_path, ["med-01", "law-11", "fin-19"])))
    page.set_methods(["base", "inject", "oracle"])
    seen: list[int] = []
    with qtbot.waitSignal(page.evaluation_finished, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.mouseClick(page.run_btn, Qt.LeftButton)
        assert page.cancel_btn.isEnabled()
        page.job.progress.connect(lambda p: seen.append(p[0]))
    outcome = done.args[0]
    assert seen == list(range(1, 10))  # three questions under three methods, one step each
    assert page.progress.maximum() == 9 and page.progress.value() == 9
    assert _texts(page.table) == ["Base", "+ Injection", "Oracle injection"]
    assert all(page.table.item(r, 1).text() == "3" for r in range(3))
    assert page.table.item(0, 6).text() == "–" and page.table.item(2, 6).text().startswith("b=")
    groups = _texts(page.groups)
    assert {"Field: medicine", "Field: law", "Field: finance", "Terms found by the matcher"} <= set(groups)
    assert not page.chart.pixmap().isNull() and page.chart.pixmap().width() > 300
    assert "encrypted" in page.status.text() and page.export_btn.isEnabled() and page.run_btn.isEnabled()
    assert outcome.folder.parent == termlens_home / "reports"
    assert b"TermLens evaluation" not in (outcome.folder / "report.md").read_bytes()
    paths = page.export(str(tmp_path / "export"))
    md = paths["md"].read_text(encoding="utf-8")
    assert "| oracle | 3 |" in md and "## By subject field" in md
    assert paths["png"].read_bytes()[:4] == b"\x89PNG" and "Exported" in page.status.text()


@pytest.mark.slow
def test_cancel_stops_after_the_current_question(open_window, qtbot, default_model_dir):
    win = open_window(model_dir=default_model_dir)
    page = win.evaluation
    page.set_testset("sample")
    page.set_methods(["base"])
    qtbot.mouseClick(page.run_btn, Qt.LeftButton)
    qtbot.waitUntil(lambda: page.progress.value() >= 1, timeout=RUN_TIMEOUT_MS)
    with qtbot.waitSignal(page.evaluation_finished, timeout=RUN_TIMEOUT_MS) as done:
        qtbot.mouseClick(page.cancel_btn, Qt.LeftButton)
        assert page.status.text() == "Stopping after the current question…"
    report = done.args[0].report
    assert report.stopped and 1 <= len(report.results) < 36
    assert page.status.text().startswith("Stopped:")
    assert _texts(page.table) == ["Base"] and int(page.table.item(0, 1).text()) == len(report.results)
    assert page.run_btn.isEnabled() and not page.cancel_btn.isEnabled()
