"""The window first: it shows before the detection index exists; detection starts when the
index is built (in the background), and a question asked before that is still answered."""

from __future__ import annotations

import gc
import threading

import pytest

from tests.ui.conftest import ask
from tests.ui.fakes import FakeWorker


@pytest.fixture
def start_window(qtbot):
    from desktop.app import build_matcher_for, open_context
    from desktop.ui.app import make_app
    from desktop.ui.startup import show_window

    make_app()
    windows = []

    def make(*, gate: threading.Event | None = None):
        ctx = open_context(model="fake-model", worker=FakeWorker(rate=2000), build_matcher=False)
        ctx.settings.max_new_tokens = 5

        def build():
            if gate is not None:
                gate.wait(60)
            return build_matcher_for(ctx.store, ctx.settings)

        win = show_window(ctx, build_matcher=build)
        qtbot.addWidget(win)
        windows.append(win)
        assert win.isVisible() and ctx.matcher is None  # shown before the index exists
        qtbot.waitUntil(lambda: win.startup.indexer.thread is not None, timeout=5_000)  # started from the event loop
        with qtbot.waitSignal(ctx.worker.loaded, timeout=10_000):
            ctx.worker.request_load("fake-model")  # no model folder here: the fake engine stands in
        return win

    yield make
    for w in windows:
        if not w.ctx.closed:
            w.close()
    gc.unfreeze()  # the index exempts the objects alive when it is built from collection (Indexer._run)


def test_detection_becomes_available_when_the_index_is_built(start_window, qtbot):
    win = start_window()
    note = win.startup.index_note
    # the index of a small glossary may be ready before this line runs: wait for its effect, not its signal
    qtbot.waitUntil(lambda: win.ctx.matcher is not None, timeout=60_000)
    assert not note.isVisible()
    ask(qtbot, win, "Is the eGFR reliable in atrial fibrillation?")
    shown = [c.term["text"] for c in win.terms.cards]
    assert "atrial fibrillation" in shown and "eGFR" in shown


def test_the_index_is_left_out_of_the_collectors_passes_and_still_follows_edits(start_window, qtbot):
    # The index is built with collection off, so all its objects (millions for ICD-10-CM) would sit in
    # the youngest generation, and the first collection after the build would walk them all at once on
    # whichever thread allocated next, stalling the window (benchmarks/bench_start.py: unfrozen/after).
    gc.unfreeze()
    win = start_window()
    qtbot.waitUntil(lambda: win.ctx.matcher is not None, timeout=60_000)
    matcher = win.ctx.matcher
    store = win.ctx.store
    af = next(c for c in store.search("atrial fibrillation") if c.label() == "atrial fibrillation")
    indexed = matcher.concept(af.id)
    assert gc.get_freeze_count() > 0
    assert not any(o is indexed for o in gc.get_objects())  # frozen: no collection walks it
    # edits after the build are still seen (new objects, collected as usual)
    af.terms[0].text = "auricular fibrillation"
    store.update_concept(af)
    assert [h.concept_id for h in matcher.detect("Is it auricular fibrillation?")] == [af.id]


def test_a_question_before_the_index_is_answered_and_says_terms_were_not_looked_up(start_window, qtbot):
    gate = threading.Event()
    win = start_window(gate=gate)
    note = win.startup.index_note
    assert note.isVisible() and "Indexing" in note.text() and "concepts" in note.text()
    answer = ask(qtbot, win, "Is the eGFR reliable in atrial fibrillation?")
    assert answer["content"]  # answered without waiting for the index
    assert win.terms.cards == [] and "not looked up" in note.text()
    assert "arrhythmia" not in (answer.get("prompt") or "")  # no definition injected (AF: "…arrhythmia…")

    egfr = next(c for c in win.ctx.store.search("eGFR") if any(t.text == "eGFR" for t in c.terms))
    win.ctx.store.delete_concept(egfr.id)  # an edit made while the index is built is not lost
    with qtbot.waitSignal(win.startup.indexer.ready, timeout=60_000):
        gate.set()
    assert not note.isVisible()
    answer = ask(qtbot, win, "Is the eGFR reliable in atrial fibrillation?")
    shown = [c.term["text"] for c in win.terms.cards]
    assert "atrial fibrillation" in shown and "eGFR" not in shown
    assert "arrhythmia" in answer["prompt"]  # now the definition reaches the model


def test_the_indexing_note_reads_in_chinese(start_window, qtbot):
    from desktop.ui import i18n

    gate = threading.Event()
    assert i18n.set_language("zh_CN")
    try:
        win = start_window(gate=gate)
        assert "个概念建立索引" in win.startup.index_note.text()
    finally:
        gate.set()
        i18n.set_language("en")


def test_the_daily_backup_runs_behind_the_window_with_progress_in_the_status_bar(start_window, qtbot):
    win = start_window()
    startup = win.startup
    job = startup.backup_job  # a new data folder with a database and no backup yet: one is due
    assert job is not None
    qtbot.waitUntil(lambda: job.done.is_set(), timeout=60_000)
    qtbot.waitUntil(lambda: not startup.backup_bar.isVisible(), timeout=5_000)
    assert job.error is None and job.result is not None and job.result.is_file()
    assert startup.backup_bar.maximum() > 1  # pages were counted into the status bar's bar
    assert win.status.currentMessage() == "Backup saved."
