"""Running the same work from several real threads at once, for race tests: every thread
starts its work at one barrier, in a unit of work of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from creditbank.db import Database, UnitOfWork

Result = TypeVar("Result")


def at_once(
    database: Database,
    work: Callable[[UnitOfWork, str, str], Result],
    calls: Sequence[tuple[str, str]],
) -> list[Result]:
    """``work(uow, *call)`` for each of ``calls`` from threads started together, each in a unit
    of work of its own: what they returned (in the order they finished). Any thread's failure
    fails the caller's test."""
    start = threading.Barrier(len(calls))
    results: list[Result] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(*call: str) -> None:
        start.wait()
        try:
            with database.unit_of_work() as uow:
                result = work(uow, *call)
        except BaseException as error:  # noqa: BLE001 (reported below)
            with lock:
                failures.append(error)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return results
