"""The compiled-kernel cache: where it lives, and that tuning saved on one start is used on the next."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from desktop.engine import compile_cache

ROOT = Path(__file__).resolve().parents[2]


class _Config(SimpleNamespace):
    pass


class _Autotuner:
    """What ``recheck_autotune_cache`` touches of torch's CachingAutotuner."""

    def __init__(self, configs):
        self.compile_results = [SimpleNamespace(config=c) for c in configs]
        self.filename, self.inductor_meta = "/cache/k.py", {}
        self.fn = SimpleNamespace(fn=object())
        self.precompiled = []

    def _precompile_config(self, config):
        self.precompiled.append(config)
        return SimpleNamespace(config=config)


def _recheck(cached, state):
    def check(configs, filename, meta):
        return cached if cached is not None else configs, None, {"autotune_cache_state": state}

    def timed(_name):
        from contextlib import nullcontext

        return nullcontext()

    def hashable(c):  # as torch's triton_config_to_hashable: the launch settings only
        return tuple(sorted((k, v) for k, v in vars(c).items() if k != "found_by_coordesc"))

    return compile_cache.corrected_recheck(check, hashable, timed)


def test_a_saved_tuning_result_is_kept_and_not_tuned_again():
    a, b = _Config(XBLOCK=1, num_warps=4), _Config(XBLOCK=8, num_warps=8)
    tuner = _Autotuner([a])  # one compiled configuration: the case torch 2.11 gets wrong
    best = _Config(XBLOCK=1, num_warps=4)
    best.found_by_coordesc = True
    _recheck([best], "hit")(tuner, reload_kernel_from_src=None)
    assert [r.config for r in tuner.compile_results] == [a]
    assert a.found_by_coordesc is True  # torch skips the tuning for a config marked so

    tuner = _Autotuner([a, b])
    _recheck([_Config(XBLOCK=8, num_warps=8)], "hit")(tuner, reload_kernel_from_src=None)
    assert [r.config for r in tuner.compile_results] == [b]


def test_a_saved_configuration_that_was_not_compiled_is_compiled():
    tuner = _Autotuner([_Config(XBLOCK=1, num_warps=4)])
    best = _Config(XBLOCK=2, num_warps=2)
    best.found_by_coordesc = True
    _recheck([best], "hit")(tuner, reload_kernel_from_src=None)
    assert tuner.precompiled == [best] and tuner.compile_results[0].config is best


def test_without_a_saved_result_nothing_changes():
    a = _Config(XBLOCK=1, num_warps=4)
    tuner = _Autotuner([a])
    _recheck(None, "miss")(tuner, reload_kernel_from_src=None)
    assert [r.config for r in tuner.compile_results] == [a]
    assert not hasattr(a, "found_by_coordesc") and tuner.autotune_cache_info == {"autotune_cache_state": "miss"}


def test_the_installed_torch_is_changed_only_if_it_has_the_fault():
    th = pytest.importorskip("torch._inductor.runtime.triton_heuristics")
    import inspect

    recheck, scale = th.CachingAutotuner.recheck_autotune_cache, th.CachingAutotuner._dynamic_scale_rblock
    faulty_recheck = "len(configs) > 1" in inspect.getsource(recheck)
    faulty_scale = "autotune_cache_state" not in inspect.getsource(scale)
    compile_cache.keep_tuned_configs()
    assert (th.CachingAutotuner.recheck_autotune_cache is recheck) is not faulty_recheck
    assert (th.CachingAutotuner._dynamic_scale_rblock is scale) is not faulty_scale


def test_a_kernel_whose_tuning_came_from_the_cache_gets_no_extra_configuration():
    added = []
    scale = compile_cache.skip_on_cache_hit(lambda tuner: added.append(tuner))
    hit = SimpleNamespace(autotune_cache_info={"autotune_cache_state": "hit"})
    miss = SimpleNamespace(autotune_cache_info={"autotune_cache_state": "miss"})
    scale(hit)
    scale(miss)
    scale(SimpleNamespace(autotune_cache_info=None))
    assert added[0] is miss and len(added) == 2


