"""Alignments of catalogue items to skills through their handlers, on both databases: proposals
explained, a version drafted, submitted, approved by another administrator (four eyes, by the
handler and by the database's CHECK), the set in force (``aligned_skills``) replaced by a newer
approval and emptied by a retirement, each approval and retirement logged and read back by
``log verify``, drafts withdrawn by a newer draft and blocked by one under review, bad input
refused with nothing stored, and credentials carrying the skills in force when issued."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from creditbank.alignments import api, decisions, drafting, views
from creditbank.alignments.commands import (
    ApproveAlignment,
    ListAlignments,
    ProposeSkills,
    RejectAlignment,
    RetireAlignment,
    ShowAlignment,
    SubmitAlignment,
)
from creditbank.alignments.model import AlignmentsError, AlignmentStatus
from creditbank.alignments.tables import AlignedSkillRow, AlignmentEventRow, AlignmentRow
from creditbank.bootstrap import ledger_readers
from creditbank.credentials import issuing
from creditbank.ledger.api import LogKind
from creditbank.ledger.verify import verify_log
from creditbank.skills import api as skills
from tests import alignments_world as world
from tests import conversion_world
from tests.conftest import LiveBank

TEO = conversion_world.TEO_REGISTRAR
SHVC = conversion_world.SHVC_REGISTRAR
ADMIN1, ADMIN2 = conversion_world.ADMINS


@pytest.fixture(scope="module")
def bank(live_bank: LiveBank) -> LiveBank:
    with live_bank.database.unit_of_work() as uow:
        world.build(uow)
    return live_bank


def _skill_ids(uow: object, *uris: str) -> list[int]:
    found = [skills.skill_by_uri(uow, uri) for uri in uris]  # type: ignore[arg-type]
    return [skill.id for skill in found if skill is not None]


def test_proposals_are_scored_and_explained(bank: LiveBank) -> None:
    with bank.database.unit_of_work() as uow:
        proposal = drafting.propose_skills(
            ProposeSkills(item="BIM-X", level="intermediate", limit=5),
            principal=world.principal(uow, TEO),  # a bare code: the registrar's own
            uow=uow,
        )
    assert (proposal.item, proposal.level) == (world.ITEM, "intermediate")
    assert proposal.levels == ("beginner", "intermediate", "advanced")
    assert "建筑信息模型" in proposal.text
    assert proposal.hits, "the item's name finds the BIM skill"
    assert proposal.hits[0].skill.uri == world.BIM
    assert 0 < proposal.hits[0].score <= 1
    assert proposal.hits[0].matched_words or proposal.hits[0].matched_characters
    assert proposal.in_force is None
    assert proposal.open is None


def test_a_version_drafted_submitted_and_approved_is_in_force_and_logged(bank: LiveBank) -> None:
    with bank.database.unit_of_work() as uow:
        version = world.approved(uow, (world.BIM, world.TEAMWORK), level="intermediate")
        bim, teamwork = _skill_ids(uow, world.BIM, world.TEAMWORK)
        of_items = api.alignments_of_items(uow, [version.item_id])
        teaching = api.alignments_teaching(uow, [bim, teamwork])
        rows = set(uow.session.execute(api.aligned_skills_select()).all())
        given = api.skills_in_force(uow, version.item_id, version.level_id)
        at_beginner = api.skills_in_force(uow, version.item_id, None)
    assert version.status is AlignmentStatus.APPROVED
    assert version.in_force
    assert version.label == "BIMTEO:BIM-X@intermediate v1"
    assert version.level is not None and version.level.startswith("1X@")
    assert version.level.endswith(":intermediate")
    assert [s.uri for s in version.skills] == [world.BIM, world.TEAMWORK]
    assert [e.kind for e in version.history] == [
        AlignmentStatus.SUBMITTED,
        AlignmentStatus.APPROVED,
    ]
    assert version.history[-1].by == ADMIN1
    assert version.receipt is not None
    assert version.receipt.kind is LogKind.SKILL_ALIGNMENT_APPROVED
    assert {(a.item, a.level, a.skill_id, a.version) for a in of_items} == {
        (world.ITEM, version.level, bim, 1),
        (world.ITEM, version.level, teamwork, 1),
    }
    assert of_items[0].item_name == version.item_name
    assert set(teaching) == {bim, teamwork}
    assert rows == {
        (version.item_id, version.level_id, bim),
        (version.item_id, version.level_id, teamwork),
    }
    assert given == sorted([bim, teamwork])
    assert at_beginner == []  # aligned at the intermediate level only
    _log_verifies(bank, at_least=1)


def _log_verifies(bank: LiveBank, *, at_least: int) -> None:
    readers, unlogged = ledger_readers()
    with bank.database.unit_of_work() as uow:
        report = verify_log(uow=uow, readers=readers, unlogged=unlogged)
    assert report.problems == []
    assert report.facts_checked >= at_least


def test_a_newer_approval_replaces_the_set_and_a_retirement_empties_it(bank: LiveBank) -> None:
    with bank.database.unit_of_work() as uow:
        first = world.approved(uow, (world.BIM,))
        second = world.approved(uow, (world.SQL, world.TESTING))
        (sql, testing) = _skill_ids(uow, world.SQL, world.TESTING)
        in_force = api.skills_in_force(uow, first.item_id, None)
        first_now = views.show_alignment(
            ShowAlignment(first.id), principal=world.principal(uow, world.AUDITOR), uow=uow
        )
    assert second.version == first.version + 1
    assert first_now.status is AlignmentStatus.SUPERSEDED
    assert in_force == sorted([sql, testing])
    with bank.database.unit_of_work() as uow:
        with pytest.raises(AlignmentsError) as superseded:
            decisions.retire_alignment(
                RetireAlignment(first.id, "old"), principal=world.principal(uow, TEO), uow=uow
            )
        assert superseded.value.code == "alignment_status_conflict"
        retired = decisions.retire_alignment(
            RetireAlignment(second.id, "the course changed"),
            principal=world.principal(uow, TEO),
            uow=uow,
        )
        left = api.skills_in_force(uow, first.item_id, None)
        count = uow.session.scalar(select(func.count()).select_from(AlignedSkillRow))
    assert retired.status is AlignmentStatus.RETIRED
    assert retired.receipt is not None
    assert retired.receipt.kind is LogKind.SKILL_ALIGNMENT_RETIRED
    assert left == []
    assert count == 0
    _log_verifies(bank, at_least=3)


def test_four_eyes_by_the_handler_and_by_the_database(bank: LiveBank) -> None:
    with bank.database.unit_of_work() as uow:
        version = world.submitted(uow, by=ADMIN1)
        with pytest.raises(AlignmentsError) as refused:
            decisions.approve_alignment(
                ApproveAlignment(version.id),
                principal=world.principal(uow, ADMIN1),
                uow=uow,
            )
        assert refused.value.code == "alignment_four_eyes"
        author = uow.session.scalar(
            select(AlignmentRow.drafted_by_user_id).where(AlignmentRow.id == version.id)
        )
    with pytest.raises(IntegrityError), bank.database.unit_of_work() as uow:
        uow.session.execute(
            insert(AlignmentEventRow).values(
                alignment_id=version.id,
                author_user_id=author,
                kind="approved",
                by_user_id=author,
                reason="",
                at=datetime.now(UTC),
            )
        )
    with bank.database.unit_of_work() as uow:
        rejected = decisions.reject_alignment(
            RejectAlignment(version.id, "too broad"),
            principal=world.principal(uow, ADMIN2),
            uow=uow,
        )
    assert rejected.status is AlignmentStatus.REJECTED
    assert rejected.history[-1].reason == "too broad"


def test_a_new_draft_withdraws_the_open_one_and_one_under_review_blocks_it(bank: LiveBank) -> None:
    with bank.database.unit_of_work() as uow:
        first = world.drafted(uow, (world.BIM,), level="advanced")
        second = world.drafted(uow, (world.TEAMWORK,), level="advanced")
        first_now = views.show_alignment(
            ShowAlignment(first.id), principal=world.principal(uow, TEO), uow=uow
        )
        drafting.submit_alignment(
            SubmitAlignment(second.id), principal=world.principal(uow, TEO), uow=uow
        )
        with pytest.raises(AlignmentsError) as blocked:
            world.drafted(uow, (world.SQL,), level="advanced")
        queue = views.list_alignments(
            ListAlignments(status=AlignmentStatus.SUBMITTED),
            principal=world.principal(uow, ADMIN2),
            uow=uow,
        )
        proposal = drafting.propose_skills(
            ProposeSkills(item=world.ITEM, level="advanced"),
            principal=world.principal(uow, TEO),
            uow=uow,
        )
    assert first_now.status is AlignmentStatus.WITHDRAWN
    assert second.version == 2
    assert blocked.value.code == "alignment_conflict"
    assert [v.id for v in queue] == [second.id]
    assert proposal.open is not None and proposal.open.id == second.id


@pytest.mark.parametrize(
    ("item", "level", "skills_given", "code"),
    [
        ("BIMTEO:NOPE", None, (world.BIM,), "alignment_not_found"),
        ("NOBODY:BIM-X", None, (world.BIM,), "alignment_not_found"),
        (world.ITEM, "expert", (world.BIM,), "invalid_alignment"),
        (world.ITEM, None, ("urn:test:skill:none",), "invalid_alignment"),
        (world.ITEM, None, (" ",), "invalid_alignment"),
    ],
)
def test_bad_drafts_are_refused_and_store_nothing(
    bank: LiveBank, item: str, level: str | None, skills_given: tuple[str, ...], code: str
) -> None:
    with bank.database.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(AlignmentRow))
        with pytest.raises(AlignmentsError) as refused:
            world.drafted(uow, skills_given, level=level, item=item)
        after = uow.session.scalar(select(func.count()).select_from(AlignmentRow))
    assert refused.value.code == code
    assert before == after


def test_a_credential_carries_the_skills_in_force_when_issued(bank: LiveBank) -> None:
    with bank.database.unit_of_work() as uow:
        world.approved(uow, (world.TEAMWORK,))  # any level
        world.approved(uow, (world.BIM,), level="intermediate")
        world.approved(uow, (world.SQL,), level="advanced")  # not the holder's level
        account = conversion_world.x_certificate_holder(uow, 7001)
        (outcome,) = [o for o in _outcomes(uow, account) if o]
        first = issuing.issue(uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC))
        again = issuing.issue(uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC))
        bim, teamwork = _skill_ids(uow, world.BIM, world.TEAMWORK)
    assert first.document is not None and again.document is not None
    alignment = first.document["credentialSubject"]["achievement"]["alignment"]
    skill_alignments = [a for a in alignment if a["targetType"] == "ext:Skill"]
    assert {a["targetCode"] for a in skill_alignments} == {world.BIM, world.TEAMWORK}
    urls = {a["targetUrl"] for a in skill_alignments}
    assert all(url.startswith(("http://", "https://")) for url in urls)
    assert {url.rsplit("/", 2)[-2:][0] for url in urls} == {"skills"}
    assert {int(url.rsplit("/", 1)[1]) for url in urls} == {bim, teamwork}
    assert {a["targetName"] for a in skill_alignments} == {"建立建筑信息模型", "团队协作"}
    assert any(a["targetType"] == "ext:FrameworkLevel" for a in alignment)
    # exported again: the same skills (and bytes), whatever was approved since
    assert first.document["credentialSubject"] == again.document["credentialSubject"]


def _outcomes(uow: object, account: str) -> list[str]:
    from creditbank.accounts import api as accounts  # noqa: PLC0415

    return sorted(accounts.standing_outcome_ids(uow=uow, account_number=account))  # type: ignore[arg-type]


def test_versions_are_facts_and_an_unlogged_decision_is_found(bank: LiveBank) -> None:
    from sqlalchemy import update  # noqa: PLC0415

    from creditbank.alignments import records  # noqa: PLC0415

    with bank.database.unit_of_work() as uow:
        version = world.submitted(uow, (world.BIM,), level="beginner")
        author = uow.session.scalar(
            select(AlignmentRow.drafted_by_user_id).where(AlignmentRow.id == version.id)
        )
        admin = world.principal(uow, ADMIN2).user_id
    with (
        pytest.raises(DBAPIError, match="skill_alignments is append-only"),
        bank.database.unit_of_work() as uow,
    ):
        uow.session.execute(
            update(AlignmentRow).where(AlignmentRow.id == version.id).values(note="changed")
        )
    with bank.database.unit_of_work() as uow:
        # an approval stored without its log entry (as a bug would): log verify names it
        uow.session.execute(
            insert(AlignmentEventRow).values(
                alignment_id=version.id,
                author_user_id=author,
                kind="approved",
                by_user_id=admin,
                reason="",
                at=datetime.now(UTC),
            )
        )
        missing = records.unlogged(uow)
    assert missing == {LogKind.SKILL_ALIGNMENT_APPROVED: [version.public_id]}


def test_a_units_outcome_statements_are_what_its_skills_are_proposed_from(bank: LiveBank) -> None:
    from creditbank.accreditation import standards  # noqa: PLC0415
    from creditbank.institutions import service as institutions  # noqa: PLC0415
    from creditbank.institutions.model import InstitutionType, Role  # noqa: PLC0415
    from tests import accreditation_world  # noqa: PLC0415

    officer = "officer@units.example"
    with bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow,
            code=accreditation_world.CENTRE,
            name="认证分中心",
            type=InstitutionType.ACCREDITATION_CENTRE,
        )
        institutions.add_user(
            uow=uow,
            email=officer,
            role=Role.ACCREDITATION_OFFICER,
            institution=accreditation_world.CENTRE,
        )
        standards.import_standard(
            uow=uow,
            draft=accreditation_world.standard_draft(),
            institution=accreditation_world.CENTRE,
            by=officer,
            source_sha256="0" * 64,
            on=conversion_world.ON,
        )
        unit = f"{accreditation_world.CENTRE}:{accreditation_world.UNIT}"
        proposal = drafting.propose_skills(
            ProposeSkills(item=unit), principal=world.principal(uow, officer), uow=uow
        )
        drafted = world.drafted(uow, (world.TEAMWORK,), item=unit, by=officer)
    assert proposal.kind == "accreditation_unit"
    assert proposal.text.splitlines() == [
        "车站客运服务",
        "Station passenger service",
        "掌握客运组织规章",
        "Knows the rules",
        "能处理乘客投诉",
        "Handles complaints",
        "能独立负责站厅服务",
        "Runs a concourse",
    ]
    assert drafted.institution == accreditation_world.CENTRE
    assert drafted.author == officer


def test_the_items_public_achievement_lists_the_skills_in_force(bank: LiveBank) -> None:
    import httpx2  # noqa: PLC0415

    with bank.database.unit_of_work() as uow:
        world.approved(uow, (world.TEAMWORK,))
        world.approved(uow, (world.BIM,), level="advanced")
        bim, teamwork = _skill_ids(uow, world.BIM, world.TEAMWORK)
    with httpx2.Client(base_url=bank.url, timeout=30) as client:
        linked = client.get(
            "/catalog/BIMTEO/BIM-X", headers={"Accept": "application/ld+json"}
        ).json()
        page = client.get("/catalog/BIMTEO/BIM-X", headers={"Accept": "text/html"}).text
    skills = [a for a in linked["alignment"] if a["targetType"] == "ext:Skill"]
    assert [a["targetCode"] for a in skills] == sorted(
        [world.BIM, world.TEAMWORK], key=lambda uri: {world.BIM: bim, world.TEAMWORK: teamwork}[uri]
    )
    assert [a["targetUrl"].rsplit("/", 2)[-2:] for a in skills] == [
        ["skills", str(i)] for i in sorted([bim, teamwork])
    ]
    assert f'<li data-uri="{world.BIM}"><a href="/skills/{bim}">建立建筑信息模型</a>' in page
