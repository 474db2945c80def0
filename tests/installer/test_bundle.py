"""The air-gapped installation, end to end, with the README's own commands.

The commands come from the README's "Install on an air-gapped machine" section (between
the ``airgap-commands`` markers; ``installer/README-section.md`` until the README has
it), so the text a person follows is the text tested. Its four code blocks are run in
order: the bundle build on the connected machine (this one, with the package registry),
then, on a "workstation" that is a fresh home folder inside a network namespace with no
interface at all (``unshare -n``): the install with a first question and a picture of the
window, an upgrade over the installed copy, and the uninstall.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTION_MARKERS = ("<!-- airgap-commands -->", "<!-- /airgap-commands -->")
TIMINGS: dict[str, float] = {}


def airgap_section() -> tuple[Path, str]:
    """The README's section between the markers, else the installer's copy of it."""
    for path in (ROOT / "README.md", ROOT / "installer" / "README-section.md"):
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        start, end = text.find(SECTION_MARKERS[0]), text.find(SECTION_MARKERS[1])
        if start != -1 and end > start:
            return path, text[start + len(SECTION_MARKERS[0]):end]
    raise AssertionError("Neither README.md nor installer/README-section.md has the airgap-commands section.")


def airgap_blocks() -> tuple[Path, list[str]]:
    path, section = airgap_section()
    return path, [b.strip() for b in re.findall(r"^```[^\n]*\n(.*?)^```", section, flags=re.S | re.M)]


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def _host_path() -> str:
    """PATH without this test run's own virtual environment: the workstation has only its system Python."""
    own = {str(Path(sys.prefix) / "bin"), str(Path(sys.executable).parent)}
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p not in own)


def connected_env(home: Path) -> dict[str, str]:
    """This machine as it is, with a fresh home folder; pip keeps its own settings and cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TERMLENS_")}
    real_home = Path.home()
    env.setdefault("XDG_CACHE_HOME", str(real_home / ".cache"))
    env.setdefault("XDG_CONFIG_HOME", str(real_home / ".config"))
    env["HOME"] = str(home)
    return env


def workstation_env(home: Path) -> dict[str, str]:
    """A person's login on the workstation: a home folder, the system's PATH, no settings of ours.

    It has no keyring service, so TermLens protects the data with a passphrase, which a person
    types at the first prompt; here it comes from ``TERMLENS_PASSPHRASE``, as the README says.
    """
    return {"HOME": str(home), "PATH": _host_path(), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "USER": "clinician", "LOGNAME": "clinician", "TERMLENS_PASSPHRASE": "correct horse battery staple"}


def run_block(name: str, block: str, *, cwd: Path, env: dict[str, str], offline: bool,
              timeout: int) -> subprocess.CompletedProcess:
    cmd = ["bash", "-euo", "pipefail", "-c", block]
    if offline:
        cmd = ["unshare", "-n", *cmd]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    TIMINGS[name] = time.monotonic() - started
    assert proc.returncode == 0, (
        f"{name} failed with exit code {proc.returncode}:\n$ {block}\n{proc.stdout[-3000:]}\n{proc.stderr[-4000:]}"
    )
    return proc


def make_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel with one module."""
    path = folder / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": "VALUE = 1\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    with zipfile.ZipFile(path, "w") as zf:
        for arc, text in files.items():
            zf.writestr(arc, text)
        zf.writestr(f"{info}/RECORD", "".join(f"{arc},,\n" for arc in files) + f"{info}/RECORD,,\n")
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG picture"
    return struct.unpack(">II", data[16:24])


def test_readme_section_has_the_four_steps() -> None:
    path, blocks = airgap_blocks()
    assert len(blocks) == 4, f"{path}: expected 4 code blocks (build, install, upgrade, uninstall), found {len(blocks)}"
    build, install, upgrade, uninstall = blocks
    assert "-m installer bundle --out ~/termlens-bundle" in build
    assert install.splitlines()[0] == upgrade == "sh ~/termlens-bundle/install.sh"
    assert uninstall == "sh ~/termlens-bundle/install.sh uninstall"


