"""Stages for the pipeline's tests: small, picklable, and light to import in a worker process.

Also finds the bulk worker processes this process has started and not yet ended.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from creditbank.accounts.model import AccountError
from creditbank.messages import msg

WORKER_MARK = b"creditbank.accounts.pipeline import serve"


class Numbering:
    """Numbers the items it sees across calls (state that must live in one place): returns
    (running count, item, process id). Fails as told on the item named by ``fail_on``."""

    def __init__(self, fail_on: int | None = None, how: str = "raise") -> None:
        self.seen = 0
        self.fail_on = fail_on
        self.how = how

    def __call__(self, item: int) -> tuple[int, int, int]:
        self.seen += 1
        if item == self.fail_on:
            if self.how == "exit":
                os._exit(3)  # a crash: no exception, no goodbye
            if self.how == "domain":  # an exception that cannot be pickled back as it is
                raise AccountError("broken", msg("the stage broke on {item}", item=item))
            message = f"the stage broke on {item}"
            raise ValueError(message)
        return self.seen, item, os.getpid()


class ModulesAfter:
    """Runs ``stage`` and returns its result with the names of the modules loaded by then."""

    def __init__(self, stage: Callable[[Any], Any]) -> None:
        self.stage = stage

    def __call__(self, item: object) -> tuple[Any, list[str]]:
        return self.stage(item), sorted(sys.modules)


def bulk_workers() -> list[int]:
    """Process ids of this process's live bulk worker children."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if (
            int(fields[1]) == os.getpid() and WORKER_MARK in cmdline
        ):  # a zombie counts: not waited for
            found.append(int(status.parent.name))
    return found
