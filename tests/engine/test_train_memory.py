"""Training on a CPU: the output layer never sees every packed token at once, bfloat16
arithmetic leaves the model's weights and the results as float32 gives them, and the memory
a run took is given back when the Training page's job returns (the status bar's "in use")."""

from __future__ import annotations

import threading
import time

import psutil
import pytest
import torch

from desktop.engine import adapters, train as training
from desktop.engine.models import load_model
from desktop.engine.train import cpu, loss
from tests.engine.test_train import FAST, make_pairs


def _adapter(name: str) -> dict:
    from safetensors.torch import load_file

    return load_file(str(adapters.adapter_dir(name) / adapters.WEIGHTS_FILE))


@pytest.mark.usefixtures("one_thread")
def test_the_output_layer_never_runs_on_every_packed_token_and_the_adapter_is_the_same(tiny_model_dir, monkeypatch):
    lm = load_model(tiny_model_dir, device="cpu")
    head = lm.model.get_output_embeddings()
    cfg = training.TrainConfig(epochs=1, dropout=0.0, cpu_bf16=False, **FAST)
    seen: list[tuple[int, int]] = []  # (rows multiplied by the output layer's weight, tokens in that batch)
    batch = [0]
    real_linear, real_loss = torch.nn.functional.linear, training.token_loss

    def spy(x, weight, bias=None):
        if weight is head.weight:
            seen.append((x.reshape(-1, x.shape[-1]).shape[0], batch[0]))
        return real_linear(x, weight, bias)

    def token_loss(model, ids, *rest, **kw):
        batch[0] = ids.numel()
        return real_loss(model, ids, *rest, **kw)

    monkeypatch.setattr(torch.nn.functional, "linear", spy)
    monkeypatch.setattr(training, "token_loss", token_loss)
    hook = head.register_forward_hook(lambda _m, args, _out: seen.append((-1, 0)))  # the model's own full forward
    try:
        monkeypatch.setattr(loss, "CE_CHUNK", 8)
        training.train(lm, make_pairs(), config=cfg, out_name="chunked")
        chunked, seen[:] = list(seen), []
        monkeypatch.setattr(loss, "CE_CHUNK", 10 ** 9)
        training.train(lm, make_pairs(), config=cfg, out_name="whole")
    finally:
        hook.remove()
    assert chunked and max(rows for rows, _n in chunked) <= 8
    # one chunk for everything still multiplies only the answer tokens, never a whole packed batch
    assert seen and all(0 < rows < tokens for rows, tokens in seen)
    a, b = _adapter("chunked"), _adapter("whole")
    assert a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    assert adapters.read_meta("chunked")["metrics"]["train_loss"] == pytest.approx(
        adapters.read_meta("whole")["metrics"]["train_loss"], rel=1e-5)


@pytest.mark.skipif(not cpu.bf16_units(), reason="this CPU has no bfloat16 matrix units")
@pytest.mark.usefixtures("one_thread")
def test_bfloat16_on_a_cpu_trains_like_float32_and_leaves_the_weights_alone(tiny_model_dir):
    lm = load_model(tiny_model_dir, device="cpu")
    before = {k: v.clone() for k, v in lm.model.state_dict().items()}
    losses = {}
    for on in (False, True):
        cfg = training.TrainConfig(epochs=2, dropout=0.0, cpu_bf16=on, **FAST)
        result = training.train(lm, make_pairs(), config=cfg, out_name=f"bf16-{on}")
        losses[on] = result.losses
        assert adapters.read_meta(f"bf16-{on}")["metrics"]["compute_dtype"] == ("bfloat16" if on else "float32")
    assert losses[True] == pytest.approx(losses[False], rel=0.03)
    assert losses[True][-1] < losses[True][0]  # it learns
    after = lm.model.state_dict()
    assert all(after[k].dtype == torch.float32 and torch.equal(after[k], v) for k, v in before.items())


def test_bfloat16_is_kept_off_where_it_would_be_slower(tiny_model_dir, monkeypatch):
    lm = load_model(tiny_model_dir, device="cpu")
    monkeypatch.setattr(cpu, "bf16_units", lambda: False)
    assert cpu.step_dtype(lm.model, "cpu", enabled=True) == "float32"
    monkeypatch.setattr(cpu, "bf16_units", lambda: True)
    assert cpu.step_dtype(lm.model, "cpu", enabled=True) == "bfloat16"
    assert cpu.step_dtype(lm.model, "cpu", enabled=False) == "float32"


def _long_pairs(n: int) -> list[dict]:
    text = "Force majeure excuses performance when a tort or the lazy dog stops the contract. "
    return [{"id": f"l{i}", "status": "accepted",
             "messages": [{"role": "user", "content": f"Explain clause {i}. " + text * 6},
                          {"role": "assistant", "content": f"Clause {i}: " + text * 6}]} for i in range(n)]


def test_the_status_bar_figure_falls_back_after_a_training_job(qtbot, tmp_path, monkeypatch):
    """Several hundred MB of activations while training; once the Training page's job returns, the
    memory the model thread reports ("in use" in the status bar, the process's RSS) is about what
    it was before: glibc kept the run's whole peak until malloc_trim."""
    import gc

    from desktop.workers import lora_jobs
    from desktop.workers.model_worker import ModelThread
    from tests.tiny import make_tiny_model

    monkeypatch.setattr(cpu, "CPU_MICRO_TOKENS", 2048)  # a peak large enough to tell kept memory from noise
    folder = make_tiny_model(tmp_path / "mid", layers=6, hidden=256)
    config = {**lora_jobs.train_defaults(), "max_steps": 2, "epochs": 0, "val_fraction": 0.0}
    mt = ModelThread()
    try:
        with qtbot.waitSignal(mt.worker.loaded, timeout=60_000):
            mt.worker.request_load(str(folder))

        def run(n_pairs: int, steps: int) -> dict:
            job = lora_jobs.train_job(_long_pairs(n_pairs), config={**config, "max_steps": steps},
                                      out_name=f"memory-{steps}", resume=False)
            outcome: list = []
            with qtbot.waitSignal(mt.worker.loaded, timeout=120_000) as shown:  # sent after the job ends
                handle = mt.worker.submit(job)
                handle.finished.connect(outcome.append)
                handle.failed.connect(outcome.append)
            assert [getattr(r, "steps", r) for r in outcome] == [steps]
            return shown.args[0]

        # a first run pays what stays for good (imported modules, oneDNN's kernels); the second is measured
        before = run(4, 1)["memory_bytes"]
        proc = psutil.Process()
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], proc.memory_info().rss)
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            after = run(24, 2)["memory_bytes"]
        finally:
            done.set()
            sampler.join()
    finally:
        mt.shutdown()
        gc.unfreeze()  # a load exempts the objects alive then from collection (models.settle_heap)
    took, held = peak[0] - before, after - before
    assert took > 150e6  # the run did take memory, so giving it back is measured
    assert held < 0.2 * took, f"held {held / 1e6:.0f} MB of a {took / 1e6:.0f} MB peak"
