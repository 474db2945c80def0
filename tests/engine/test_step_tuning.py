"""Choosing the matrix kernels' launch settings by the step's time, not by each kernel timed alone.

The kernels here stand in for Inductor's CachingAutotuner (the attributes ``step_tuning``
reads); the step's time is a sum over the settings each kernel runs with, so a test can
make the compiler's ranking (timed alone) disagree with the step's.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from desktop.engine import step_tuning


class _Config:
    def __init__(self, num_warps=4, num_stages=1, **kwargs):
        self.kwargs, self.num_warps, self.num_stages = dict(kwargs), num_warps, num_stages


def _key(**kw):
    cfg = _Config(num_warps=kw.pop("num_warps", 4), **kw)
    return step_tuning._key(cfg)


class _Kernel:
    def __init__(self, name, size_hints, current, alone, *, broken=()):
        self.inductor_meta = {"kernel_name": name}
        self.size_hints = size_hints
        self.launchers = [SimpleNamespace(config=current)]
        self.coordesc_tuner = SimpleNamespace(cached_benchmark_results=dict(alone))
        self.lock = threading.Lock()
        self.saved = []
        self.broken = set(broken)

    def _precompile_config(self, config):
        if step_tuning._key(config) in self.broken:
            raise RuntimeError("out of resources: shared memory")
        return SimpleNamespace(make_launcher=lambda: SimpleNamespace(config=config))

    def save_cache_hook(self, config, time_ns, found_by_coordesc=False):
        self.saved.append((step_tuning._key(config), found_by_coordesc))


def _step(costs):
    """A step whose time is the sum of each kernel's cost for the setting it runs with now."""
    calls = []

    def time_step():
        calls.append(1)
        return sum(costs[k.inductor_meta["kernel_name"]][step_tuning._key(k.launchers[0].config)] for k in costs["_k"])

    return time_step, calls


def test_a_setting_slower_alone_but_faster_in_the_step_is_chosen_and_saved_for_the_next_start():
    cur, alt = _Config(XBLOCK=4, R0_BLOCK=256), _Config(XBLOCK=8, R0_BLOCK=512)
    gate_up = _Kernel("gate_up", {"x": 65536, "r0_": 4096}, cur,
                      {step_tuning._key(cur): 0.060, step_tuning._key(alt): 0.062})
    time_step, _ = _step({"_k": [gate_up], "gate_up": {step_tuning._key(cur): 4.6e-3, step_tuning._key(alt): 4.1e-3}})

    choice = step_tuning.choose_by_step([gate_up], time_step)

    assert gate_up.launchers[0].config.kwargs == {"XBLOCK": 8, "R0_BLOCK": 512}
    assert gate_up.launchers[0].config.found_by_coordesc is True  # its next call must not tune it again
    assert gate_up.saved == [(step_tuning._key(alt), True)]
    assert choice.changed == ["gate_up"] and choice.tried == 1
    assert choice.before_s == pytest.approx(4.6e-3) and choice.after_s == pytest.approx(4.1e-3)
    assert "-> 4.100 ms" in choice.summary()


def test_the_compilers_choice_stays_when_no_alternative_beats_it_by_more_than_noise():
    cur, alt = _Config(XBLOCK=1, R0_BLOCK=2048), _Config(XBLOCK=2, R0_BLOCK=2048)
    down = _Kernel("down", {"x": 4096, "r0_": 32768}, cur, {step_tuning._key(cur): 0.05, step_tuning._key(alt): 0.051})
    time_step, _ = _step({"_k": [down], "down": {step_tuning._key(cur): 4.200e-3, step_tuning._key(alt): 4.195e-3}})

    choice = step_tuning.choose_by_step([down], time_step)

    assert down.launchers[0].config is cur
    assert down.saved == [] and choice.changed == [] and choice.tried == 1


def test_kernels_loaded_from_the_disk_cache_or_too_small_are_not_timed_at_all():
    loaded = _Kernel("qkv", {"x": 8192, "r0_": 4096}, _Config(XBLOCK=2), {})  # nothing tuned in this process
    norm = _Kernel("norm", {"x": 1, "r0_": 4096}, _Config(XBLOCK=1),
                   {_key(XBLOCK=1): 0.002, _key(XBLOCK=2): 0.003})
    calls = []

    choice = step_tuning.choose_by_step([loaded, norm], lambda: calls.append(1) or 1.0)

    assert calls == [] and choice.tried == 0
    assert choice.summary() == "no kernel tuned in this start"


