"""Fixtures shared by the engine tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def one_thread():
    """Tiny matrices: extra CPU threads only add overhead."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
