"""What the installer refuses before anything is installed: files the manifest does not list,
manifest paths that leave the bundle, links, a manifest other than the one built (its SHA-256),
and, with a key, a manifest it did not sign."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from installer import bundle_check, signing
from installer import install as inst
from tests.installer.test_install import make_bundle

ROOT = Path(__file__).resolve().parents[2]
QUIET = {"log": lambda _m: None}


def _rewrite_manifest(bundle: Path, change) -> None:  # noqa: ANN001
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (bundle / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (bundle / "SHA256SUMS").write_text(bundle_check.sums_text(manifest["files"]), encoding="utf-8")


def test_an_unlisted_wheel_is_refused_by_verify_and_install_before_anything_is_written(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    (b / "wheelhouse" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK code that would run")
    with pytest.raises(inst.InstallError, match=r"bundle file not in the manifest: wheelhouse/evil-1\.0-py3-none-any\.whl"):
        inst.verify_bundle(b, **QUIET)
    with pytest.raises(inst.InstallError, match="not in the manifest"):
        inst.install(b, tmp_path / "program", data_dir=tmp_path / "data", **QUIET)
    assert not (tmp_path / "program").exists() and not (tmp_path / "data").exists()


def test_install_sh_verify_refuses_the_unlisted_wheel_in_one_line(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    (b / "wheelhouse" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK code that would run")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON": sys.executable}
    proc = subprocess.run(["sh", str(b / "install.sh"), "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: bundle file not in the manifest: wheelhouse/evil-1.0-py3-none-any.whl. Remove it, or copy the "
        "bundle again; nothing was installed."]
    assert "All files match" not in proc.stdout


def test_a_compiled_file_dropped_beside_the_installer_is_refused_and_never_run(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    (b / "__pycache__").mkdir()
    (b / "__pycache__" / "bundle_check.cpython-311.pyc").write_bytes(b"\x00" * 32)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON": sys.executable}
    proc = subprocess.run(["sh", str(b / "install.sh"), "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "not in the manifest: __pycache__/bundle_check.cpython-311.pyc" in proc.stderr
    proc = subprocess.run(["sh", str(b / "install.sh"), "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert sorted(p.name for p in (b / "__pycache__").iterdir()) == ["bundle_check.cpython-311.pyc"]  # none written


@pytest.mark.parametrize("path", ["../../../etc/hostname", "/etc/hostname", "models/../../x", "C:/Windows/win.ini",
                                  "wheelhouse\\..\\x", "./install.sh", "wheelhouse//x.whl", "x\x00y"])
def test_a_manifest_path_that_leaves_the_bundle_is_refused(tmp_path: Path, path: str) -> None:
    b = make_bundle(tmp_path)
    hostname = Path("/etc/hostname")
    meta = ({"sha256": hashlib.sha256(hostname.read_bytes()).hexdigest(), "size": hostname.stat().st_size}
            if hostname.is_file() else {"sha256": "0" * 64, "size": 0})
    _rewrite_manifest(b, lambda m: m["files"].__setitem__(path, meta))
    with pytest.raises(inst.InstallError, match=r"lists a path that (leaves the bundle|is not allowed)"):
        inst.verify_bundle(b, **QUIET)
    with pytest.raises(inst.InstallError, match="nothing was installed|Nothing was installed"):
        inst.install(b, tmp_path / "program", data_dir=tmp_path / "data", **QUIET)
    assert not (tmp_path / "program").exists()


def test_a_model_folder_outside_the_bundle_is_refused(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    _rewrite_manifest(b, lambda m: m.__setitem__("models", ["../../home/someone/.ssh"]))
    with pytest.raises(inst.InstallError, match="leaves the bundle"):
        inst.verify_bundle(b, **QUIET)


def test_a_malformed_entry_is_one_sentence(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    _rewrite_manifest(b, lambda m: m["files"]["install.sh"].__setitem__("size", "many"))
    with pytest.raises(inst.InstallError, match="malformed entry for install.sh"):
        inst.verify_bundle(b, **QUIET)


def test_a_link_in_the_bundle_is_refused(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    os.symlink("/etc", b / "models" / "etc")
    with pytest.raises(inst.InstallError, match="bundle holds a link: models/etc"):
        inst.verify_bundle(b, **QUIET)


def test_sha256sums_that_disagree_with_the_manifest_are_refused(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    (b / "SHA256SUMS").write_text("0" * 64 + "  install.sh\n", encoding="utf-8")
    with pytest.raises(inst.InstallError, match="SHA256SUMS does not match manifest.json"):
        inst.verify_bundle(b, **QUIET)


def test_the_manifest_carries_its_own_sha256_and_verify_compares_it(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    digest = hashlib.sha256((b / "manifest.json").read_bytes()).hexdigest()
    built = signing.write_manifest(b, {"version": "0.1.0", "python": "3.11"})
    digest = hashlib.sha256((b / "manifest.json").read_bytes()).hexdigest()
    assert built["manifest_sha256"] == digest
    lines: list[str] = []
    inst.verify_bundle(b, log=lines.append, manifest_sha256=digest.upper())
    assert f"Manifest SHA-256: {digest}" in lines
    with pytest.raises(inst.InstallError, match=f"manifest.json has SHA-256 {digest}, not the {'ab' * 32} you"):
        inst.verify_bundle(b, manifest_sha256="ab" * 32, **QUIET)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return signing.keygen(tmp_path / "keys")


def test_keygen_keeps_the_private_key_to_its_owner_and_never_replaces_it(keys: tuple[Path, Path]) -> None:
    private, public = keys
    assert private.stat().st_mode & 0o777 == 0o600
    assert public.read_text(encoding="ascii").startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(signing.SigningError, match="holds a signing key already"):
        signing.keygen(private.parent)


def test_a_signed_bundle_passes_with_its_key_and_an_altered_one_is_refused(tmp_path: Path, keys) -> None:
    private, public = keys
    b = make_bundle(tmp_path)
    signing.write_manifest(b, {"version": "0.1.0", "python": "3.11"}, sign_key=private)
    lines: list[str] = []
    inst.verify_bundle(b, log=lines.append, public_key=public)
    assert f"The manifest is signed with the key in {public}." in lines

    # Someone adds a wheel and lists it, rewriting manifest.json and SHA256SUMS: the hashes all fit...
    (b / "wheelhouse" / "evil-1.0-py3-none-any.whl").write_bytes(b"PK evil")
    evil = b / "wheelhouse" / "evil-1.0-py3-none-any.whl"
    _rewrite_manifest(b, lambda m: m["files"].__setitem__(
        "wheelhouse/evil-1.0-py3-none-any.whl", {"sha256": bundle_check.sha256_file(evil), "size": evil.stat().st_size}))
    inst.verify_bundle(b, **QUIET)  # ...so only the signature can tell
    with pytest.raises(inst.InstallError, match="signature of manifest.json does not match the key"):
        inst.verify_bundle(b, public_key=public, **QUIET)
    with pytest.raises(inst.InstallError, match="signature of manifest.json does not match"):
        inst.install(b, tmp_path / "program", public_key=public, **QUIET)
    assert not (tmp_path / "program").exists()


def test_another_key_or_no_signature_is_refused(tmp_path: Path, keys) -> None:
    private, _ = keys
    _, other_public = signing.keygen(tmp_path / "other")
    b = make_bundle(tmp_path)
    with pytest.raises(inst.InstallError, match="manifest.json.sig is missing: the bundle is not signed"):
        inst.verify_bundle(b, public_key=other_public, **QUIET)
    signing.write_manifest(b, {"version": "0.1.0"}, sign_key=private)
    with pytest.raises(inst.InstallError, match="does not match the key"):
        inst.verify_bundle(b, public_key=other_public, **QUIET)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl here")
def test_openssl_checks_the_signature_where_python_has_no_cryptography(tmp_path: Path, keys) -> None:
    private, public = keys
    data = b'{"files": {}}\n'
    signature = signing.sign(data, private)
    assert bundle_check.verify_with_openssl(data, signature, public)
    assert not bundle_check.verify_with_openssl(data + b" ", signature, public)


def test_python_m_installer_keygen_and_verify_on_the_command_line(tmp_path: Path) -> None:
    b = make_bundle(tmp_path)
    run = lambda *a: subprocess.run([sys.executable, "-m", "installer", *a], cwd=ROOT, capture_output=True,  # noqa: E731
                                    text=True, timeout=120)
    made = run("keygen", "--out", str(tmp_path / "k"))
    assert made.returncode == 0 and "bundle-signing.key" in made.stdout
    signing.write_manifest(b, {"version": "0.1.0"}, sign_key=tmp_path / "k" / "bundle-signing.key")
    ok = run("verify", "--bundle", str(b), "--public-key", str(tmp_path / "k" / "bundle-signing.pub"))
    assert ok.returncode == 0 and "All files match the manifest, and it lists every file." in ok.stdout
    bad = run("verify", "--bundle", str(b), "--manifest-sha256", "0" * 64)
    assert bad.returncode == 2 and bad.stderr.startswith("error: manifest.json has SHA-256")
