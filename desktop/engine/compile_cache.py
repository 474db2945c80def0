"""Compiled kernels kept on disk, so the fast path's next start loads them instead of compiling.

``use_disk_cache()`` points Inductor's and Triton's caches (FX graphs, autograd graphs,
kernel tuning results) at ``paths.cache_dir()/inductor/<torch version>`` unless the user
set ``TORCHINDUCTOR_CACHE_DIR``, and makes sure the tuning saved on the first start is
used on the next ones (``keep_tuned_configs``).

Beside the model, too: after a model's first warm-up, ``keep_beside`` writes what this
process compiled (``torch.compiler.save_cache_artifacts``: Inductor's graphs and kernels and
their tuning) to ``<model folder>/.termlens-compiled/<torch>-<GPU>-<weights>.compiled``, and
``use_disk_cache(beside)`` loads it into the cache before the next warm-up
(``load_cache_artifacts``), so a new data folder, or another user of the same model folder,
starts warm. A folder that cannot be written is left alone. Runs on the model thread; knows
nothing of Qt.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

import torch

from desktop import log, paths

_log = log.get("fastgen")


ARTIFACTS_DIR = ".termlens-compiled"


def artifacts_file(owner: Any, eight_bit: bool) -> Path | None:
    """Where the compiled kernels of ``owner``'s model (a LoadedModel) are kept beside it; None without one."""
    folder = getattr(getattr(owner, "info", None), "path", None)
    if folder is None:
        return None
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{torch.__version__}-{gpu}-{'int8' if eight_bit else 'full'}")
    return Path(folder) / ARTIFACTS_DIR / f"{name}.compiled"  # not .bin: a pickled-weights suffix


def load_beside(path: Path | None) -> bool:
    """Load the compiled kernels kept beside a model into the cache; whether there were any."""
    if path is None or not path.is_file():
        return False
    try:
        return torch.compiler.load_cache_artifacts(path.read_bytes()) is not None
    except Exception as exc:  # noqa: BLE001 - another torch's file, or a damaged one: compile as on a first start
        _log.warning("compiled kernels in %s could not be used (%s: %s); compiling them again", path,
                     type(exc).__name__, exc)
        return False


def keep_beside(path: Path | None) -> bool:
    """After a warm-up that compiled, write what this process compiled beside the model (once); whether written."""
    if path is None or path.exists():
        return False
    try:
        saved = torch.compiler.save_cache_artifacts()
        if not saved or not saved[0]:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_bytes(saved[0])
        os.replace(part, path)
    except OSError as exc:  # a read-only model folder: the data folder's cache still serves this user
        _log.info("compiled kernels not kept beside the model (%s)", exc)
        return False
    _log.info("compiled kernels kept in %s (%.1f MB)", path, path.stat().st_size / 1e6)
    return True


def use_disk_cache(beside: Path | None = None) -> None:
    """Keep compiled kernels under TermLens's cache folder, so the next start loads them from disk;
    first load those kept beside the model (``beside``, from ``artifacts_file``) into it."""
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    current = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if current is None or os.path.abspath(current) == os.path.abspath(default_cache_dir()):
        target = paths.cache_dir() / "inductor" / torch.__version__.replace("+", "_")
        target.mkdir(parents=True, exist_ok=True)
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(target)
    if not os.environ.get("TRITON_CACHE_DIR"):
        # Triton's own kernels (desktop.engine.int8_gemv) and their tuning results, kept beside Inductor's
        os.environ["TRITON_CACHE_DIR"] = os.path.join(os.environ["TORCHINDUCTOR_CACHE_DIR"], "triton")
    import torch._inductor.config as inductor_config

    inductor_config.fx_graph_cache = True
    if hasattr(inductor_config, "autotune_local_cache"):
        inductor_config.autotune_local_cache = True
    try:
        import torch._functorch.config as functorch_config

        functorch_config.enable_autograd_cache = True
    except (ImportError, AttributeError):
        pass
    keep_tuned_configs()
    load_beside(beside)


