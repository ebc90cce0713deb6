"""Fixtures of tests/interop: the long-running Node harness processes stop with the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.interop.node import stop_servers


@pytest.fixture(scope="session", autouse=True)
def _stop_node_servers() -> Iterator[None]:
    """Stop ``verify.mjs --serve`` and ``sign-fixture.mjs --serve`` once the session ends."""
    yield
    stop_servers()
