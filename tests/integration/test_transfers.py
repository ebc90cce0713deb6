"""Moving a learner's record from bank A to bank B, through the handlers, on both databases.

Two banks in this process (tests/transfer_world.py): A makes the learner's package, B imports
it (reading A's DID documents and status lists over HTTP from A's in-process server), B's
accreditation officer recognises an outcome, which is deposited at B and counts there once; a
revocation at A reaches B on a re-check. Every refusal names its reason and stores nothing.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from creditbank.accounts import api as accounts
from creditbank.accounts import service as accounts_service
from creditbank.accounts.model import LearningSetting, parse_id_number
from creditbank.bootstrap import ledger_readers
from creditbank.catalog import service as catalog_service
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.conversion import api as conversion
from creditbank.conversion.model import LevelBar, RuleDraft, SourceSpec, Target, TargetKind
from creditbank.errors import DomainError
from creditbank.ledger import api as ledger
from creditbank.ledger import notes
from creditbank.ledger.verify import verify_log
from creditbank.peers import trust
from creditbank.peers.commands import RemovePeer
from creditbank.transfers import importing, packages, recognition, terms, views
from creditbank.transfers.commands import (
    DecideRecognition,
    FetchTransferLink,
    ImportTransfer,
    ListRecognitions,
    MakeTransferPackage,
    NewLearner,
    RecheckTransfers,
    SetRecognitionTerms,
)
from creditbank.transfers.model import Decision, ImportStatus, signed_text, utc_text
from creditbank.transfers.tables import ImportedOutcomeRow
from creditbank.transfers.verification import http_fetch
from tests.bulk_files import id_number
from tests.transfer_world import World, learner_only_at_a, two_banks

BACKENDS = ("sqlite", "postgresql")
OFFICER = "officer@gdou.example"
NEW_SERIAL = 90
REGISTRAR = "registrar@gdou.example"


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with two_banks(request, request.param, tmp_path_factory.mktemp("banks")) as made:
        yield made


@pytest.fixture(scope="module")
def made(world: World) -> packages.MadePackage:
    """The learner's package of the world's outcomes for B, made once per module and backend
    (committed at A before the test that first asks for it): making one signs every credential
    again (0.1-0.2 s), and most tests only hand one over. Each such test takes its own copy
    (``package``); making a package is tested by the main path's test, which makes its own."""
    return world.package()


@pytest.fixture
def package(made: packages.MadePackage) -> dict[str, Any]:
    """A copy of the module's package, for this test alone to hand over (or alter)."""
    return copy.deepcopy(made.package)


@pytest.fixture(autouse=True)
def rolled_back(request: pytest.FixtureRequest, world: World) -> Iterator[None]:
    """Each test's changes to both banks are rolled back (the race works unpinned)."""
    if request.node.name.startswith("test_race"):
        yield
        return
    with world.pinned():
        yield


def now() -> datetime:
    return datetime.now(UTC)


def import_at_b(
    world: World,
    package: dict[str, Any] | str,
    *,
    account: str | None = None,
    fetch: Callable[[str], bytes] = http_fetch,
) -> Any:
    """Hand ``package`` over at B for the learner (as themselves), or for ``account`` by B's
    registrar."""
    text = package if isinstance(package, str) else json.dumps(package)
    with world.b.database.unit_of_work() as uow:
        if account is None:
            learner = world.learner_at(world.b)
            principal: Any = learner
            number = learner.account_number
        else:
            principal, number = world.b.staff[REGISTRAR], account
        return importing.import_transfer(
            ImportTransfer(number, package=text),
            principal=principal,
            uow=uow,
            now=now(),
            cipher=world.b.cipher,
            fetch=fetch,
        )