def keep_tuned_configs() -> bool:
    """Make kernels loaded from the disk cache keep the launch settings tuned on the first start.

    Some torch releases (2.11 among them; 2.13 is mended) tune a cached kernel again at the
    next start, which cost 6-9 s of every warm start of the 7B model and gave a differently
    tuned, sometimes slower, kernel each time (on an H200: 236 tokens/s on the first start,
    227 on the next). Three faults, each mended here only where the installed torch has it:

    - a kernel with a single compiled configuration ignores the configuration saved for it
      (pytorch/pytorch#172819): ``recheck_autotune_cache`` is replaced by the corrected one;
    - after a cache hit, a copy of the saved configuration with half the reduction block is
      added and the two are timed again (pytorch/pytorch#181789): that step is skipped on a hit;
    - the mark "found by coordinate descent" is lost when a configuration is copied or comes
      back from a compile worker, so the tuning runs again: it is carried over.

    Returns whether anything was changed. Anything unexpected leaves torch as it is.
    """
    try:
        import inspect

        from torch._inductor.runtime import triton_heuristics as th

        autotuner = th.CachingAutotuner
        if getattr(autotuner, "_termlens_keeps_tuned", False):
            return True
        recheck = "len(configs) > 1" in inspect.getsource(autotuner.recheck_autotune_cache)
        scale = getattr(autotuner, "_dynamic_scale_rblock", None)
        rescale = scale is not None and "autotune_cache_state" not in inspect.getsource(scale)
        check, hashable, timed = th.check_autotune_cache, th.triton_config_to_hashable, th.dynamo_timed
    except Exception:  # noqa: BLE001 - an internal API; without the fix warm starts are only slower
        return False
    mark = _keep_coordesc_mark()
    if recheck:
        autotuner.recheck_autotune_cache = corrected_recheck(check, hashable, timed)
    if rescale:
        autotuner._dynamic_scale_rblock = skip_on_cache_hit(scale)
    if not (recheck or rescale or mark):
        return False
    autotuner._termlens_keeps_tuned = True
    _log.info("torch %s re-tunes cached kernels at every start; using the corrected cache check", torch.__version__)
    return True


def skip_on_cache_hit(scale: Callable) -> Callable:
    """``CachingAutotuner._dynamic_scale_rblock`` that leaves a kernel alone when its tuning came from the cache."""

    def _dynamic_scale_rblock(self):
        info = getattr(self, "autotune_cache_info", None) or {}
        if info.get("autotune_cache_state") == "hit":
            return None
        return scale(self)

    return _dynamic_scale_rblock


def _keep_coordesc_mark() -> bool:
    """Carry ``found_by_coordesc`` through a copy of a Triton configuration; whether it had to be mended."""
    try:
        import copy

        import triton

        probe = triton.Config({})
        probe.found_by_coordesc = True
        if getattr(copy.deepcopy(probe), "found_by_coordesc", False):
            return False
        restore = triton.Config.__setstate__
    except Exception:  # noqa: BLE001 - no Triton (a CPU) or a different one: nothing to mend
        return False

    def __setstate__(self, state):
        restore(self, state)
        if isinstance(state, dict) and state.get("found_by_coordesc"):
            self.found_by_coordesc = True

    triton.Config.__setstate__ = __setstate__
    return bool(getattr(copy.deepcopy(probe), "found_by_coordesc", False))


def corrected_recheck(check: Callable, hashable: Callable, timed: Callable) -> Callable:
    """``CachingAutotuner.recheck_autotune_cache`` as later torch has it, over torch's own helpers.

    On a hit in the autotune cache, keep only the compiled configuration that was saved as
    the best one and carry over whether coordinate descent found it (so it is not tuned
    again); compile the saved one when none of the compiled ones is it. On a miss, change
    nothing: the kernel is tuned on its first run, as before.
    """

    def recheck_autotune_cache(self, reload_kernel_from_src) -> None:
        configs = [result.config for result in self.compile_results]
        cached, _, info = check(configs, self.filename, self.inductor_meta)
        self.autotune_cache_info = info
        if len(cached) != 1 or info.get("autotune_cache_state") != "hit":
            return
        best = cached[0]
        found = getattr(best, "found_by_coordesc", False)
        for result in self.compile_results:
            if hashable(result.config) == hashable(best):
                result.config.found_by_coordesc = found
                self.compile_results = [result]
                return
        with timed("CachingAutotuner.slow_precompile_config"):
            if self.fn.fn is None:
                self.fn = reload_kernel_from_src().fn
            self.compile_results = [self._precompile_config(best)]

    return recheck_autotune_cache
