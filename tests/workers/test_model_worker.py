"""The model thread: loading behind signals, streaming before `finished`, Stop, failures, and
jobs that report to their own handle and stop on their own cancel only."""

from __future__ import annotations

import gc
import shutil
import time
import weakref
from pathlib import Path

import pytest

from desktop.workers.model_worker import GenerateRequest, Job, ModelThread


@pytest.fixture
def model_thread(qtbot):
    mt = ModelThread()
    yield mt
    mt.shutdown()
    gc.unfreeze()  # a load exempts the objects alive then from collection (models.settle_heap)


def _load(qtbot, mt: ModelThread, folder: Path) -> dict:
    with qtbot.waitSignal(mt.worker.loaded, timeout=60_000) as blocker:
        mt.worker.request_load(str(folder))
    return blocker.args[0]


def test_load_reports_progress_and_model_info(qtbot, model_thread, tiny_model_dir) -> None:
    progress: list[float] = []
    model_thread.worker.loading.connect(lambda f, s: progress.append(f))
    info = _load(qtbot, model_thread, tiny_model_dir)
    assert info["device"] == "cpu" and info["dtype"] == "float32"
    assert progress and progress[-1] == 1.0


def test_a_loaded_model_is_exempt_from_full_collections_until_replaced(qtbot, model_thread, tiny_model_dir,
                                                                         tmp_path) -> None:
    # full collections walk every live object; after a load they skip the model and the libraries
    # (otherwise each one stalled the window for 0.3-0.4 s once a 7B fast path had compiled)
    gc.unfreeze()
    _load(qtbot, model_thread, tiny_model_dir)
    first = model_thread.worker.lm
    assert gc.get_freeze_count() > 0
    # a cycle inside the model (as hooks and caches make) must still be freed when it is replaced
    first.model._cycle = [first.model]
    gone = weakref.ref(first.model)
    del first
    copy = tmp_path / "second"
    shutil.copytree(tiny_model_dir, copy)
    _load(qtbot, model_thread, copy)
    assert gone() is None
    assert gc.get_freeze_count() > 0


def test_tokens_stream_before_finished(qtbot, model_thread, tiny_model_dir) -> None:
    _load(qtbot, model_thread, tiny_model_dir)
    events: list[str] = []
    req = GenerateRequest(messages=[{"role": "user", "content": "What is AF?"}], max_new_tokens=40)
    answer = model_thread.worker.request_generate(req)
    answer.tokens.connect(lambda t: events.append("tokens"))
    answer.finished.connect(lambda d: events.append("finished"))
    with qtbot.waitSignal(answer.finished, timeout=30_000) as blocker:
        pass
    assert events[0] == "tokens" and events[-1] == "finished"
    assert blocker.args[0]["stats"]["new_tokens"] == 40


def test_stop_ends_generation_with_few_tokens_after_it(qtbot, model_thread, default_model_dir) -> None:
    # What a person sees: after Stop the answer stops growing at once (a few words at most) and
    # says it was stopped. No clock: on a loaded machine a token takes longer, but the stop flag
    # is read between every two tokens whatever their speed.
    _load(qtbot, model_thread, default_model_dir)
    req = GenerateRequest(messages=[{"role": "user", "content": "Write a long essay about kidneys."}],
                          max_new_tokens=2000)
    answer = model_thread.worker.request_generate(req)
    shown: list[str] = []
    answer.tokens.connect(shown.append)
    with qtbot.waitSignal(answer.tokens, timeout=60_000):
        pass
    before_stop = "".join(shown)
    with qtbot.waitSignal(answer.finished, timeout=60_000) as blocker:
        answer.cancel()
    result = blocker.args[0]
    assert result["stats"]["finish_reason"] == "stopped"
    assert result["text"].startswith(before_stop)
    after_stop = result["text"][len(before_stop):]
    # a frame's batch already made plus the token being decoded: tens of characters; an engine
    # that ignored Stop would write thousands (2,000 tokens were allowed)
    assert len(after_stop) <= 300, after_stop
    assert result["stats"]["new_tokens"] < 200


def test_a_draft_is_decoded_ahead_and_gives_way_to_the_question(qtbot, model_thread, default_model_dir) -> None:
    """While a question is typed the model thread decodes its prompt (llama.cpp keeps it cached);
    Send, or a newer draft, stops that at once instead of waiting for it."""
    from desktop.engine import generate
    from tests.engine.llama_server import default_gguf, needs_llama

    needs_llama()
    default_gguf(default_model_dir)
    info = _load(qtbot, model_thread, default_model_dir)
    assert info["engine"] == "llama.cpp"
    worker = model_thread.worker
    lm = worker.lm
    decoded: list[int] = []
    fill = lm.model.prefill

    def spy(ids, **kw):
        decoded.append(fill(ids, **kw))
        return decoded[-1]

    lm.model.prefill = spy
    short = [{"role": "user", "content": "What does the kidney do?"}]
    worker.request_prefill(short, 64)
    qtbot.waitUntil(lambda: len(decoded) == 1, timeout=30_000)
    ids = generate.prepare(lm.tokenizer, short, context_length=lm.context_length, max_new_tokens=64).input_ids
    assert decoded == [len(ids)] and lm.model.llm.n_tokens == len(ids)

    long_draft = [{"role": "user", "content": "The kidney filters the blood. " * 300}]
    worker.request_prefill(long_draft, 64)
    qtbot.waitUntil(lambda: lm.model.llm.n_tokens > len(ids), timeout=30_000)  # decoding the long draft now
    answer = worker.request_generate(GenerateRequest(messages=short, max_new_tokens=8))
    with qtbot.waitSignal(answer.finished, timeout=60_000):
        pass
    long_ids = generate.prepare(lm.tokenizer, long_draft, context_length=lm.context_length,
                                max_new_tokens=64).input_ids
    # the second decoding is the long draft (the third, the answer's own): it stopped, it did not finish first
    assert len(decoded) == 3 and decoded[1] < len(long_ids) // 2


