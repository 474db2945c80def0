"""The Adapters page: the list with base model, pairs and losses; load and unload in
place; refusals of an adapter for another model and of pickle weights; delete after a
confirmation; merge into a new model folder; the adapter in use remembered."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from tests.ui.conftest import LOAD_TIMEOUT_MS

JOB_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def trained_adapter(tiny_model_dir, tmp_path_factory) -> Path:
    """An adapter trained once on the tiny model; each test copies it into its own data directory."""
    from desktop.engine.models import load_model
    from desktop.engine.train import TrainConfig, train
    from tests.ui.test_training_page import make_pairs

    home = tmp_path_factory.mktemp("adapter-home")
    old = os.environ.get("TERMLENS_HOME")
    os.environ["TERMLENS_HOME"] = str(home)
    try:
        lm = load_model(tiny_model_dir, device="cpu")
        train(lm, make_pairs(), config=TrainConfig(epochs=2, batch_size=4, lr=5e-3, max_seq_len=128,
                                                   val_fraction=0.2, warmup_ratio=0.0),
              out_name="fox", glossary_version=3)
    finally:
        if old is None:
            os.environ.pop("TERMLENS_HOME", None)
        else:
            os.environ["TERMLENS_HOME"] = old
    return home / "adapters" / "fox"


@pytest.fixture
def adapters_home(termlens_home, trained_adapter) -> Path:
    """fox (ready), for-qwen7b (made for another model) and pickled (pickle weights)."""
    folder = termlens_home / "adapters"
    folder.mkdir(exist_ok=True)
    shutil.copytree(trained_adapter, folder / "fox")
    shutil.copytree(trained_adapter, folder / "for-qwen7b")
    meta_path = folder / "for-qwen7b" / "termlens_adapter.json"
    meta = json.loads(meta_path.read_text())
    meta.update(name="for-qwen7b", base_model="Qwen2.5-7B-Instruct", base_fingerprint="0123456789abcdef")
    meta_path.write_text(json.dumps(meta))
    (folder / "pickled").mkdir()
    (folder / "pickled" / "adapter_model.bin").write_bytes(b"\x80\x02}q\x00.")
    (folder / "pickled" / "adapter_config.json").write_text("{}")
    return folder


@pytest.fixture
def ctx(qtbot, tiny_model_dir, adapters_home):
    from desktop.ui.app import make_app
    from desktop.app import open_context

    make_app()
    c = open_context(model=str(tiny_model_dir))
    yield c
    c.close()


@pytest.fixture
def page(qtbot, ctx, tiny_model_dir):
    from desktop.ui.adapters_page import AdaptersPage

    p = AdaptersPage(ctx)
    qtbot.addWidget(p)
    p.show()
    with qtbot.waitSignal(ctx.worker.loaded, timeout=LOAD_TIMEOUT_MS):
        ctx.worker.request_load(str(tiny_model_dir))
    qtbot.waitUntil(lambda: "tiny" in p.current.text(), timeout=10_000)
    yield p
    p.shutdown()


def row_of(page, name: str) -> dict[str, str]:
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    for r in range(page.table.rowCount()):
        if page.table.item(r, 0).text() == name:
            return {h: page.table.item(r, c).text() for c, h in enumerate(headers)}
    raise AssertionError(f"{name} is not listed")


def _weights(ctx) -> dict:
    return {k: v.clone() for k, v in ctx.worker.lm.model.state_dict().items()}


def _same(a: dict, b: dict) -> bool:
    import torch

    return all(torch.equal(a[k], b[k]) for k in a)


def test_the_list_shows_base_model_pairs_losses_and_what_cannot_be_used(page, tiny_model_dir):
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["for-qwen7b", "fox", "pickled"]
    fox = row_of(page, "fox")
    folder = Path(next(r["path"] for r in page.rows if r["name"] == "fox"))
    meta = json.loads((folder / "termlens_adapter.json").read_text())
    assert fox["Base model"] == tiny_model_dir.name and fox["State"] == "ready"
    assert fox["Pairs"] == str(meta["n_pairs"]) and fox["Training loss"] == f"{meta['metrics']['train_loss']:.3f}"
    assert fox["Held-out loss"] == f"{meta['metrics']['val_loss']:.3f}" and fox["Created"][:2] == "20"
    assert row_of(page, "for-qwen7b")["State"] == "made for Qwen2.5-7B-Instruct, not for the loaded model"
    assert "pickle" in row_of(page, "pickled")["State"]
    page.select("fox")
    assert "Rank 16, alpha 32" in page.details.text() and "Glossary version 3" in page.details.text()


def test_load_switches_in_place_and_unload_restores_the_weights(qtbot, page, ctx):
    lm_before, base = ctx.worker.lm, _weights(ctx)
    page.select("fox")
    qtbot.mouseClick(page.load_btn, _left())
    qtbot.waitUntil(lambda: "with adapter fox" in page.current.text(), timeout=JOB_TIMEOUT_MS)
    assert "switched in" in page.message.text() and row_of(page, "fox")["State"] == "in use"
    assert ctx.worker.lm is lm_before and ctx.worker.lm.adapter == "fox"  # no reload
    assert not _same(base, _weights(ctx)) and ctx.settings.adapter == "fox"
    assert page.unload_btn.isEnabled()
    qtbot.mouseClick(page.unload_btn, _left())
    qtbot.waitUntil(lambda: "without an adapter" in page.current.text(), timeout=JOB_TIMEOUT_MS)
    assert ctx.worker.lm.adapter is None and _same(base, _weights(ctx))
    assert ctx.settings.adapter == "" and row_of(page, "fox")["State"] == "ready"


def test_an_adapter_for_another_model_and_pickle_weights_are_refused(qtbot, page, ctx):
    base = _weights(ctx)
    page.select("for-qwen7b")
    page.load_selected()
    qtbot.waitUntil(lambda: "not for the loaded model" in page.message.text(), timeout=JOB_TIMEOUT_MS)
    assert "made for Qwen2.5-7B-Instruct" in page.message.text()
    page.select("pickled")
    page.load_selected()
    qtbot.waitUntil(lambda: "only safetensors" in page.message.text(), timeout=JOB_TIMEOUT_MS)
    assert "holds pickle weights (adapter_model.bin)" in page.message.text()
    assert ctx.worker.lm.adapter is None and _same(base, _weights(ctx)) and ctx.settings.adapter == ""


def test_delete_asks_first_and_takes_an_adapter_in_use_off_the_model(qtbot, page, ctx, adapters_home, monkeypatch):
    page.select("fox")
    page.load_selected()
    qtbot.waitUntil(lambda: ctx.worker.lm.adapter == "fox" and "in use" in row_of(page, "fox")["State"],
                    timeout=JOB_TIMEOUT_MS)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    page.delete_selected()
    assert (adapters_home / "fox").is_dir() and ctx.worker.lm.adapter == "fox"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    page.delete_selected()
    qtbot.waitUntil(lambda: "was deleted" in page.message.text(), timeout=JOB_TIMEOUT_MS)
    assert not (adapters_home / "fox").exists() and ctx.worker.lm.adapter is None
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == ["for-qwen7b", "pickled"]
    assert ctx.settings.adapter == "" and "without an adapter" in page.current.text()


def test_merge_writes_a_new_model_folder(qtbot, page, ctx, termlens_home, monkeypatch):
    page.select("fox")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("tiny-fox", True))
    page.merge_selected()
    qtbot.waitUntil(lambda: "Merged into" in page.message.text(), timeout=JOB_TIMEOUT_MS)
    out = termlens_home / "models" / "tiny-fox"
    assert (out / "config.json").is_file() and list(out.glob("*.safetensors"))
    assert json.loads((out / "termlens_merged.json").read_text())["adapter"]["name"] == "fox"
    assert ctx.worker.lm.adapter is None  # the loaded model is as it was
    page.merge_selected()  # the same name again
    assert "exists already" in page.message.text()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("../escape", True))
    page.merge_selected()
    assert "cannot be a folder name" in page.message.text()


def test_the_adapter_in_use_is_applied_again_after_the_next_load(qtbot, page, ctx, tiny_model_dir):
    ctx.settings.adapter = "fox"
    with qtbot.waitSignal(ctx.worker.loaded, timeout=LOAD_TIMEOUT_MS):
        ctx.worker.request_load(str(tiny_model_dir))
    qtbot.waitUntil(lambda: ctx.worker.lm.adapter == "fox" and "with adapter fox" in page.current.text(),
                    timeout=JOB_TIMEOUT_MS)
    # one the new model cannot take is dropped, with a sentence
    ctx.settings.adapter = "for-qwen7b"
    with qtbot.waitSignal(ctx.worker.loaded, timeout=LOAD_TIMEOUT_MS):
        ctx.worker.request_load(str(tiny_model_dir))
    qtbot.waitUntil(lambda: "used last time was not applied" in page.message.text(), timeout=JOB_TIMEOUT_MS)
    assert ctx.settings.adapter == "" and ctx.worker.lm.adapter is None


def _left():
    from PySide6.QtCore import Qt

    return Qt.LeftButton
