"""Races on an institution's signing keys, on SQLite and PostgreSQL, over two server processes.

- Parallel registrations (and rotations) for one institution name their new key alike: the
  unique index on (owner, name) lets one in and refuses the others with 409 ``key-conflict``
  (never a 500). Each success is one stored key, the names stay ``key-1, key-2, ...``, and
  after rotations exactly one key is valid.
- Parallel first exports of an outcome's credential record one credential (the outcome is
  locked while its credential is looked for), and all answer it; those of an institution's
  first credential make one signing key (a SAVEPOINT: the loser of the key's name uses the
  winner's key).
- Parallel reports that a key is compromised, from different moments, all succeed and the
  earliest moment stays (the key is locked before it is read: no report overwrites an
  earlier one).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy import func, select

from creditbank.accounts.tables import OutcomeRow
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import signing
from creditbank.credentials.tables import IssuedCredentialRow, SigningKeyRow
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from tests import conversion_world
from tests.concurrency.conftest import RACERS, ROUNDS, Call, World, losers_are_conflicts, race

_serial = count(1)


def institution(world: World, keys: int = 0) -> str:
    """A new institution with ``keys`` signing keys: its code."""
    code = f"KEYS{next(_serial)}"
    with world.banks.live.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code=code, name=code, type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        for _ in range(keys):
            signing.generate_key(uow=uow, owner=code, now=datetime.now(UTC))
    return code


def stored(world: World, code: str) -> list[SigningKeyRow]:
    with world.banks.live.database.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(SigningKeyRow).where(SigningKeyRow.owner == code).order_by(SigningKeyRow.id)
            )
        )


def admins(world: World) -> list[str]:
    return [(world.admin1, world.admin2)[i % 2] for i in range(RACERS)]


def test_parallel_registrations_store_one_key_per_success(world: World) -> None:
    for _ in range(ROUNDS):
        code = institution(world, keys=1)
        answers = race(
            "key registration",
            world.banks,
            [
                Call(token, "POST", f"/api/v1/institutions/{code}/keys", {})
                for token in admins(world)
            ],
        )
        made = [a.json()["name"] for a in answers if a.status_code == 201]
        assert made, [a.text for a in answers]
        losers_are_conflicts(answers, "key-conflict", ok=201)
        names = [row.name for row in stored(world, code)]
        assert names == [f"key-{n}" for n in range(1, len(made) + 2)]
        assert sorted(made) == sorted(names[1:])


def test_parallel_rotations_leave_one_valid_key(world: World) -> None:
    for _ in range(ROUNDS):
        code = institution(world, keys=1)
        answers = race(
            "key rotation",
            world.banks,
            [
                Call(token, "POST", f"/api/v1/institutions/{code}/keys/rotate")
                for token in admins(world)
            ],
        )
        made = [a.json()["name"] for a in answers if a.status_code == 201]
        assert made, [a.text for a in answers]
        losers_are_conflicts(answers, "key-conflict", ok=201)
        rows = stored(world, code)
        assert [row.name for row in rows] == [f"key-{n}" for n in range(1, len(made) + 2)]
        assert [row.name for row in rows if row.valid_until is None] == [rows[-1].name]


def test_parallel_compromise_reports_keep_the_earliest(world: World) -> None:
    for _ in range(ROUNDS):
        code = institution(world, keys=1)
        start = datetime.now(UTC).replace(microsecond=0)
        moments = [start - timedelta(hours=i + 1) for i in range(RACERS)]
        answers = race(
            "key compromise",
            world.banks,
            [
                Call(
                    token,
                    "POST",
                    f"/api/v1/institutions/{code}/keys/key-1/compromised",
                    {"since": moment.isoformat()},
                )
                for token, moment in zip(admins(world), moments, strict=True)
            ],
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        (row,) = stored(world, code)
        earliest = row.compromised_from
        assert earliest is not None
        assert (earliest if earliest.tzinfo else earliest.replace(tzinfo=UTC)) == min(moments)
        assert row.valid_until is not None


def test_parallel_first_exports_of_a_credential_issue_it_once(world: World) -> None:
    """The first export of an outcome's credential records it (its status list slot): made in
    parallel, every answer is that one credential."""
    with world.banks.live.database.unit_of_work() as uow:
        signing.ensure_key(uow=uow, owner="SHVC", now=datetime.now(UTC))
    for _ in range(ROUNDS):
        with world.banks.live.database.unit_of_work() as uow:
            account = conversion_world.learner(uow, 19_000 + next(_serial))
            outcome = conversion_world.deposit(
                uow,
                account,
                institution="SHVC",
                item="BIM-101",
                level="4",
                record=f"CRED-{next(_serial)}",
            )
        answers = race(
            "credential first export",
            world.banks,
            [
                Call(token, "GET", f"/api/v1/outcomes/{outcome}/credential")
                for token in admins(world)
            ],
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        with world.banks.live.database.unit_of_work() as uow:
            issued = uow.session.scalar(
                select(func.count())
                .select_from(IssuedCredentialRow)
                .join(OutcomeRow, OutcomeRow.id == IssuedCredentialRow.outcome_id)
                .where(OutcomeRow.public_id == outcome)
            )
        assert issued == 1


def test_parallel_first_exports_of_a_new_issuer_make_one_key(world: World) -> None:
    """An institution's first credential makes its signing key: exported in parallel, one key
    is made and every answer is signed with it."""
    for _ in range(ROUNDS):
        code = institution(world)
        with world.banks.live.database.unit_of_work() as uow:
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=code,
                    code="C-1",
                    kind=ItemKind.COURSE,
                    name="课程",
                    framework="LOFOUC",
                    levels=("4",),
                    credits=Decimal(2),
                ),
                on=conversion_world.ON,
            )
            account = conversion_world.learner(uow, 21_000 + next(_serial))
            outcome = conversion_world.deposit(
                uow, account, institution=code, item="C-1", level="4", record="R-1"
            )
        answers = race(
            "credential first export of a new issuer",
            world.banks,
            [
                Call(token, "GET", f"/api/v1/outcomes/{outcome}/credential")
                for token in admins(world)
            ],
        )
        refused = [a.text for a in answers if a.status_code != 200]
        assert not refused, refused
        signers = {proof["verificationMethod"] for a in answers for proof in a.json()["proof"]}
        assert len(signers) == 1, signers
        assert [row.name for row in stored(world, code)] == ["key-1"]