def refused(code: str, run: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        run()
    assert caught.value.code == code, caught.value.render()
    return caught.value


def imported_rows(world: World) -> int:
    with world.b.database.unit_of_work() as uow:
        return len(
            views.list_recognitions(ListRecognitions(None), principal=world.b.admins[0], uow=uow)
        )


def resigned(world: World, package: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``package`` changed and signed again by A (a package A really made that way)."""
    changed = {**package, **changes}
    with world.a.database.unit_of_work() as uow:
        changed["signature"] = ledger.sign_note(uow=uow, text=signed_text(changed))
    return changed


def decide(world: World, imported: str, decision: Decision, **options: Any) -> Any:
    with world.b.database.unit_of_work() as uow:
        return recognition.decide_recognition(
            DecideRecognition(imported, decision, **options),
            principal=world.b.staff[OFFICER],
            uow=uow,
            now=now(),
        )


def standing_at_b(world: World) -> list[str]:
    with world.b.database.unit_of_work() as uow:
        return accounts.standing_outcome_ids(uow=uow, account_number=world.b.learner)


# --- the main path ---------------------------------------------------------------------------


def test_a_learner_moves_their_record_and_b_recognises_it_once(world: World) -> None:
    made = world.package()
    assert made.package["from"] == world.a.origin
    assert made.package["to"] == world.b.origin
    assert len(made.package["outcomes"]) == len(world.outcomes)
    assert "学员甲" not in json.dumps(made.package, ensure_ascii=False)
    transfer = import_at_b(world, made.package)
    assert transfer.source == world.a.origin
    assert [o.status for o in transfer.outcomes] == [ImportStatus.PENDING] * len(world.outcomes)
    assert {o.source_institution for o in transfer.outcomes} == {"SHOU"}
    assert {(o.framework, o.level) for o in transfer.outcomes} == {("LOFOUC", "4")}
    assert standing_at_b(world) == []  # pending imports never count
    first = transfer.outcomes[0]
    decided = decide(world, first.public_id, Decision.RECOGNISE)
    assert decided.status is ImportStatus.RECOGNISED
    assert decided.recognised_by == "GDOU"
    assert (decided.target_framework, decided.target_level) == ("LOFOUC", "4")
    assert standing_at_b(world) == [decided.outcome]
    with world.b.database.unit_of_work() as uow:
        receipt = ledger.receipt_of(
            uow=uow, kind=ledger.LogKind.RECOGNITION_DECIDED, record_id=first.public_id
        )
        outcome, _ = accounts.outcome_by_public_id(uow=uow, public_id=decided.outcome)
    assert receipt is not None
    assert outcome.credits == first.credits
    assert outcome.institution == "GDOU"
    # decided once: the outcome counts once
    refused(
        "recognition_decided",
        lambda: decide(world, first.public_id, Decision.RECOGNISE),
    )
    assert standing_at_b(world) == [decided.outcome]


def test_a_recognised_outcome_says_how_it_was_learned_at_the_source(
    world: World, package: dict[str, Any]
) -> None:
    """Recognition deposits at B what A's record says: formal learning stays formal, a
    non-formal course stays non-formal."""
    learned = {"SH-101": LearningSetting.FORMAL, "SH-102": LearningSetting.NON_FORMAL}
    transfer = import_at_b(world, package)
    settings = {}
    for code in learned:  # one of each course (tests/transfer_world.py deposits both at A)
        one = next(o for o in transfer.outcomes if o.item_code == code)
        decided = decide(world, one.public_id, Decision.RECOGNISE)
        with world.b.database.unit_of_work() as uow:
            settings[code] = accounts.outcome_by_public_id(uow=uow, public_id=decided.outcome)[
                0
            ].setting
    assert settings == learned


def _programme_at_b(world: World) -> None:
    """GDOU's diploma with a rule: any course at LOFOUC level 4 or higher gives 2 elective
    credits (one outcome per grant)."""
    with world.b.database.unit_of_work() as uow:
        catalog_service.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="GDOU",
                code="GD-DIP",
                kind=ItemKind.QUALIFICATION,
                name="广东某专业（专科）",
                framework="LOFOUC",
                levels=("5",),
            ),
            on=date(2025, 1, 1),
        )
        conversion.create_programme(
            uow=uow,
            spec=conversion.ProgrammeSpec(
                code="GD-DIP",
                institution="GDOU",
                item="GD-DIP",
                name="广东某专业",
                total_credits=Decimal(60),
            ),
            by=REGISTRAR,
        )
        registrar, admin = world.b.staff[REGISTRAR].user_id, world.b.admins[0].user_id
        rule = conversion.draft_rule(
            uow=uow,
            institution="GDOU",
            draft=RuleDraft(
                code="ANY-COURSE-4",
                programme="GD-DIP",
                name="课程换选修学分",
                sources=(
                    SourceSpec(kind="course", level=LevelBar("LOFOUC", "4", "", 0), at_least=True),
                ),
                targets=(Target(TargetKind.ELECTIVE, credits=Decimal(2)),),
                valid_from=date(2025, 9, 1),
            ),
            user_id=registrar,
        )
        conversion.submit_rule(uow=uow, rule_id=rule.id, user_id=registrar)
        conversion.approve_rule(uow=uow, rule_id=rule.id, user_id=admin)


def test_recognised_imports_count_in_conversions_once_and_pending_ones_never(
    world: World,
    package: dict[str, Any],
) -> None:
    _programme_at_b(world)
    transfer = import_at_b(world, package)
    recognised = decide(world, transfer.outcomes[0].public_id, Decision.RECOGNISE)
    with world.b.database.unit_of_work() as uow:
        plan = conversion.request_conversion(
            uow=uow,
            account_number=world.b.learner,
            programme="GD-DIP",
            on=now().date(),
            requested_by=REGISTRAR,
            dry_run=True,
        )
    sources = [source for grant in plan.grants for source in grant.sources]
    assert sources == [recognised.outcome]


def test_a_conversion_at_b_built_on_an_import_revoked_at_a_is_flagged(
    world: World, package: dict[str, Any]
) -> None:
    """A revocation at A reaches what B built on the recognised import: the existing policy of
    withdrawn sources flags B's conversion for review (GD-DIP does not reverse)."""
    _programme_at_b(world)
    transfer = import_at_b(world, package)
    first = transfer.outcomes[0]  # world.outcomes[0]'s import
    recognised = decide(world, first.public_id, Decision.RECOGNISE)
    with world.b.database.unit_of_work() as uow:
        requested = conversion.request_conversion(
            uow=uow,
            account_number=world.b.learner,
            programme="GD-DIP",
            on=now().date(),
            requested_by=REGISTRAR,
        )
    assert [s for g in requested.grants for s in g.sources] == [recognised.outcome]
    assert not requested.needs_review
    with world.a.database.unit_of_work() as uow:
        accounts.revoke_outcome(
            uow=uow,
            public_id=world.outcomes[0],
            user_id=world.a.admins[0].user_id,
            reason="awarded in error",
        )
    with world.b.database.unit_of_work() as uow:
        found = recognition.recheck_transfers(
            RecheckTransfers(world.a.origin), principal=world.b.staff[OFFICER], uow=uow, now=now()
        )
        assert found.revoked == [first.public_id]
        flagged = conversion.get_conversion(uow=uow, public_id=requested.public_id)
    assert flagged.needs_review
    assert recognised.outcome in str(flagged.history[-1].reason)


def test_log_verify_reads_the_decisions_back_and_finds_one_changed(
    world: World, package: dict[str, Any]
) -> None:
    transfer = import_at_b(world, package)
    first, second = transfer.outcomes[0].public_id, transfer.outcomes[1].public_id
    decide(world, first, Decision.RECOGNISE)
    decide(world, second, Decision.REFUSE, reason="not in our programmes")
    readers, unlogged = ledger_readers()
    with world.b.database.unit_of_work() as uow:
        # (the bank's copy of the test template carries a log of its own making, signed by the
        # development key: only what is said of the decisions matters here)
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
        said = [p.render() for p in report.problems]
        assert not [p for p in said if first in p or second in p or "recognition" in p], said
        uow.session.execute(
            update(ImportedOutcomeRow)
            .where(ImportedOutcomeRow.public_id == first)
            .values(target_level="6")
        )
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
        said = [p.render() for p in report.problems]
        assert any(f"recognition.decided {first} differs" in p for p in said), said
        uow.session.rollback()


def test_a_refusal_needs_a_reason_and_deposits_nothing(
    world: World, package: dict[str, Any]
) -> None:
    transfer = import_at_b(world, package)
    one = transfer.outcomes[0].public_id
    refused("invalid_recognition", lambda: decide(world, one, Decision.REFUSE))
    decided = decide(world, one, Decision.REFUSE, reason="not in our programmes")
    assert decided.status is ImportStatus.REFUSED
    assert decided.outcome is None
    assert standing_at_b(world) == []


def test_a_one_time_link_gives_the_package_once(world: World) -> None:
    made = world.package(link=True)
    assert made.link is not None
    assert made.link.startswith(world.a.url)
    transfer = None
    with world.b.database.unit_of_work() as uow:
        learner = world.learner_at(world.b)
        transfer = importing.import_transfer(
            ImportTransfer(learner.account_number, url=made.link),
            principal=learner,
            uow=uow,
            now=now(),
            cipher=world.b.cipher,
        )
    assert len(transfer.outcomes) == len(world.outcomes)
    token = made.link.rsplit("/", 1)[1]
    with world.a.database.unit_of_work() as uow:
        refused(
            "transfer_link_not_found",
            lambda: packages.fetch_transfer_link(
                FetchTransferLink(token), principal=None, uow=uow, now=now()
            ),
        )


def test_a_revocation_at_a_reaches_b_on_a_recheck(world: World, package: dict[str, Any]) -> None:
    transfer = import_at_b(world, package)
    first, second = transfer.outcomes[0], transfer.outcomes[1]
    recognised = decide(world, first.public_id, Decision.RECOGNISE)
    with world.a.database.unit_of_work() as uow:
        accounts.revoke_outcome(
            uow=uow,
            public_id=world.outcomes[0],
            user_id=world.a.admins[0].user_id,
            reason="awarded in error",
        )
    with world.b.database.unit_of_work() as uow:
        found = recognition.recheck_transfers(
            RecheckTransfers(world.a.origin), principal=world.b.staff[OFFICER], uow=uow, now=now()
        )
    assert found.revoked == [first.public_id]
    assert found.checked >= len(world.outcomes)
    assert recognised.outcome not in standing_at_b(world)
    with world.b.database.unit_of_work() as uow:
        rows = {
            o.public_id: o.status
            for o in views.list_recognitions(
                ListRecognitions(None), principal=world.b.staff[OFFICER], uow=uow
            )
        }
    assert rows[first.public_id] is ImportStatus.SOURCE_REVOKED
    assert rows[second.public_id] is ImportStatus.PENDING


def test_the_terms_recognise_on_import_at_the_agreed_level(
    world: World, package: dict[str, Any]
) -> None:
    with world.b.database.unit_of_work() as uow:
        terms.set_recognition_terms(
            SetRecognitionTerms(
                world.a.origin, "GDOU", automatic=True, mapping=(("LOFOUC:4", "LOFOUC:5"),)
            ),
            principal=world.b.admins[0],
            uow=uow,
            now=now(),
        )
    transfer = import_at_b(world, package)
    assert {o.status for o in transfer.outcomes} == {ImportStatus.RECOGNISED}
    assert {(o.target_framework, o.target_level) for o in transfer.outcomes} == {("LOFOUC", "5")}
    assert {o.recognised_by for o in transfer.outcomes} == {"GDOU"}
    assert sorted(standing_at_b(world)) == sorted(o.outcome for o in transfer.outcomes)


def test_a_registrar_opens_the_account_of_a_learner_new_here(world: World) -> None:
    learner, outcome = learner_only_at_a(world, NEW_SERIAL)
    with world.a.database.unit_of_work() as uow:
        package = packages.make_transfer_package(
            MakeTransferPackage(learner.account_number, world.b.origin, (outcome,)),
            principal=learner,
            uow=uow,
            now=now(),
            cipher=world.a.cipher,
        ).package

    def hand_over(serial: int) -> Any:
        with world.b.database.unit_of_work() as uow:
            return importing.import_transfer(
                ImportTransfer(
                    "",
                    package=json.dumps(package),
                    new_learner=NewLearner(id_number(serial), "学员丙"),
                ),
                principal=world.b.staff[REGISTRAR],
                uow=uow,
                now=now(),
                cipher=world.b.cipher,
            )

    refused("transfer_identity_mismatch", lambda: hand_over(NEW_SERIAL + 1))
    transfer = hand_over(NEW_SERIAL)
    with world.b.database.unit_of_work() as uow:
        opened = accounts_service.find_account(
            uow=uow, cipher=world.b.cipher, id_number=parse_id_number(id_number(NEW_SERIAL))
        )
    assert opened == transfer.account_number
    assert [o.status for o in transfer.outcomes] == [ImportStatus.PENDING]


# --- refusals: each names its reason and stores nothing -----------------------------------------


def test_an_unknown_bank_is_refused(world: World, package: dict[str, Any]) -> None:
    before = imported_rows(world)
    with world.b.database.unit_of_work() as uow:
        trust.remove_peer(
            RemovePeer(world.a.origin, "agreement ended"), principal=world.b.admins[0], uow=uow
        )
    refused("unknown_peer", lambda: import_at_b(world, package))
    assert imported_rows(world) == before


def test_an_altered_package_is_refused(world: World, made: packages.MadePackage) -> None:
    before = imported_rows(world)
    package = copy.deepcopy(made.package)
    package["outcomes"][0]["credential"]["credentialSubject"]["creditsEarned"] = 30
    refused("transfer_package_altered", lambda: import_at_b(world, package))
    package = copy.deepcopy(made.package)
    refused(
        "transfer_package_altered",
        lambda: import_at_b(world, {**package, "nonce": "00" * 16}),
    )
    assert imported_rows(world) == before


def test_a_replayed_package_is_refused(world: World, package: dict[str, Any]) -> None:
    import_at_b(world, package)
    before = imported_rows(world)
    refused("transfer_package_replayed", lambda: import_at_b(world, package))
    assert imported_rows(world) == before


def test_an_outcome_imported_before_is_refused(world: World) -> None:
    import_at_b(world, world.package((world.outcomes[0],)).package)
    before = imported_rows(world)
    again = world.package((world.outcomes[0], world.outcomes[1])).package
    refused("outcome_already_imported", lambda: import_at_b(world, again))
    assert imported_rows(world) == before


def test_a_package_of_another_learner_is_refused(world: World, package: dict[str, Any]) -> None:
    before = imported_rows(world)
    refused(
        "transfer_identity_mismatch",
        lambda: import_at_b(world, package, account=world.other_learner),
    )
    assert imported_rows(world) == before


def test_an_expired_package_is_refused(world: World, package: dict[str, Any]) -> None:
    old = resigned(world, package, expires=utc_text(now() - timedelta(minutes=1)))
    refused("transfer_package_expired", lambda: import_at_b(world, old))


def test_a_package_for_another_bank_is_refused(world: World, package: dict[str, Any]) -> None:
    with world.a.database.unit_of_work() as uow:  # handed to A itself
        learner = world.learner_at(world.a)
        refused(
            "transfer_package_not_for_us",
            lambda: importing.import_transfer(
                ImportTransfer(learner.account_number, package=json.dumps(package)),
                principal=learner,
                uow=uow,
                now=now(),
                cipher=world.a.cipher,
            ),
        )


def _failing(suffix: str) -> Callable[[str], bytes]:
    def fetch(url: str) -> bytes:
        if url.endswith(suffix) or suffix in url:
            message = f"{url}: unreachable"
            raise OSError(message)
        return http_fetch(url)

    return fetch


def test_an_issuer_key_that_cannot_be_had_is_refused(world: World, package: dict[str, Any]) -> None:
    before = imported_rows(world)
    refused(
        "issuer_key_unobtainable",
        lambda: import_at_b(world, package, fetch=_failing("/did.json")),
    )
    assert imported_rows(world) == before


def test_a_status_that_cannot_be_had_is_refused(world: World, package: dict[str, Any]) -> None:
    before = imported_rows(world)
    refused(
        "credential_status_unobtainable",
        lambda: import_at_b(world, package, fetch=_failing("/credentials/status/")),
    )
    assert imported_rows(world) == before


def test_a_revoked_credential_is_refused(world: World, package: dict[str, Any]) -> None:
    before = imported_rows(world)
    with world.a.database.unit_of_work() as uow:
        accounts.revoke_outcome(
            uow=uow, public_id=world.outcomes[1], user_id=world.a.admins[0].user_id, reason="x"
        )
    refused("transferred_credential_revoked", lambda: import_at_b(world, package))
    assert imported_rows(world) == before


def _uncosigned(note: str) -> str:
    """The checkpoint's signed note without the witnesses' cosignature lines."""
    text, _, signatures = note.partition("\n\n")
    own = [
        line for line in signatures.splitlines() if line.startswith("— ") and "/witness" not in line
    ]
    return text + "\n\n" + "\n".join(own) + "\n"


def test_a_checkpoint_with_too_few_cosignatures_is_refused(
    world: World, package: dict[str, Any]
) -> None:
    before = imported_rows(world)
    bare = resigned(world, package, checkpoint=_uncosigned(package["checkpoint"]))
    assert bare["checkpoint"] != package["checkpoint"]
    refused("too_few_cosignatures", lambda: import_at_b(world, bare))
    assert imported_rows(world) == before


def test_a_forked_log_is_refused(world: World, package: dict[str, Any]) -> None:
    before = imported_rows(world)
    seen = notes.Checkpoint.parse(package["checkpoint"].partition("\n\n")[0] + "\n")
    forked = notes.Checkpoint(seen.origin, seen.size, bytes(32))
    with world.a.database.unit_of_work() as uow:
        note = ledger.sign_note(uow=uow, text=forked.body())
    from creditbank.bootstrap import peer_settings_of  # noqa: PLC0415

    cosigned = note + notes.cosign(forked, peer_settings_of(world.b.settings).witness)
    refused(
        "checkpoint_fork", lambda: import_at_b(world, resigned(world, package, checkpoint=cosigned))
    )
    assert imported_rows(world) == before


def test_not_a_package_is_refused(world: World) -> None:
    refused("invalid_transfer_package", lambda: import_at_b(world, "[1, 2"))
    refused("invalid_transfer_package", lambda: import_at_b(world, {"type": "something"}))


# --- races -----------------------------------------------------------------------------------


def test_race_of_two_imports_of_one_outcome_stores_it_once(world: World) -> None:
    """Two packages holding the same outcome, handed over at once from two threads: one is
    imported, the other refused (the database's unique constraint decides)."""
    from tests.transfer_world import fresh_outcome  # noqa: PLC0415

    outcome = fresh_outcome(world)
    first, second = world.package((outcome,)).package, world.package((outcome,)).package
    answers: list[object] = []
    barrier = threading.Barrier(2)

    def run(package: dict[str, Any]) -> None:
        barrier.wait()
        try:
            answers.append(import_at_b(world, package))
        except DomainError as error:
            answers.append(error.code)

    threads = [threading.Thread(target=run, args=(p,)) for p in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a for a in answers if isinstance(a, str))
    assert codes == ["outcome_already_imported"], answers
    with world.b.database.unit_of_work() as uow:
        found = views.list_recognitions(
            ListRecognitions(None), principal=world.b.admins[0], uow=uow
        )
    hashes = [o.leaf_hash for o in found]
    assert len(hashes) == len(set(hashes))


def _at_once(*runs: Callable[[], object]) -> list[object]:
    """Each of ``runs`` from a thread of its own, started together: what each answered (or the
    code of the domain error it raised)."""
    answers: list[object] = []
    barrier = threading.Barrier(len(runs))

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            answers.append(call())
        except DomainError as error:
            answers.append(error.code)

    threads = [threading.Thread(target=run, args=(call,)) for call in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_race_of_one_package_handed_over_twice_imports_it_once(world: World) -> None:
    from tests.transfer_world import fresh_outcome  # noqa: PLC0415

    package = world.package((fresh_outcome(world),)).package
    answers = _at_once(lambda: import_at_b(world, package), lambda: import_at_b(world, package))
    codes = [a for a in answers if isinstance(a, str)]
    assert len(codes) == 1, answers
    assert codes[0] in {"transfer_package_replayed", "outcome_already_imported"}


def test_race_of_two_decisions_on_one_import_decides_once(world: World) -> None:
    from tests.transfer_world import fresh_outcome  # noqa: PLC0415

    transfer = import_at_b(world, world.package((fresh_outcome(world),)).package)
    imported = transfer.outcomes[0].public_id
    answers = _at_once(  # two refusals: a recognition would leave B's learner an outcome
        lambda: decide(world, imported, Decision.REFUSE, reason="not in our programmes"),
        lambda: decide(world, imported, Decision.REFUSE, reason="already taught here"),
    )
    assert [a for a in answers if isinstance(a, str)] == ["recognition_decided"], answers
    with world.b.database.unit_of_work() as uow:
        decided = ledger.logged_record_ids(
            uow=uow, kind=ledger.LogKind.RECOGNITION_DECIDED, record_ids=[imported]
        )
    assert decided == {imported}