def test_a_copied_configuration_keeps_its_tuning_mark():
    triton = pytest.importorskip("triton")
    import copy
    import pickle

    compile_cache.keep_tuned_configs()
    tuned = triton.Config({"XBLOCK": 4, "R0_BLOCK": 512}, num_warps=4, num_stages=1)
    tuned.found_by_coordesc = True
    for back in (copy.deepcopy(tuned), pickle.loads(pickle.dumps(tuned))):
        assert back.found_by_coordesc is True and back.kwargs == tuned.kwargs and back.num_warps == 4
    assert not hasattr(copy.deepcopy(triton.Config({"XBLOCK": 1})), "found_by_coordesc")


def test_compiled_kernels_go_under_the_data_folder(termlens_home, monkeypatch):
    monkeypatch.delenv("TORCHINDUCTOR_CACHE_DIR", raising=False)
    monkeypatch.setenv("TRITON_CACHE_DIR", "")  # unset; undone after the test
    compile_cache.use_disk_cache()
    target = os.environ["TORCHINDUCTOR_CACHE_DIR"]
    assert target.startswith(str(termlens_home)) and os.path.isdir(target)
    # Triton's own kernels and their tuning results (the 8-bit kernel's) are kept there too
    assert os.environ["TRITON_CACHE_DIR"] == os.path.join(target, "triton")
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", "/somewhere/the/user/chose")
    compile_cache.use_disk_cache()
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"] == "/somewhere/the/user/chose"


def _owner(folder):
    return SimpleNamespace(info=SimpleNamespace(path=folder))


def test_kernels_kept_beside_a_model_are_named_by_torch_gpu_and_weights(tmp_path):
    assert compile_cache.artifacts_file(None, False) is None
    full, eight = compile_cache.artifacts_file(_owner(tmp_path), False), compile_cache.artifacts_file(_owner(tmp_path), True)
    assert full.parent == tmp_path / compile_cache.ARTIFACTS_DIR and full != eight
    assert full.name.endswith("-full.compiled") and eight.name.endswith("-int8.compiled") and "/" not in full.name


def test_kernels_are_kept_beside_the_model_once_and_never_break_a_start(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.compiler, "save_cache_artifacts", lambda: (b"compiled", None))
    path = compile_cache.artifacts_file(_owner(tmp_path), False)
    assert compile_cache.keep_beside(path) and path.read_bytes() == b"compiled"
    monkeypatch.setattr(torch.compiler, "save_cache_artifacts", lambda: (b"other", None))
    assert not compile_cache.keep_beside(path) and path.read_bytes() == b"compiled"  # written once
    # a model folder that cannot be written (here: a file where the folder would go) is left alone
    (tmp_path / "ro").write_text("not a folder")
    assert not compile_cache.keep_beside(tmp_path / "ro" / compile_cache.ARTIFACTS_DIR / "x.bin")
    # a damaged file is passed over (the start compiles as a first start does)
    path.write_bytes(b"damaged")
    assert compile_cache.load_beside(path) is False
    assert compile_cache.load_beside(tmp_path / "absent.bin") is False


@pytest.mark.slow
def test_kernels_kept_beside_a_model_warm_a_new_cache_folder(tmp_path):
    """What one process compiled, loaded by another whose cache folder is empty: a cache hit, not a compile."""
    script = textwrap.dedent("""
        import sys, torch
        from pathlib import Path
        from torch._dynamo.utils import counters
        from desktop.engine import compile_cache
        path = Path(sys.argv[2])
        if sys.argv[1] == "load":
            assert compile_cache.load_beside(path)
        f = torch.compile(lambda x: torch.sin(x) * 2 + 1)
        f(torch.ones(8))
        if sys.argv[1] == "save":
            assert compile_cache.keep_beside(path)
        print("HITS", counters["inductor"]["fxgraph_cache_hit"], "MISSES", counters["inductor"]["fxgraph_cache_miss"])
    """)
    kept = tmp_path / "model" / compile_cache.ARTIFACTS_DIR / "k.bin"
    outs = []
    for step, cache in (("save", "a"), ("load", "b")):
        env = dict(os.environ, TORCHINDUCTOR_CACHE_DIR=str(tmp_path / cache), TRITON_CACHE_DIR=str(tmp_path / cache))
        proc = subprocess.run([sys.executable, "-c", script, step, str(kept)], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(proc.stdout.split("HITS", 1)[1].split())
    assert outs[0] == ["0", "MISSES", "1"] and kept.stat().st_size > 0
    assert outs[1] == ["1", "MISSES", "0"]
