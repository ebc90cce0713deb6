"""Who may do what on the national platform (handlers of ``creditbank.national``): bank
administrators register pilot schools and send this bank's batch; administrators and auditors
read the schools and the batches received. Taking a batch and the figures are ``OPEN`` (a batch
is authenticated by its signature, the figures are public); a test here shows they answer with
no principal at all."""

from __future__ import annotations

import pytest

from creditbank.access.policy import Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.ledger import notes
from creditbank.national import counting, receiving, sending
from creditbank.national.commands import (
    CountResults,
    ListBatches,
    ListSchools,
    ReceiveBatch,
    RegisterSchool,
    SendReferences,
)
from creditbank.national.model import NationalError
from tests.access.matrix import BANK_WIDE, READERS, Door, let_through

_, _SCHOOL_KEY = notes.generate_key("door-school.example/results")


def _unreachable(_url: str, _body: bytes) -> tuple[int, bytes]:
    raise OSError("no national bank here")


DOORS = [
    Door(
        "register a pilot school",
        receiving.register_school,
        lambda _: RegisterSchool(
            "DOOR-VC", "门职业学院", "door-school.example/results", _SCHOOL_KEY
        ),
        BANK_WIDE,
    ),
    Door("list the pilot schools", receiving.list_schools, lambda _: ListSchools(), READERS),
    Door("list the batches received", receiving.list_batches, lambda _: ListBatches(), READERS),
    Door(
        "send this bank's batch",
        sending.send_references,
        lambda _: SendReferences("https://national.invalid"),
        BANK_WIDE,
        extra={"transport": _unreachable},
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_a_batch_and_the_figures_answer_anyone(access_database: Database) -> None:
    with access_database.unit_of_work() as uow:
        counts = counting.count_results(CountResults(), principal=None, uow=uow)
        assert counts.total.value == 0
        with pytest.raises(NationalError) as unknown:  # reached: the sender is nobody trusted
            receiving.receive_batch(
                ReceiveBatch(
                    b'{"format": "creditbank-national-batch/1", "sender": "x.example/log", '
                    b'"sent_at": "2026-12-07T09:00:00Z", "signature": "s", "references": [{}]}'
                ),
                principal=None,
                uow=uow,
            )
        assert unknown.value.code == "unknown_sender"
        uow.session.rollback()