def test_only_near_best_settings_are_tried_best_first_and_failures_to_compile_are_skipped():
    cur = _Config(XBLOCK=8, R0_BLOCK=512)
    alone = {step_tuning._key(cur): 0.060, _key(XBLOCK=4, R0_BLOCK=512): 0.061, _key(XBLOCK=16, R0_BLOCK=512): 0.065,
             _key(XBLOCK=2, R0_BLOCK=512): 0.20, _key(XBLOCK=1, R0_BLOCK=512): float("inf")}
    kernel = _Kernel("gate_up", {"x": 65536, "r0_": 4096}, cur, alone, broken={_key(XBLOCK=4, R0_BLOCK=512)})
    costs = {step_tuning._key(cur): 5e-3, _key(XBLOCK=16, R0_BLOCK=512): 4e-3, _key(XBLOCK=2, R0_BLOCK=512): 1e-3}
    time_step, calls = _step({"_k": [kernel], "gate_up": costs})

    cands = [dict(k)["XBLOCK"] for k, _ in step_tuning.candidates(kernel)]
    assert cands == [4, 16]  # 2 is 3x slower alone; 1 failed when the compiler timed it

    choice = step_tuning.choose_by_step([kernel], time_step)

    assert kernel.launchers[0].config.kwargs["XBLOCK"] == 16
    assert choice.tried == 1  # XBLOCK 4 did not compile and was skipped


def test_larger_kernels_are_visited_first_and_each_keeps_the_best_of_its_own_settings():
    a_cur, a_alt = _Config(XBLOCK=4), _Config(XBLOCK=8)
    b_cur, b_alt = _Config(XBLOCK=1), _Config(XBLOCK=2)
    small = _Kernel("o_proj", {"x": 4096, "r0_": 4096}, b_cur, {step_tuning._key(b_cur): 1, step_tuning._key(b_alt): 1})
    big = _Kernel("lm_head", {"x": 262144, "r0_": 4096}, a_cur, {step_tuning._key(a_cur): 1, step_tuning._key(a_alt): 1})
    seen = []

    def time_step():
        seen.append((big.launchers[0].config.kwargs["XBLOCK"], small.launchers[0].config.kwargs["XBLOCK"]))
        return {4: 3.0, 8: 2.0}[seen[-1][0]] + {1: 1.0, 2: 1.5}[seen[-1][1]]

    choice = step_tuning.choose_by_step([small, big], time_step)

    assert seen[:3] == [(4, 1), (8, 1), (8, 2)]  # baseline, then the big kernel's alternative, then the small one's
    assert (big.launchers[0].config.kwargs["XBLOCK"], small.launchers[0].config.kwargs["XBLOCK"]) == (8, 1)
    assert choice.changed == ["lm_head"] and choice.after_s == 3.0


def test_a_failing_step_timing_puts_the_kernels_own_choice_back_before_raising():
    cur, alt = _Config(XBLOCK=4), _Config(XBLOCK=8)
    kernel = _Kernel("gate_up", {"x": 65536, "r0_": 4096}, cur, {step_tuning._key(cur): 1, step_tuning._key(alt): 1})
    calls = []

    def time_step():
        calls.append(kernel.launchers[0].config)
        if kernel.launchers[0].config.kwargs["XBLOCK"] == 8:
            raise RuntimeError("CUDA error: an illegal memory access was encountered")
        return 1.0

    with pytest.raises(RuntimeError, match="illegal memory access"):
        step_tuning.choose_by_step([kernel], time_step)
    assert kernel.launchers[0].config is cur and calls[-1] is cur


def test_kernels_are_found_in_compiled_modules_once_each():
    kernel = _Kernel("k", {"x": 4096, "r0_": 4096}, _Config(), {})
    mod_a = SimpleNamespace(triton_red_fused_mm_0=kernel, call=lambda: None, other=3)
    mod_b = SimpleNamespace(triton_red_fused_mm_0=kernel)
    assert step_tuning.loaded_kernels([mod_a, mod_b]) == [kernel]


def test_each_reduction_block_size_gets_a_try_even_when_one_size_fills_the_top_of_the_ranking():
    cur = _Config(XBLOCK=4, R0_BLOCK=256)
    alone = {step_tuning._key(cur): 0.0600}
    for i, x in enumerate((8, 2, 16, 1, 32)):
        alone[_key(XBLOCK=x, R0_BLOCK=256)] = 0.0601 + i * 1e-4
    alone[_key(XBLOCK=8, R0_BLOCK=512)] = 0.0620  # slower alone; the fast one in the step on an H200
    kernel = _Kernel("gate_up", {"x": 65536, "r0_": 4096}, cur, alone)

    tried = [(dict(k)["XBLOCK"], dict(k)["R0_BLOCK"]) for k, _ in step_tuning.candidates(kernel, limit=5)]

    assert (8, 512) in tried and len(tried) == 5
    assert tried[0] == (8, 256)  # still best (alone) first


def test_the_step_is_run_last_with_the_settings_kept_even_when_none_changed():
    """The step is a captured graph: left as the last setting tried, it would run a rejected one."""
    cur, alt = _Config(XBLOCK=1, R0_BLOCK=2048), _Config(XBLOCK=2, R0_BLOCK=2048)
    down = _Kernel("down", {"x": 4096, "r0_": 32768}, cur, {step_tuning._key(cur): 0.05, step_tuning._key(alt): 0.051})
    ran_with = []

    def time_step():
        ran_with.append(down.launchers[0].config)
        return 4.2e-3

    choice = step_tuning.choose_by_step([down], time_step)

    assert choice.changed == [] and choice.tried == 1
    assert ran_with[-1] is cur
