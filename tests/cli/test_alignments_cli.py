"""`creditbank skills align|submit|approve|reject|retire|alignments` on both databases: the
skills proposed for an item as a table and as the API's JSON, a version drafted from the first
proposals, submitted, refused to its author and approved by another administrator (logged),
listed, retired; a draft from skills by URI, rejected with a reason; bad input refused with
exit 1 and nothing stored."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from creditbank.alignments import drafting, views
from creditbank.alignments.commands import ListAlignments, ProposeSkills
from creditbank.alignments.schemas import AlignmentRead, ProposalRead
from creditbank.alignments.tables import AlignmentRow
from creditbank.db import Database
from tests import alignments_world as world
from tests import conversion_world
from tests.cli.runner import run

TEO = ("--as", conversion_world.TEO_REGISTRAR)
ADMIN1 = ("--as", conversion_world.ADMINS[0])
ADMIN2 = ("--as", conversion_world.ADMINS[1])


def test_proposed_drafted_submitted_approved_listed_and_retired(
    initialised: CliRunner, database: Database
) -> None:
    with database.unit_of_work() as uow:
        world.build(uow)
    table = run(initialised, "skills", "align", world.ITEM, "--level", "intermediate", *TEO)
    assert "BIMTEO:BIM-X@intermediate" in table
    assert "建立建筑信息模型" in table
    answer = json.loads(run(initialised, "skills", "align", world.ITEM, *TEO, "--json"))
    with database.unit_of_work() as uow:
        proposal = drafting.propose_skills(
            ProposeSkills(item=world.ITEM),
            principal=world.principal(uow, conversion_world.TEO_REGISTRAR),
            uow=uow,
        )
    assert answer == ProposalRead.of(proposal).model_dump(mode="json")
    assert answer["item"] == world.ITEM
    assert answer["proposed"][0]["uri"] == world.BIM
    assert answer["proposed"][0]["matched_words"] or answer["proposed"][0]["matched_characters"]
    drafted = json.loads(
        run(initialised, "skills", "align", world.ITEM, "--accept", "1", *TEO, "--json")
    )
    assert [s["uri"] for s in drafted["skills"]] == [answer["proposed"][0]["uri"]]
    assert drafted["status"] == "draft"
    number = str(drafted["id"])
    assert "submitted" in run(initialised, "skills", "submit", number, *TEO)
    assert "may not approve" in run(initialised, "skills", "approve", number, *TEO, code=1)
    approved = run(initialised, "skills", "approve", number, *ADMIN1, "--note", "ok")
    assert "approved" in approved
    assert "skill_alignment.approved" in approved
    listed = json.loads(run(initialised, "skills", "alignments", "--json"))
    with database.unit_of_work() as uow:
        found = views.list_alignments(
            ListAlignments(), principal=world.principal(uow, conversion_world.ADMINS[1]), uow=uow
        )
    assert listed == [AlignmentRead.of(v).model_dump(mode="json") for v in found]
    assert "BIMTEO:BIM-X" in run(initialised, "skills", "alignments", "--status", "approved")
    retired = run(initialised, "skills", "retire", number, *TEO, "--reason", "course changed")
    assert "retired" in retired
    assert "skill_alignment.retired" in retired


def test_a_draft_by_uri_rejected_and_bad_input_refused(
    initialised: CliRunner, database: Database
) -> None:
    with database.unit_of_work() as uow:
        world.build(uow)
    skills = ("--skill", world.TEAMWORK, "--skill", world.SQL)
    drafted = run(
        initialised, "skills", "align", world.ITEM, "--level", "advanced", *skills, *ADMIN1
    )
    assert "BIMTEO:BIM-X@advanced v1" in drafted
    assert "团队协作" in drafted
    with database.unit_of_work() as uow:
        number = str(uow.session.scalar(select(func.max(AlignmentRow.id))))
    run(initialised, "skills", "submit", number, *ADMIN1)
    assert "another administrator" in run(initialised, "skills", "approve", number, *ADMIN1, code=1)
    assert "rejected" in run(
        initialised, "skills", "reject", number, *ADMIN2, "--reason", "too broad"
    )
    refusals = [
        ("skills", "align", world.ITEM, "--accept", "2", *skills, *TEO),
        ("skills", "align", "BIMTEO:NOPE", *skills, *TEO),
        ("skills", "align", world.ITEM, "--skill", "urn:test:skill:none", *TEO),
        ("skills", "align", world.ITEM, "--level", "expert", *skills, *TEO),
        ("skills", "align", "SHVC:BIM-101", *skills, *TEO),  # another institution's item
        ("skills", "approve", "999999", *ADMIN1),
        ("skills", "retire", number, *TEO, "--reason", "no"),  # rejected, not in force
    ]
    for args in refusals:
        run(initialised, *args, code=1)
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AlignmentRow)) == 1
