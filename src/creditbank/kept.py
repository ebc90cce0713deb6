"""Models of rows that never change once written, kept between calls in this process.

A framework version, a crosswalk and an accreditation scheme version are never updated: a change
is a new row. So the model built from a row (with its levels, pairs or components, a query or
two each) can be kept and handed out again, and readers ask only for the rows' keys.

The key must name the row's content, not only its id: a row inserted by a transaction that
rolled back leaves its id to the next insert (SQLite reuses the highest rowid; a test's rolled
back database does it all the time), so each key also holds what a different row under the same
id would differ in (its code, version, time of publication, ...).

At most ``size`` models are kept; when full, all are dropped and kept again as they are read
(the models are small, and a bank has far fewer versions than a kept set holds). Reads and
writes are single dictionary operations, safe between a server's threads.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["KeptModels"]

K = TypeVar("K", bound=Hashable)
M = TypeVar("M")


class KeptModels(Generic[K, M]):
    """At most ``size`` models by key (see the module's note on what a key must hold)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a kept set holds at least one model")
        self._size = size
        self._models: dict[K, M] = {}

    def get(self, key: K) -> M | None:
        """The model kept under ``key``, or None."""
        return self._models.get(key)

    def keep(self, key: K, model: M) -> M:
        """Keep ``model`` under ``key`` (dropping all kept models first when full); return it."""
        if len(self._models) >= self._size:
            self._models.clear()
        self._models[key] = model
        return model

    def __len__(self) -> int:
        return len(self._models)
