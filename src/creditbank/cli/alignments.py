"""``creditbank skills align|submit|approve|reject|retire|alignments``: alignments of catalogue
items to skills from the command line, on the ``skills`` group of :mod:`creditbank.cli.skills`.

``align ITEM`` shows the skills the bank proposes for the item (at ``--level``, or at any
level), each with its score and the words that matched; with ``--accept N`` it drafts a version
of the item's alignment with the first N proposals, with ``--skill URI`` (repeated) with those
skills. A draft is submitted, then approved or rejected by a bank administrator other than its
author (four eyes); approvals and retirements are logged. Every command acts as the staff user
``--as`` names (``alignments``: the operator without it); ``--json`` prints what the API
answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Column

from creditbank.access.policy import OPERATOR
from creditbank.alignments import decisions, drafting, views
from creditbank.alignments.commands import (
    ApproveAlignment,
    DraftAlignment,
    ListAlignments,
    ProposeSkills,
    RejectAlignment,
    RetireAlignment,
    SubmitAlignment,
)
from creditbank.alignments.model import STATUS_WORDS, AlignmentStatus
from creditbank.alignments.schemas import AlignmentRead, ProposalRead
from creditbank.alignments.store import AlignmentVersion
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    acting,
    fail,
    print_json,
    print_line,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.cli.skills import skills_app
from creditbank.messages import msg

LevelOption = Annotated[
    str | None,
    typer.Option("--level", help="A level code of the item (an X certificate's level); none: any."),
]


@skills_app.command("align")
def align(
    item: Annotated[str, typer.Argument(help="The catalogue item, OWNER:CODE.")],
    acting_as: AsOption,
    level: LevelOption = None,
    accept: Annotated[
        int | None,
        typer.Option("--accept", help="Draft a version with the first N proposals.", min=1),
    ] = None,
    skill: Annotated[
        list[str] | None,
        typer.Option("--skill", help="Draft a version with this skill (a URI; repeat it)."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note kept with the draft.")] = "",
    limit: Annotated[int, typer.Option(help="How many proposals to show (1-50).")] = 10,
    as_json: JsonOption = False,
) -> None:
    """The skills proposed for ITEM, best first, with score and matched words; with --accept N
    or --skill URI..., draft a version of its alignment (an open draft is withdrawn)."""
    if accept is not None and skill:
        fail(say(msg("Give --accept or --skill, not both.")))
    if accept is None and not skill:
        proposal = ProposalRead.of(
            act(
                acting_as,
                lambda uow, who: drafting.propose_skills(
                    ProposeSkills(item=item, level=level, limit=limit), principal=who, uow=uow
                ),
            )
        )
        print_result(proposal, _print_proposal, as_json=as_json)
        return
    with unit_of_work() as uow:
        who = acting(uow, acting_as)
        uris = tuple(skill or ())
        if accept is not None:
            proposal_found = drafting.propose_skills(
                ProposeSkills(item=item, level=level, limit=accept), principal=who, uow=uow
            )
            uris = tuple(hit.skill.uri for hit in proposal_found.hits)
        command = DraftAlignment(item=item, skills=uris, level=level, note=note)
        drafted = AlignmentRead.of(drafting.draft_alignment(command, principal=who, uow=uow))
    if as_json:
        print_json(drafted)
        return
    _print_alignment(drafted)
    print_line(
        say(
            msg(
                "Send it for approval with `creditbank skills submit {id} --as EMAIL`",
                id=drafted.id,
            )
        )
    )


def _print_proposal(proposal: ProposalRead) -> None:
    subject = proposal.item if proposal.level is None else f"{proposal.item}@{proposal.level}"
    print_line(f"{subject}  {proposal.item_name}")
    if proposal.in_force is not None:
        print_line(
            say(
                msg(
                    "In force: version {version} (id {id}), {count} skills",
                    version=proposal.in_force.version,
                    id=proposal.in_force.id,
                    count=len(proposal.in_force.skills),
                )
            ),
            2,
        )
    if proposal.open is not None:
        print_line(
            say(
                msg(
                    "Open: version {version} (id {id}) is {status}",
                    version=proposal.open.version,
                    id=proposal.open.id,
                    status=say(STATUS_WORDS[proposal.open.status]),
                )
            ),
            2,
        )
    if not proposal.proposed:
        print_line(say(msg("No skill matches.")))
        return
    print_table(
        [
            Column("#", justify="right"),
            _("Skill"),
            Column(_("Relevance"), justify="right"),
            _("Matched"),
            "URI",
        ],
        (
            [
                str(number),
                hit.name,
                f"{hit.score:.3f}",
                " ".join(hit.matched_words) or "".join(hit.matched_characters),
                hit.uri,
            ]
            for number, hit in enumerate(proposal.proposed, start=1)
        ),
    )


def _print_alignment(alignment: AlignmentRead) -> None:
    subject = (
        alignment.item
        if alignment.level_code is None
        else f"{alignment.item}@{alignment.level_code}"
    )
    print_line(
        say(
            msg(
                "Alignment {subject} v{version} (id {id}) is {status}",
                subject=subject,
                version=alignment.version,
                id=alignment.id,
                status=say(STATUS_WORDS[alignment.status]),
            )
        )
    )
    for skill in alignment.skills:
        print_line(f"{skill.name}  <{skill.uri}>", 2)
    if alignment.receipt is not None:
        print_line(
            say(
                msg(
                    "Logged in the ledger: entry {index} ({kind})",
                    index=alignment.receipt.leaf_index,
                    kind=alignment.receipt.kind,
                )
            ),
            2,
        )


def _show(alignment: AlignmentRead, *, as_json: bool) -> None:
    print_result(alignment, _print_alignment, as_json=as_json)


def _take_step(
    acting_as: str, step: Callable[..., AlignmentVersion], command: object, *, as_json: bool
) -> None:
    """Take one step of a version's way (submit, approve, reject, retire) as ``acting_as``
    and show the version as it then is."""
    version = act(acting_as, lambda uow, who: step(command, principal=who, uow=uow))
    _show(AlignmentRead.of(version), as_json=as_json)


@skills_app.command("submit")
def submit(
    alignment_id: Annotated[int, typer.Argument(help="The draft's id.")],
    acting_as: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Send a drafted alignment to the bank for approval."""
    command = SubmitAlignment(alignment_id)
    _take_step(acting_as, drafting.submit_alignment, command, as_json=as_json)