@pytest.mark.slow
@pytest.mark.network_namespace
@pytest.mark.timeout(1800)
@pytest.mark.skipif(not _can_unshare(), reason="unshare -n is not permitted here")
def test_bundle_installs_and_runs_on_a_workstation_without_network(tmp_path: Path) -> None:
    section, (build, install, upgrade, uninstall) = airgap_blocks()
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.fail("The build step uses .venv/bin/python: run the README's Quick start install first.")
    connected, workstation = tmp_path / "connected", tmp_path / "workstation"
    connected.mkdir()
    workstation.mkdir()

    # 1. The connected machine builds the bundle.
    proc = run_block("build", build, cwd=ROOT, env=connected_env(connected), offline=False, timeout=900)
    build_summary = proc.stdout.strip().splitlines()[-1]
    bundle = connected / "termlens-bundle"
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    wheels = manifest["wheels"]
    assert manifest["platform"] == "linux_x86_64" and manifest["torch"] == "cpu"
    assert any(w.startswith("torch-2.13.0+cpu-") for w in wheels), wheels
    assert not [w for w in wheels if w.startswith("nvidia_")], "a CPU bundle must not carry CUDA libraries"
    assert any(w.startswith("termlens-") for w in wheels) and any(w.startswith("pip-") for w in wheels)
    assert (bundle / "INSTALL.txt").read_text(encoding="utf-8").startswith("TermLens ")
    manifest_sha256 = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    assert f"Manifest SHA-256: {manifest_sha256}" in proc.stdout  # for the administrator to compare

    # The folder is carried to the workstation (hard links: the same bytes, no time spent copying).
    shutil.copytree(bundle, workstation / "termlens-bundle", copy_function=os.link)
    env = workstation_env(workstation)
    prefix = workstation / ".local" / "opt" / "termlens"
    data = workstation / ".local" / "share" / "TermLens"

    # 2. Install, a first question and the window, with no network interface at all.
    proc = run_block("install_and_run", install, cwd=workstation, env=env, offline=True, timeout=1200)
    out = proc.stdout
    install_summary = re.search(r"is installed in .* \((\d+ s)\)", out)
    assert "Checking" in out and f"TermLens {manifest['version']} is installed in {prefix}" in out, out[-2000:]
    assert f"Manifest SHA-256: {manifest_sha256}" in out  # the same value, shown on the workstation
    answer = out.split("run it:", 1)[1].split("\n", 1)[1].split("screenshot saved", 1)[0]
    assert re.search(r"[A-Za-z]{2,}", answer), f"ask printed no answer:\n{out[-2000:]}"
    shot = workstation / "termlens-window.png"
    width, height = png_size(shot)
    assert width >= 800 and height >= 500 and shot.stat().st_size > 20_000, (width, height, shot.stat().st_size)
    assert (data / "models" / "SmolLM2-135M-Instruct" / "model.safetensors").is_file()
    entry = workstation / ".local" / "share" / "applications" / "termlens.desktop"
    entry_text = entry.read_text(encoding="utf-8")
    assert f"Exec={prefix / 'termlens'}" in entry_text
    icon = Path(re.search(r"^Icon=(.+)$", entry_text, re.M).group(1))
    assert icon.is_file() and icon.read_text(encoding="utf-8").lstrip().startswith("<")

    # The person's own glossary entry, which an upgrade must keep.
    glossary = workstation / "my-terms.csv"
    with glossary.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["preferred_en", "definition_en"],
                                 ["Zorblax index", "A made-up score that only this workstation knows."]])
    termlens = str(prefix / "termlens")
    subprocess.run(["unshare", "-n", termlens, "glossary", "import", str(glossary)], env=env, cwd=workstation,
                   check=True, capture_output=True, timeout=300)
    model_written = (data / "models" / "SmolLM2-135M-Instruct" / "model.safetensors").stat().st_mtime_ns
    # A package the installed version used and the new one does not.
    venv_python = prefix / "venv" / "bin" / "python"
    old_wheel = make_wheel(workstation, "oldhelper", "1.0")
    subprocess.run(["unshare", "-n", venv_python, "-m", "pip", "install", "--no-index", "--no-deps", old_wheel],
                   env=env, check=True, capture_output=True, timeout=300)

    # 3. Upgrade: the same command again keeps the data, and the model is not converted again.
    proc = run_block("upgrade", upgrade, cwd=workstation, env=env, offline=True, timeout=900)
    assert "An installation exists" in proc.stdout, proc.stdout[-2000:]
    assert "no longer uses: oldhelper" in proc.stdout, proc.stdout[-2000:]
    gone = subprocess.run([venv_python, "-c", "import oldhelper"], env=env, capture_output=True, timeout=60)
    assert gone.returncode != 0
    assert (data / "models" / "SmolLM2-135M-Instruct" / "model.safetensors").stat().st_mtime_ns == model_written
    found = subprocess.run(["unshare", "-n", termlens, "glossary", "search", "Zorblax"], env=env, cwd=workstation,
                           capture_output=True, text=True, timeout=300)
    assert found.returncode == 0 and "Zorblax index" in found.stdout, found.stdout + found.stderr

    # 4. Uninstall: the program and its menu entry go, the data stays.
    proc = run_block("uninstall", uninstall, cwd=workstation, env=env, offline=True, timeout=300)
    assert not prefix.exists() and not entry.exists() and not icon.exists()
    assert (data / "termlens.db").is_file() and (data / "models" / "SmolLM2-135M-Instruct").is_dir()
    assert f"Your data was kept in {data}" in proc.stdout

    shutil.rmtree(connected)  # about 2 GB in all: gone once the test has passed
    shutil.rmtree(workstation)
    print(f"\nbundle test ({section.name}): " + ", ".join(f"{k} {v:.0f} s" for k, v in TIMINGS.items())
          + f"; bundle {manifest['total_bytes'] / 1e6:.0f} MB, {len(wheels)} wheels"
          + f"\n  {build_summary}\n  install alone: {install_summary.group(1) if install_summary else '?'}")
