"""The bulk deposit's worker process plumbing, on a toy stage: order, state in one place, every
kind of failure surfacing in its turn, and no process left behind."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from contextlib import closing

import pytest

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.pipeline import (
    IN_PROCESS,
    WorkerDiedError,
    WorkerFailedError,
    WorkerPolicy,
    pipelined,
)
from tests.support.stages import Numbering, bulk_workers

IN_WORKER = WorkerPolicy(after=0, wait=True)  # every item in the worker
HANDED_OVER = WorkerPolicy(after=3, wait=True)  # three here, the rest there


@pytest.fixture(autouse=True)
def _no_worker_left() -> Iterator[None]:
    yield
    assert bulk_workers() == []


def run(
    items: list[int], policy: WorkerPolicy, stage: Numbering | None = None
) -> list[tuple[int, int, int]]:
    with closing(pipelined(items, stage or Numbering(), policy=policy)) as results:
        return list(results)


@pytest.mark.parametrize("policy", [IN_PROCESS, IN_WORKER, HANDED_OVER, WorkerPolicy()])
def test_every_policy_gives_the_same_results_in_order(policy: WorkerPolicy) -> None:
    results = run(list(range(10, 30)), policy)
    assert [(seen, item) for seen, item, _ in results] == [(n + 1, 10 + n) for n in range(20)]


def test_where_the_stage_runs() -> None:
    assert {pid for _, _, pid in run(list(range(5)), IN_PROCESS)} == {os.getpid()}
    in_worker = run(list(range(5)), IN_WORKER)
    assert os.getpid() not in {pid for _, _, pid in in_worker}
    handed_over = [pid for _, _, pid in run(list(range(6)), HANDED_OVER)]
    assert handed_over[:3] == [os.getpid()] * 3  # the count went on there: state moved along
    assert len(set(handed_over[3:])) == 1 and handed_over[3] != os.getpid()


def test_short_streams_start_no_worker() -> None:
    assert [pid for _, _, pid in run([1], WorkerPolicy())] == [os.getpid()]
    assert run([], IN_WORKER) == []


def test_the_stage_s_exception_is_raised_in_its_turn() -> None:
    received: list[int] = []
    with (
        pytest.raises(ValueError, match="the stage broke on 4") as raised,
        closing(pipelined(range(10), Numbering(fail_on=4), policy=IN_WORKER)) as results,
    ):
        received.extend(item for _, item, _ in results)
    assert received == [0, 1, 2, 3]
    assert any("raised in the worker process" in note for note in raised.value.__notes__)


def test_an_exception_that_does_not_pickle_comes_back_as_its_text() -> None:
    with pytest.raises(WorkerFailedError, match="the stage broke on 2"):
        run(list(range(5)), IN_WORKER, Numbering(fail_on=2, how="domain"))


def test_a_crashed_worker_is_reported() -> None:
    with pytest.raises(WorkerDiedError, match="exit code 3"):
        run(list(range(5)), IN_WORKER, Numbering(fail_on=2, how="exit"))


def test_the_reader_s_error_comes_after_the_items_read_before_it() -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        message = "unreadable from here"
        raise OSError(message)

    received: list[int] = []
    with (
        pytest.raises(OSError, match="unreadable from here"),
        closing(pipelined(items(), Numbering(), policy=IN_WORKER)) as results,
    ):
        received.extend(item for _, item, _ in results)
    assert received == [0, 1, 2, 3, 4]


def test_leaving_early_ends_the_worker() -> None:
    with closing(pipelined(range(1000), Numbering(), policy=IN_WORKER)) as results:
        _, _, pid = next(results)
        assert bulk_workers() == [pid]
    assert bulk_workers() == []

    def fail_on_the_first(results: Iterator[tuple[int, int, int]]) -> None:
        for _ in results:
            raise KeyError

    with (  # the caller's own failure, while the worker is ahead of it
        pytest.raises(KeyError),
        closing(pipelined(range(1000), Numbering(), policy=IN_WORKER)) as results,
    ):
        fail_on_the_first(results)


def test_the_cipher_travels_with_its_keys_but_not_the_data_key() -> None:
    data_key = os.urandom(32)
    cipher = PersonalDataCipher(data_key)
    copy = pickle.loads(pickle.dumps(cipher))  # noqa: S301 - our own bytes
    assert copy.index("resident_id:1") == cipher.index("resident_id:1")
    key, wrapped = copy.new_learner_key("CB000000000001")
    assert cipher.unwrap("CB000000000001", wrapped) == key
    assert data_key not in pickle.dumps(cipher)
    assert repr(cipher) == "PersonalDataCipher(...)"