def test_failed_load_keeps_the_previous_model(qtbot, model_thread, tiny_model_dir, tmp_path) -> None:
    _load(qtbot, model_thread, tiny_model_dir)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text('{"model_type": "qwen2"}')
    (bad / "pytorch_model.bin").write_bytes(b"\x80\x04pickle")
    with qtbot.waitSignal(model_thread.worker.load_failed, timeout=30_000) as blocker:
        model_thread.worker.request_load(str(bad))
    assert "pickle" in blocker.args[0]
    answer = model_thread.worker.request_generate(GenerateRequest(messages=[{"role": "user", "content": "hi"}],
                                                                  max_new_tokens=3))
    with qtbot.waitSignal(answer.finished, timeout=30_000):
        pass


def test_generate_without_a_model_is_a_message(qtbot, model_thread) -> None:
    answer = model_thread.worker.request_generate(GenerateRequest(messages=[{"role": "user", "content": "hi"}]))
    with qtbot.waitSignal(answer.failed, timeout=5_000) as blocker:
        pass
    assert "No model is loaded" in blocker.args[0]


def test_unexpected_job_error_is_a_short_message_and_logged(qtbot, model_thread) -> None:
    def boom(lm, *, on_progress, should_stop):
        raise RuntimeError("internal detail")

    handle = model_thread.worker.submit(Job("checking", boom, needs_model=False))
    with qtbot.waitSignal(handle.failed, timeout=5_000) as blocker:
        pass
    (message,) = blocker.args
    assert "while checking" in message and "RuntimeError" in message and "log" in message and handle.done


def test_each_job_reports_to_its_own_handle_and_cancel_stops_that_job_only(qtbot, model_thread) -> None:
    """Two pages' jobs queued one behind the other: cancelling the second (still waiting) does
    not stop the first, and each handle hears only its own progress and result."""
    import threading

    release = threading.Event()

    def steps(lm, *, on_progress, should_stop, n):
        done = 0
        for done in range(1, n + 1):
            if should_stop():
                break
            on_progress(done)
            if done == 1:
                release.wait(5)  # the first job holds the thread until the second is cancelled
        return {"steps": done, "stopped": should_stop()}

    worker = model_thread.worker
    first = worker.submit(Job("counting", steps, needs_model=False, kwargs={"n": 3}))
    second = worker.submit(Job("counting", steps, needs_model=False, kwargs={"n": 3}))
    seen: dict[str, list] = {"first": [], "second": []}
    results: list[tuple[str, dict]] = []
    for name, handle in (("first", first), ("second", second)):
        handle.progress.connect(lambda p, name=name: seen[name].append(p))
        handle.finished.connect(lambda r, name=name: results.append((name, r)))
    with qtbot.waitSignal(first.progress, timeout=5_000):
        pass
    second.cancel()
    with qtbot.waitSignals([first.finished, second.finished], timeout=5_000):
        release.set()
    assert results[0] == ("first", {"steps": 3, "stopped": False}) and seen["first"] == [1, 2, 3]
    assert results[1][0] == "second" and results[1][1]["stopped"] and seen["second"] == []


CLOSE_DURING_LOAD = """
import sys, time
sys.path.insert(0, {root!r})
from PySide6.QtCore import QCoreApplication
app = QCoreApplication([])
from desktop.workers.model_worker import ModelThread, ModelWorker

def slow_load(path, **kw):
    time.sleep(5)  # a model load cannot be interrupted
    raise RuntimeError("not reached")

mt = ModelThread(ModelWorker(load_fn=slow_load))
mt.worker.request_load("any")
time.sleep(0.3)
print("stopped" if mt.shutdown(timeout_ms=300) else "still busy", flush=True)
mt.exit_if_still_running(3)
print("not reached", flush=True)
"""


def test_closing_during_a_long_load_exits_cleanly_instead_of_aborting(tmp_path) -> None:
    import os
    import subprocess
    import sys

    root = str(Path(__file__).resolve().parents[2])
    script = tmp_path / "close_during_load.py"
    script.write_text(CLOSE_DURING_LOAD.format(root=root))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout.split() == ["still", "busy"]
    assert proc.returncode == 3, proc.stderr  # the code asked for, not 134 (Qt's abort)
    assert "Destroyed while thread" not in proc.stderr
