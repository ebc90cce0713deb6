"""Skip a test whose real dependency is missing, or fail it where the run requires that dependency."""

from __future__ import annotations

import pytest


def require_or_skip(reason: str | None, *, required: bool, setting: str) -> None:
    """Do nothing when ``reason`` is None; else fail if ``required`` (CI), else skip."""
    if reason is None:
        return
    if required:
        pytest.fail(f"{setting}=1 requires it: {reason}")
    pytest.skip(reason)
