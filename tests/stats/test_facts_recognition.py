"""The facts of recognition between banks (figure ``recognition``): bank A tallies a package
made for B as ``exported``, bank B a package it accepts as ``imported`` and each outcome it
recognises (by an officer, or by its terms on import) as ``recognised``, by ``peer`` (the other
bank's log origin), bank-wide; a refused step tallies nothing; the rebuild source
(``transfers.api.recognition_facts``) yields from each bank's rows what it tallied.

One world per backend (tests/transfer_world.py: banks A and B in this process, the learner's
three outcomes at A); every test's changes to both banks are rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from creditbank.errors import DomainError
from creditbank.stats import api as stats
from creditbank.transfers import api as transfers_api
from creditbank.transfers import importing, packages, recognition, terms
from creditbank.transfers.commands import (
    DecideRecognition,
    ImportTransfer,
    MakeTransferPackage,
    SetRecognitionTerms,
)
from creditbank.transfers.model import Decision, ImportStatus
from creditbank.transfers.statistics import recognition_facts
from creditbank.transfers.views import Transfer
from tests.conftest import BACKENDS
from tests.stats.facts_cells import (
    Cells,
    added,
    fact_source,
    rebuilt,
    rebuilt_by_the_bank,
    stored,
    this_month,
    totals,
)
from tests.transfer_world import Bank, World, two_banks

FIGURE = "recognition"
OFFICER = "officer@gdou.example"
ZERO = Decimal(0)


@pytest.fixture(scope="module", params=BACKENDS)
def banks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with (
        two_banks(request, request.param, tmp_path_factory.mktemp("banks")) as made,
        fact_source(transfers_api.recognition_facts),
    ):
        yield made


@pytest.fixture(autouse=True)
def rolled_back(banks: World) -> Iterator[None]:
    with banks.pinned():
        yield


def now() -> datetime:
    return datetime.now(UTC)


def cells(measure: str, peer: str, n: int) -> Cells:
    """The cells ``n`` facts of ``measure`` with ``peer`` add to this month: bank-wide only."""
    month = this_month()
    return {
        (measure, "", "all", "", month): (n, ZERO),
        (measure, "", "peer", peer, month): (n, ZERO),
    }


def import_at_b(world: World, package: dict[str, Any]) -> Transfer:
    learner = world.learner_at(world.b)
    with world.b.database.unit_of_work() as uow:
        return importing.import_transfer(
            ImportTransfer(learner.account_number, package=json.dumps(package)),
            principal=learner,
            uow=uow,
            now=now(),
            cipher=world.b.cipher,
        )


def decide(world: World, imported: str, decision: Decision, reason: str = "") -> None:
    with world.b.database.unit_of_work() as uow:
        recognition.decide_recognition(
            DecideRecognition(imported, decision, reason=reason),
            principal=world.b.staff[OFFICER],
            uow=uow,
            now=now(),
        )


def automatic_terms(world: World, mapping: tuple[tuple[str, str], ...]) -> None:
    """B recognises what A sends on import, at the levels of ``mapping``."""
    with world.b.database.unit_of_work() as uow:
        terms.set_recognition_terms(
            SetRecognitionTerms(world.a.origin, "GDOU", automatic=True, mapping=mapping),
            principal=world.b.admins[0],
            uow=uow,
            now=now(),
        )


def the_rebuild_agrees(*banks: Bank) -> None:
    for bank in banks:
        assert rebuilt(bank.database, recognition_facts) == stored(bank.database, FIGURE)


def test_a_package_made_counts_as_exported_to_its_peer(banks: World) -> None:
    before = stored(banks.a.database, FIGURE)
    banks.package()
    assert added(before, stored(banks.a.database, FIGURE)) == cells("exported", banks.b.origin, 1)
    before = stored(banks.a.database, FIGURE)
    learner = banks.learner_at(banks.a)
    for target, outcomes, code in (
        ("unknown.example/log", (), "unknown_peer"),
        (banks.b.origin, ("0" * 32,), "invalid_transfer_request"),
    ):
        with pytest.raises(DomainError) as caught, banks.a.database.unit_of_work() as uow:
            packages.make_transfer_package(
                MakeTransferPackage(learner.account_number, target, outcomes),
                principal=learner,
                uow=uow,
                now=now(),
                cipher=banks.a.cipher,
            )
        assert caught.value.code == code
    assert stored(banks.a.database, FIGURE) == before
    the_rebuild_agrees(banks.a, banks.b)


def test_an_import_counts_once_and_each_recognised_outcome_once(banks: World) -> None:
    package = banks.package().package
    before = stored(banks.b.database, FIGURE)
    transfer = import_at_b(banks, package)
    assert added(before, stored(banks.b.database, FIGURE)) == cells("imported", banks.a.origin, 1)
    first, second, _third = (one.public_id for one in transfer.outcomes)
    before = stored(banks.b.database, FIGURE)
    decide(banks, first, Decision.RECOGNISE)
    assert added(before, stored(banks.b.database, FIGURE)) == cells("recognised", banks.a.origin, 1)
    before = stored(banks.b.database, FIGURE)
    decide(banks, second, Decision.REFUSE, reason="not in our programmes")
    with pytest.raises(DomainError) as caught:
        decide(banks, first, Decision.RECOGNISE)
    assert caught.value.code == "recognition_decided"
    with pytest.raises(DomainError) as caught:  # a package is accepted once
        import_at_b(banks, package)
    assert caught.value.code == "transfer_package_replayed"
    assert stored(banks.b.database, FIGURE) == before
    assert totals(stored(banks.a.database, FIGURE)) == {"exported": (1, ZERO)}
    the_rebuild_agrees(banks.a, banks.b)


def test_the_terms_recognise_on_import_and_each_counts(banks: World) -> None:
    automatic_terms(banks, (("LOFOUC:4", "LOFOUC:5"),))
    before = stored(banks.b.database, FIGURE)
    transfer = import_at_b(banks, banks.package().package)
    assert {one.status for one in transfer.outcomes} == {ImportStatus.RECOGNISED}
    assert added(before, stored(banks.b.database, FIGURE)) == {
        **cells("imported", banks.a.origin, 1),
        **cells("recognised", banks.a.origin, len(banks.outcomes)),
    }
    the_rebuild_agrees(banks.a, banks.b)
    for bank in (banks.a, banks.b):
        tallied = stored(bank.database, FIGURE)
        assert rebuilt_by_the_bank(bank.database, FIGURE, bank.admins[0]) == tallied


def test_what_the_terms_cannot_recognise_stays_pending_and_uncounted(banks: World) -> None:
    automatic_terms(banks, (("LOFOUC:4", "LOFOUC:99"),))  # a level B's framework has not
    before = stored(banks.b.database, FIGURE)
    transfer = import_at_b(banks, banks.package().package)
    assert {one.status for one in transfer.outcomes} == {ImportStatus.PENDING}
    # each refused recognition rolled back to its savepoint; the package still counts
    assert added(before, stored(banks.b.database, FIGURE)) == cells("imported", banks.a.origin, 1)
    assert stats.FACT_SOURCES.count(transfers_api.recognition_facts) == 1
    the_rebuild_agrees(banks.a, banks.b)
