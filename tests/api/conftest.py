"""An HTTP client for the live bank (``bank`` in tests/conftest.py), asking for English."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest


@pytest.fixture
def client(bank: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=bank, timeout=10, headers={"Accept-Language": "en"}) as http:
        yield http
