"""A resumed training run keeps every setting that changes its results or its memory, through a
crash and a second resume, and the finished adapter records them."""

from __future__ import annotations

import argparse

import pytest

from desktop.engine import adapters
from desktop.engine.models import load_model
from desktop.engine.train import _RESUME_KEYS, TrainConfig, checkpoint, train
from tests.engine.test_train import FAST, make_pairs

KEPT = dict(save_every_steps=1, gradient_checkpointing=True, grad_clip=0.5, fused_kernels=False)


class Killed(Exception):
    """Stands for the process dying mid-run: nothing after it runs, the checkpoint on disk stays."""


@pytest.fixture(scope="module")
def lm(tmp_path_factory):
    from tests.tiny import make_tiny_model

    return load_model(make_tiny_model(tmp_path_factory.mktemp("resume") / "tiny"), device="cpu")


def _resume_config(name: str, *given: str) -> TrainConfig:
    """The settings ``main.py train --resume`` uses: the stopped run's, then the options given."""
    from desktop.commands import train_cmd

    parser = argparse.ArgumentParser()
    train_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["train", "--data", "x.jsonl", "--out", name, "--resume", *given])
    return train_cmd._config(args, checkpoint.read_meta(name)["config"])


def test_a_resumed_run_keeps_its_settings_through_a_crash_and_a_second_resume(lm):
    pairs = make_pairs()
    cfg = TrainConfig(epochs=3, **FAST, **KEPT)
    checkpointing: list[bool] = []

    def watch(stop_at: int | None = None):
        def on_progress(p) -> None:
            checkpointing.append(bool(getattr(lm.model, "is_gradient_checkpointing", False)))
            if stop_at is not None and p.step == stop_at:
                raise Killed()
        return on_progress

    with pytest.raises(Killed):
        train(lm, pairs, config=cfg, out_name="keep", on_progress=watch(stop_at=2))
    saved = checkpoint.read_meta("keep")
    assert saved["step"] == 1  # written after step 1 (save every step); step 2 died before its save
    assert {k: saved["config"][k] for k in KEPT} == KEPT and set(_RESUME_KEYS) <= set(saved["config"])

    resumed = _resume_config("keep")
    assert resumed == cfg  # not the defaults: save-every 0, clip 1.0, no checkpointing, fused kernels
    with pytest.raises(Killed):
        train(lm, pairs, config=resumed, out_name="keep", on_progress=watch(stop_at=4))
    assert checkpoint.read_meta("keep")["step"] == 3  # the resumed run saved every step too

    steps = []
    final = train(lm, pairs, config=_resume_config("keep"), out_name="keep",
                  on_progress=lambda p: (steps.append(p.step), watch()(p)))
    assert final.resumed_from_step == 3 and steps[0] == 4 and final.adapter_dir
    assert all(checkpointing), "a resumed run trained without gradient checkpointing"
    recorded = adapters.read_meta("keep")["config"]
    assert {k: recorded[k] for k in KEPT} == KEPT
    assert not checkpoint.checkpoint_dir("keep").exists()


def _stopped_after_two(lm, pairs, cfg, name: str) -> None:
    done = []
    train(lm, pairs, config=cfg, out_name=name, on_progress=done.append, should_stop=lambda: len(done) >= 2)
    assert checkpoint.read_meta(name)["step"] == 2


def test_a_changed_setting_starts_afresh_and_an_older_checkpoint_still_resumes(lm):
    import json

    pairs = make_pairs()
    cfg = TrainConfig(epochs=2, **FAST)
    _stopped_after_two(lm, pairs, cfg, "changed")
    clipped = TrainConfig(epochs=2, grad_clip=0.3, **FAST)
    assert train(lm, pairs, config=clipped, out_name="changed").resumed_from_step == 0

    _stopped_after_two(lm, pairs, cfg, "older")
    meta = checkpoint.read_meta("older")
    for k in KEPT:  # a checkpoint written before these settings were recorded: they were at their defaults
        meta["config"].pop(k)
    (checkpoint.checkpoint_dir("older") / checkpoint.META_FILE).write_text(json.dumps(meta))
    assert train(lm, pairs, config=cfg, out_name="older").resumed_from_step == 2
