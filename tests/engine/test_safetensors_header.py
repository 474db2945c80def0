"""The safetensors header reader: any bytes give a header or one ModelLoadError sentence, never a traceback."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.engine.models import read_safetensors_header
from desktop.errors import ModelLoadError


def _file(path: Path, header: bytes, body: bytes = b"") -> Path:
    path.write_bytes(struct.pack("<Q", len(header)) + header + body)
    return path


@pytest.mark.parametrize("header", [b'{"a":5}', b"[1,2]", b'{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}',
                                    b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}',
                                    b'{"w": {"dtype": 1, "shape": [1], "data_offsets": [0, 4]}}',
                                    b'{"__metadata__": {"format": 5}}', b'{"id": ' + b"9" * 5000 + b"}",
                                    b"[" * 100_000 + b"]" * 100_000, b'"\\ud800"', b"\xff\xfe"])
def test_damaged_headers_are_one_sentence(tmp_path: Path, header: bytes) -> None:
    with pytest.raises(ModelLoadError, match="damaged header"):
        read_safetensors_header(_file(tmp_path / "model.safetensors", header, b"\0" * 16))


def test_a_good_header_is_read(tmp_path: Path) -> None:
    header = {"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "__metadata__": {"format": "pt"}}
    assert read_safetensors_header(_file(tmp_path / "m.safetensors", json.dumps(header).encode(), b"\0" * 16)) == header


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["dtype", "shape", "data_offsets", "w", "__metadata__"]) | st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


EXAMPLES = int(os.environ.get("TERMLENS_FUZZ_EXAMPLES", "60"))  # raise it for a long local run


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=_json, body=st.binary(max_size=64))
def test_fuzz_header_structure(tmp_path: Path, header: object, body: bytes) -> None:
    path = _file(tmp_path / "f.safetensors", json.dumps(header).encode(), body)
    try:
        read_safetensors_header(path)
    except ModelLoadError as exc:
        assert str(exc).endswith(".")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_fuzz_header_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.safetensors"
    path.write_bytes(data)
    try:
        read_safetensors_header(path)
    except ModelLoadError as exc:
        assert str(exc).endswith(".")


@pytest.mark.parametrize("header", [b'{"a":5}', b"[1,2]"])
def test_models_check_on_a_damaged_header_is_one_sentence(tiny_model_copy: Path, capsys, header: bytes) -> None:
    import argparse

    from desktop.commands import models_cmd

    _file(tiny_model_copy / "model.safetensors", header)
    parser = argparse.ArgumentParser(prog="termlens")
    models_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["models", "check", str(tiny_model_copy)])
    with pytest.raises(ModelLoadError, match="model.safetensors has a damaged header"):
        args.func(args)  # main.py turns a TermLensError into "error: <sentence>" and exit code 2