@skills_app.command("approve")
def approve(
    alignment_id: Annotated[int, typer.Argument(help="The submitted version's id.")],
    acting_as: AsOption,
    note: Annotated[str, typer.Option("--note", help="A note kept with the approval.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Approve a submitted alignment (a bank administrator other than its author: four eyes);
    in force from now on; logged in the ledger."""
    command = ApproveAlignment(alignment_id, note)
    _take_step(acting_as, decisions.approve_alignment, command, as_json=as_json)


@skills_app.command("reject")
def reject(
    alignment_id: Annotated[int, typer.Argument(help="The submitted version's id.")],
    acting_as: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is rejected.")],
    as_json: JsonOption = False,
) -> None:
    """Reject a submitted alignment with a reason (a bank administrator other than its
    author)."""
    command = RejectAlignment(alignment_id, reason)
    _take_step(acting_as, decisions.reject_alignment, command, as_json=as_json)


@skills_app.command("retire")
def retire(
    alignment_id: Annotated[int, typer.Argument(help="The id of the version in force.")],
    acting_as: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is retired.")],
    as_json: JsonOption = False,
) -> None:
    """Retire the alignment in force, with a reason: the item has none in force until another
    version is approved; logged."""
    command = RetireAlignment(alignment_id, reason)
    _take_step(acting_as, decisions.retire_alignment, command, as_json=as_json)


@skills_app.command("alignments")
def list_alignments(
    institution: Annotated[
        str | None, typer.Option("--institution", help="Only this institution's items.")
    ] = None,
    status: Annotated[
        AlignmentStatus | None,
        typer.Option("--status", help="Only versions in this status (submitted: the queue)."),
    ] = None,
    item: Annotated[str | None, typer.Option("--item", help="Only this item, OWNER:CODE.")] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="E-mail of the staff user who reads.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Versions of alignments, oldest first (as `GET /api/v1/alignments` answers)."""
    query = ListAlignments(institution=institution, status=status, item=item)
    with unit_of_work() as uow:
        principal = OPERATOR if as_user is None else acting(uow, as_user)
        found = [
            AlignmentRead.of(v) for v in views.list_alignments(query, principal=principal, uow=uow)
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        print_line(say(msg("No alignment.")))
        return
    print_table(
        [
            Column("id", justify="right"),
            _("Item"),
            _("Level"),
            Column("v", justify="right"),
            _("Status"),
            Column(_("Skills"), justify="right"),
            _("Author"),
        ],
        (
            [
                str(a.id),
                f"{a.item} {a.item_name}",
                a.level_code or "",
                str(a.version),
                say(STATUS_WORDS[a.status]),
                str(len(a.skills)),
                a.author,
            ]
            for a in found
        ),
    )


GROUPS: tuple[tuple[typer.Typer, str], ...] = ()
"""Nothing of its own: the commands are on the ``skills`` group (:mod:`creditbank.cli.skills`),
which registers it."""
