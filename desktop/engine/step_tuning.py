"""Choose the matrix-vector kernels' launch settings by timing the whole decode step.

The compiler tunes each kernel alone: it flushes the GPU's L2 cache, runs the kernel once
and keeps the fastest of about a hundred such runs. For the memory-bound matrix-vector
products of one-token decoding that ranking is not the one inside the step, where the
kernels run back to back: on an H200, settings of the 7B model's kernels that timed within
1-2% of each other alone moved the whole step by up to 4%, and the same step decoded at
206-211 tokens/s after some cold starts and at 230-243 after others.

``choose_by_step`` takes the settings the compiler already timed for each large reduction
kernel (those within a margin of the best: the best of each reduction block size first,
then the next best), puts each one in turn into the step, times the captured step, and
keeps the fastest. It only acts on kernels tuned in this process (a cold start); the
choice is saved in the compiler's tuning cache, so the next start loads it without timing
anything. Costs about 5 s of the cold warm-up; it cannot find settings the compiler never
timed.

Leans on Inductor's ``CachingAutotuner`` (torch 2.11-2.13): its ``launchers``, the
benchmark results its ``coordesc_tuner`` cached, ``_precompile_config`` and
``save_cache_hook``. Anything unexpected leaves the compiler's choice in place.
Runs on the model thread; knows nothing of Qt.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from desktop import log

_log = log.get("fastgen")

MIN_SIZE = 1 << 20  # output rows x reduction length: only the matrix products are worth a step timing
PER_KERNEL = 5  # alternatives tried per kernel, besides the compiler's choice
WITHIN = 1.5  # alternatives must have timed (alone) within this factor of the best
MIN_GAIN = 0.005  # a change must make the step at least this much faster (timing noise is ~0.1%)


@dataclass
class Choice:
    """What ``choose_by_step`` did: step seconds before and after, and the kernels it changed."""

    before_s: float = math.nan
    after_s: float = math.nan
    tried: int = 0
    changed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    failed: str = ""  # why timing the step failed part-way

    def summary(self) -> str:
        if self.failed:
            return f"timing the step failed ({self.failed}); each kernel keeps the setting it had then"
        if not self.tried:
            return "no kernel tuned in this start"
        gain = self.before_s / self.after_s - 1 if self.after_s else 0.0
        return (f"{self.tried} settings timed in the step; {len(self.changed)} kernels changed; "
                f"step {self.before_s * 1e3:.3f} -> {self.after_s * 1e3:.3f} ms ({gain:+.1%}) in {self.seconds:.1f} s")


def loaded_kernels(modules: Iterable[Any]) -> list[Any]:
    """The Triton kernels (Inductor's ``CachingAutotuner``) defined in compiled output modules."""
    out, seen = [], set()
    for mod in modules:
        for obj in list(vars(mod).values()):
            if id(obj) in seen or not all(hasattr(obj, a) for a in ("launchers", "coordesc_tuner", "size_hints")):
                continue
            seen.add(id(obj))
            out.append(obj)
    return out


def compiled_modules() -> list[Any]:
    """Output-code modules Inductor has loaded in this process (empty if it cannot tell)."""
    try:
        from torch._inductor.codecache import PyCodeCache

        return list(PyCodeCache.modules)
    except (ImportError, AttributeError):
        return []


def _size(kernel) -> int:
    hints = kernel.size_hints or {}
    if not isinstance(hints, dict):
        return 0
    rows = int(hints.get("x", 1) or 1)
    red = int(hints.get("r0_", hints.get("r", 1)) or 1)
    return rows * red if red > 1 else 0


def _key(config) -> tuple:
    """The key the compiler's tuner files a setting's timing under."""
    from torch._inductor.runtime.runtime_utils import triton_config_to_hashable

    return triton_config_to_hashable(config)


def _config_from(base, key: tuple):
    """A copy of ``base`` with the fields of a cached benchmark key, set as the tuner sets them."""
    from torch._inductor.runtime.coordinate_descent_tuner import set_field

    cfg = copy.deepcopy(base)
    for name, value in key:
        set_field(cfg, name, value)
    return cfg


def candidates(kernel, *, limit: int = PER_KERNEL, within: float = WITHIN) -> list[tuple[tuple, float]]:
    """Settings the compiler timed for ``kernel`` in this process, best first, other than the one in use."""
    if len(kernel.launchers) != 1:
        return []
    results = getattr(kernel.coordesc_tuner, "cached_benchmark_results", None) or {}
    timed = sorted((t, k) for k, t in results.items() if isinstance(t, (int, float)) and math.isfinite(t) and t > 0)
    if len(timed) < 2:
        return []  # nothing tuned here (loaded from the disk cache), or nothing to choose from
    best = timed[0][0]
    current = _key(kernel.launchers[0].config)
    near = [(k, t) for t, k in timed if k != current and t <= best * within]
    # the fast and the slow outcomes seen on an H200 differ in the reduction block first:
    # take the best of each block size, then the next best overall
    firsts, blocks = [], set()
    for k, t in near:
        block = dict(k).get("R0_BLOCK")
        if block not in blocks:
            blocks.add(block)
            firsts.append((k, t))
    rest = [c for c in near if c not in firsts]
    return sorted(firsts[:limit] + rest[:max(0, limit - len(firsts))], key=lambda c: c[1])


def _launcher(kernel, config):
    ensure = getattr(kernel, "_ensure_kernel_loaded", None)  # torch 2.13 loads a kernel's source lazily
    if ensure is not None:
        ensure()
    with kernel.lock:
        return kernel._precompile_config(config).make_launcher()


def _name(kernel) -> str:
    meta = getattr(kernel, "inductor_meta", None) or {}
    return str(meta.get("kernel_name") or getattr(getattr(kernel, "fn", None), "__name__", "kernel"))


def _save(kernel, config, seconds: float) -> None:
    hook = getattr(kernel, "save_cache_hook", None)
    if hook:
        hook(config, int(seconds * 1e9), found_by_coordesc=True)


def choose_by_step(kernels: Iterable[Any], time_step: Callable[[], float], *, limit: int = PER_KERNEL,
                   within: float = WITHIN, min_gain: float = MIN_GAIN) -> Choice:
    """Try the compiler's near-best settings of each large kernel inside the step; keep the fastest.

    ``time_step()`` must run the step with the kernels' current launchers (capturing it
    again if it is a graph) and return seconds per step; its last call is with the settings
    kept. Kernels are visited largest
    first; each keeps its new setting only if the step got at least ``min_gain`` faster.
    """
    t0 = time.perf_counter()
    choice = Choice()
    todo = sorted((k for k in kernels if _size(k) >= MIN_SIZE), key=_size, reverse=True)
    todo = [(k, candidates(k, limit=limit, within=within)) for k in todo]
    todo = [(k, c) for k, c in todo if c]
    if not todo:
        return choice
    base = choice.before_s = time_step()
    for kernel, alternatives in todo:
        kept = kernel.launchers[0]
        best, best_s = kept, base
        for key, alone in alternatives:
            cfg = _config_from(kept.config, key)
            cfg.found_by_coordesc = True  # so the kernel's next call does not tune it again
            try:
                launcher = _launcher(kernel, cfg)
            except Exception as exc:  # a setting that does not compile here: skip it
                _log.info("step tuning: %s %s did not compile (%s)", _name(kernel), key, exc)
                continue
            kernel.launchers = [launcher]
            try:
                step_s = time_step()
            except Exception:
                kernel.launchers = [best]
                time_step()  # leave the step as it was before raising
                raise
            choice.tried += 1
            _log.info("step tuning: %s %s: %.1f us alone, step %.3f ms (was %.3f)", _name(kernel), dict(key),
                      alone * 1e3, step_s * 1e3, best_s * 1e3)
            if step_s < best_s * (1 - min_gain):
                best, best_s = launcher, step_s
        kernel.launchers = [best]
        if best is not kept:
            best.config.found_by_coordesc = True
            _save(kernel, best.config, time.perf_counter() - t0)
            choice.changed.append(_name(kernel))
            base = best_s
    # the last run was with the last setting tried: run (and so capture) the step once more
    # with the settings kept, whether or not any changed
    choice.after_s = time_step() if choice.tried else base
    choice.seconds = time.perf_counter() - t0
    _log.info("step tuning: %s", choice.summary())
    return choice


def tune_decoder(fd, modules: list) -> Choice:
    """Re-rank the large kernels' tuned settings of a ``FastDecoder`` by its greedy step's time,
    and capture its step graphs again if any setting changed (or the timing failed)."""
    import torch

    key = (fd.windows[0], True)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

    def step_seconds(reps: int = 16) -> float:
        fd._capture(*key)
        graph, best = fd._graphs[key], math.inf
        for _ in range(3):
            fd._pos.fill_(0)
            start.record()
            for _ in range(reps):
                graph.replay()
            end.record()
            end.synchronize()
            best = min(best, start.elapsed_time(end) / 1e3 / reps)
        fd._pos.fill_(0)
        return best

    try:
        choice = choose_by_step(loaded_kernels(modules), step_seconds)
    except Exception as exc:  # the compiler's own choice stays; the graphs are captured afresh below
        _log.warning("timing the decode step to choose kernel settings failed: %s", exc, exc_info=True)
        choice = Choice(failed=str(exc) or type(exc).__name__)
    if choice.changed or choice.failed:
        # the timed graph was captured last with the settings kept (choose_by_step ends so);
        # after a failure it may not be, so it is captured again with the rest
        for graph_key in list(fd._graphs):
            if choice.failed or graph_key != key:
                fd._capture(*graph_key)
    return choice
