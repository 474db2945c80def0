"""The llama-cpp-python wheel in the offline bundle: found or packed here, checked, installed without compiling."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from installer import bundle as bundle_mod, bundle_check, install as inst, llama_wheel
from tests.installer.test_install import make_bundle

pytestmark = pytest.mark.skipif(llama_wheel.installed() is None, reason="llama-cpp-python is not installed here")


def _quiet(_msg: str) -> None:
    pass


def test_the_installed_build_packed_again_installs_without_compiling_and_loads(tmp_path: Path) -> None:
    dist = llama_wheel.installed()
    wheel = llama_wheel.repack(dist, tmp_path)
    tag = next(line.split(":", 1)[1].strip() for line in dist.read_text("WHEEL").splitlines() if line.startswith("Tag:"))
    assert wheel.name == f"llama_cpp_python-{dist.version}-{tag}.whl"
    assert llama_wheel.same_build(wheel, dist)  # the native libraries that run here, byte for byte
    assert "numpy>=1.20.0" in llama_wheel.requirements(wheel)
    assert not any("uvicorn" in r for r in llama_wheel.requirements(wheel))  # the server extra is not needed
    target = tmp_path / "site"
    # what the target runs: wheels only, no index, no cache; a source build would fail here
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-index", "--only-binary=:all:", "--no-deps",
                           "--no-cache-dir", "--disable-pip-version-check", "--target", str(target), str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    code = "import llama_cpp, sys; print(llama_cpp.__file__); print(llama_cpp.llama_print_system_info().decode())"
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[0].startswith(str(target))  # the installed copy loaded, not this environment's
    assert "AVX2 = 1" in out.stdout and "AMX_INT8 = 1" not in out.stdout  # the portable build


def test_a_cached_wheel_of_another_build_is_not_taken(tmp_path: Path) -> None:
    """pip's cache ignores CMAKE_ARGS: a cached native build must not go into the bundle."""
    dist = llama_wheel.installed()
    other = tmp_path / f"llama_cpp_python-{dist.version}-py3-none-linux_x86_64.whl"
    lib = next(f.as_posix() for f in dist.files if f.name.endswith(".so"))
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr(lib, b"native build")
        zf.writestr(f"llama_cpp_python-{dist.version}.dist-info/RECORD", f"{lib},sha256=AAAA,12\n")
    assert not llama_wheel.same_build(other, dist)


def test_the_bundle_takes_the_build_that_runs_here(tmp_path: Path, monkeypatch) -> None:
    dist = llama_wheel.installed()
    monkeypatch.setattr(llama_wheel, "_origin_wheel", lambda _d: None)
    monkeypatch.setattr(llama_wheel, "_cached_wheels", lambda: [])
    lines: list[str] = []
    wheel = llama_wheel.find(tmp_path, platform="linux_x86_64", log=lines.append)
    assert wheel is not None and wheel.parent == tmp_path and llama_wheel.same_build(wheel, dist)
    assert "packing the installed" in lines[-1]
    assert llama_wheel.find(tmp_path, platform="win_amd64", log=lines.append) is None
    assert "--llama-wheel" in lines[-1]  # says what to do for a Windows bundle


def test_a_given_wheel_for_another_platform_is_one_sentence(tmp_path: Path) -> None:
    given = tmp_path / "llama_cpp_python-0.3.36-cp311-cp311-win_amd64.whl"
    given.write_bytes(b"PK")
    with pytest.raises(llama_wheel.LlamaWheelError, match="built for win_amd64, but the bundle is for linux_x86_64"):
        llama_wheel.find(tmp_path / "out", given=given, platform="linux_x86_64", log=_quiet)
    with pytest.raises(llama_wheel.LlamaWheelError, match="not a llama_cpp_python wheel"):
        llama_wheel.find(tmp_path, given=tmp_path / "missing.whl", platform="linux_x86_64", log=_quiet)


def test_no_llama_here_gives_a_bundle_without_it_and_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(llama_wheel, "installed", lambda: None)
    lines: list[str] = []
    assert llama_wheel.find(tmp_path, platform="linux_x86_64", log=lines.append) is None
    assert "transformers" in lines[-1]


def _with_llama(tmp_path: Path, name: str, *, listed: bool = True) -> Path:
    b = make_bundle(tmp_path)
    (b / "wheelhouse" / name).write_bytes(b"PK llama " * 50)
    manifest = bundle_check.read_manifest(b)[0]
    extra = {"wheels": [name] if listed else [], "llama_wheel": name}
    keys = ("version", "python", "platform", "default_model_wheel", "models")
    bundle_mod.write_manifest(b, {**{k: manifest[k] for k in keys}, **extra})
    return b


def test_the_check_refuses_a_llama_wheel_for_another_platform_or_missing(tmp_path: Path) -> None:
    here = inst.current_platform()
    good = _with_llama(tmp_path / "a", f"llama_cpp_python-0.3.36-py3-none-{here}.whl")
    manifest = inst.verify_bundle(good, log=_quiet)
    assert bundle_check.llama_requirement(manifest) == ["llama_cpp_python==0.3.36"]
    other = _with_llama(tmp_path / "b", "llama_cpp_python-0.3.36-py3-none-linux_aarch64.whl")
    with pytest.raises(inst.InstallError, match="built for linux_aarch64"):
        inst.verify_bundle(other, log=_quiet)
    unlisted = _with_llama(tmp_path / "c", f"llama_cpp_python-0.3.36-py3-none-{here}.whl", listed=False)
    with pytest.raises(inst.InstallError, match="does not hold it"):
        inst.verify_bundle(unlisted, log=_quiet)


def test_a_fresh_install_installs_the_llama_wheel_with_termlens(tmp_path: Path, monkeypatch) -> None:
    commands: list[list[str]] = []
    monkeypatch.setattr(inst, "_make_venv", lambda venv, **_k: venv.mkdir(parents=True))
    monkeypatch.setattr(inst, "run", lambda cmd, **_k: commands.append([str(c) for c in cmd]) or "")
    inst._install_afresh(tmp_path / "venv", tmp_path, None, "0.1.0", _quiet, also=["llama_cpp_python==0.3.36"])
    pip = commands[0]
    assert "--no-index" in pip and "--only-binary=:all:" in pip  # never a source build on the target
    assert pip.index("termlens==0.1.0") < pip.index("llama_cpp_python==0.3.36")
