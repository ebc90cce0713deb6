"""Accreditation applications from the command line: ``creditbank accreditation ...``.

Apply for a learner, assign an assessor, record marks, decide, confirm or return (four eyes),
add evidence, appeal, show an application, list a learner's or a centre's applications, and a
centre's queue. Imported by :mod:`creditbank.cli.main` (at its end), whose app, console,
messages and unit of work these commands share. Commands that move an application act as a
staff user (``--as EMAIL``) held to the same policy as the HTTP API; reading commands are the
bank operator's. ``--json`` prints exactly what the API returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from creditbank import clock
from creditbank.access.policy import Action, Principal, require, require_consented
from creditbank.accreditation import service
from creditbank.accreditation.model import Decision, State, plain
from creditbank.accreditation.schemas import ApplicationRead, QueueEntryRead
from creditbank.cli.common import JsonOption, _, fail, out, print_json, say, state, unit_of_work
from creditbank.consents import api as consents
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institution_service
from creditbank.institutions.model import check_institution_code
from creditbank.messages import msg

accreditation_app = typer.Typer(
    help="Accreditation of learning against competence standards: apply, assess, decide.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str, typer.Option("--as", help="E-mail of the staff user who acts (checked and recorded).")
]
IdArgument = Annotated[str, typer.Argument(help="The application's id.")]
EvidenceOption = Annotated[
    list[str],
    typer.Option(
        "--evidence",
        help="SHA256=WHAT: an evidence file uploaded before, and what it is (repeatable).",
    ),
]

STATE_WORDS = {
    State.SUBMITTED: msg("waiting for an assessor"),
    State.ASSIGNED: msg("with the assessor"),
    State.SCORED: msg("marked, waiting for the decision"),
    State.DECIDED: msg("decided, waiting for confirmation"),
    State.MORE_EVIDENCE: msg("more evidence needed"),
    State.APPEALED: msg("appealed, waiting for a new assessor"),
    State.ACCREDITED: msg("accredited"),
    State.NOT_ACCREDITED: msg("not accredited"),
}


def _acting(uow: UnitOfWork, email: str) -> Principal:
    return institution_service.principal_for(uow=uow, email=email)


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` options as pairs; a value without ``=`` is refused, naming the option."""
    pairs = []
    for value in values:
        key, separator, rest = value.partition("=")
        if not separator or not key.strip() or not rest.strip():
            fail(say(msg("{option} takes KEY=VALUE, not {value}", option=option, value=value)))
        pairs.append((key.strip(), rest.strip()))
    return pairs


def _read(application: service.Application) -> ApplicationRead:
    return ApplicationRead.of(application, today=clock.today(), language=state.language)


def _print(application: ApplicationRead, as_json: bool) -> None:
    if as_json:
        print_json(application)
        return
    out.print(f"{_('Application')} {application.id}", highlight=False, markup=False)
    rows = [
        (_("Account"), application.account_number),
        (_("Centre"), application.centre),
        (
            _("Unit"),
            (
                f"{application.standard} v{application.standard_version} / "
                f"{application.unit.code} {application.unit.name}"
            ),
        ),
        (_("State"), say(STATE_WORDS[application.state])),
        (_("Due"), "" if application.due_on is None else application.due_on.isoformat()),
        (_("Assessor"), application.assessor or ""),
    ]
    if application.marks is not None:
        result = application.marks.result
        rows.append((_("Weighted mark"), f"{plain(result.weighted)} / {plain(result.pass_mark)}"))
        rows.extend((_("Reason"), reason) for reason in result.reasons)
    rows.extend(
        (_("Decision"), f"{d.round}: {d.decision.value} {d.reasons}".strip())
        for d in application.decisions
    )
    if application.outcome:
        rows.append((_("Outcome"), application.outcome))
    if application.receipt is not None:
        rows.append((_("Log entry"), str(application.receipt.leaf_index)))
    table = Table(box=box.SIMPLE, show_header=False)
    table.add_column()
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    out.print(table)


@accreditation_app.command("apply")
def apply(
    account: Annotated[str, typer.Argument(help="The learner's account number.")],
    centre: Annotated[str, typer.Option("--centre", help="The accreditation centre's code.")],
    standard: Annotated[str, typer.Option("--standard", help="The standard's code.")],
    unit: Annotated[str, typer.Option("--unit", help="The unit's code.")],
    setting: Annotated[str, typer.Option("--setting", help="formal, non-formal or informal.")],
    statement: Annotated[str, typer.Option("--statement", help="What was learned, how.")],
    acting: AsOption,
    evidence: EvidenceOption,
    taught_by: Annotated[
        str | None, typer.Option("--taught-by", help="Where the learning took place.")
    ] = None,
    version: Annotated[int | None, typer.Option("--version", help="Default: newest.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply for a learner's learning to be accredited (registrars of an institution the
    learner consents to, bank administrators)."""
    files = _pairs(evidence, "--evidence")
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        consenting = consents.consenting_institutions(
            uow=uow, account_number=account, now=datetime.now(UTC)
        )
        require_consented(
            principal,
            Action.APPLY_ACCREDITATION,
            principal.institution or "",
            consenting=consenting,
        )
        application = _read(
            service.apply(
                uow=uow,
                account_number=account,
                centre=check_institution_code(centre),
                standard=standard,
                standard_version=version,
                unit=unit,
                setting=setting,
                statement=statement,
                evidence_files=files,
                by=principal.email,
                applied_by_institution=principal.institution,
                taught_by=None if taught_by is None else check_institution_code(taught_by),
            )
        )
    _print(application, as_json)


@accreditation_app.command("show")
def show(public_id: IdArgument, as_json: JsonOption = False) -> None:
    """An application: state, deadline, marks, decisions."""
    with unit_of_work() as uow:
        application = _read(service.get_application(uow=uow, public_id=public_id))
    _print(application, as_json)


@accreditation_app.command("assign")
def assign(
    public_id: IdArgument,
    assessor: Annotated[str, typer.Option("--assessor", help="The assessor's e-mail.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Assign a certified assessor with no conflict of interest (the centre's officers)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(
            principal,
            Action.ASSIGN_ASSESSOR,
            service.parties(uow=uow, public_id=public_id).centre,
        )
        application = _read(
            service.assign(
                uow=uow,
                public_id=public_id,
                assessor_email=assessor,
                by=principal.email,
                by_user_id=principal.user_id,
                on=clock.today(),
            )
        )
    _print(application, as_json)


def _marks(values: list[str]) -> dict[str, Decimal]:
    marks = {}
    for kind, text in _pairs(values, "--mark"):
        try:
            marks[kind] = Decimal(text)
        except InvalidOperation:
            fail(say(msg("--mark {kind}: {value} is not a number", kind=kind, value=text)))
    return marks


@accreditation_app.command("score")
def score(
    public_id: IdArgument,
    mark: Annotated[
        list[str], typer.Option("--mark", help="COMPONENT=MARK, e.g. theory=72 (repeatable).")
    ],
    acting: AsOption,
    comment: Annotated[str, typer.Option("--comment")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record the marks of each component of the unit's scheme (the assigned assessor)."""
    marks = _marks(mark)
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.SCORE_APPLICATION, principal.institution)
        application = _read(
            service.record_marks(
                uow=uow,
                public_id=public_id,
                marks=marks,
                comment=comment,
                by=principal.email,
                by_user_id=principal.user_id,
                on=clock.today(),
            )
        )
    _print(application, as_json)


@accreditation_app.command("decide")
def decide(
    public_id: IdArgument,
    decision: Annotated[
        Decision, typer.Option("--decision", help="accredited, not_accredited or more_evidence.")
    ],
    acting: AsOption,
    credits_granted: Annotated[
        str | None, typer.Option("--credits", help="Default: the unit's credits.")
    ] = None,
    reasons: Annotated[str, typer.Option("--reasons")] = "",
    as_json: JsonOption = False,
) -> None:
    """Decide (the assigned assessor); the decision waits for a second person."""
    granted = None
    if credits_granted is not None:
        try:
            granted = Decimal(credits_granted)
        except InvalidOperation:
            fail(say(msg("--credits: {value} is not a number", value=credits_granted)))
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.SCORE_APPLICATION, principal.institution)
        application = _read(
            service.decide(
                uow=uow,
                public_id=public_id,
                decision=decision,
                granted=granted,
                reasons=reasons,
                by=principal.email,
                by_user_id=principal.user_id,
                on=clock.today(),
            )
        )
    _print(application, as_json)


@accreditation_app.command("confirm")
def confirm(
    public_id: IdArgument,
    acting: AsOption,
    send_back: Annotated[
        bool, typer.Option("--return", help="Disagree: send it back to the assessor.")
    ] = False,
    reason: Annotated[str, typer.Option("--reason")] = "",
    as_json: JsonOption = False,
) -> None:
    """Confirm the assessor's decision, or return it (the centre's officers; never the
    assessor). A confirmed decision is logged; an accredited one is deposited."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(
            principal,
            Action.CONFIRM_DECISION,
            service.parties(uow=uow, public_id=public_id).centre,
        )
        application = _read(
            service.confirm(
                uow=uow,
                public_id=public_id,
                agree=not send_back,
                reason=reason,
                by=principal.email,
                by_user_id=principal.user_id,
            )
        )
    _print(application, as_json)


@accreditation_app.command("appeal")
def appeal(
    public_id: IdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it should be reconsidered.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Appeal a "not accredited" decision, once (the institution that applied)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(
            principal,
            Action.APPLY_ACCREDITATION,
            service.parties(uow=uow, public_id=public_id).applied_by,
        )
        application = _read(
            service.appeal(
                uow=uow,
                public_id=public_id,
                reason=reason,
                by=principal.email,
                by_user_id=principal.user_id,
            )
        )
    _print(application, as_json)


@accreditation_app.command("evidence")
def add_evidence(
    public_id: IdArgument,
    evidence: EvidenceOption,
    acting: AsOption,
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOption = False,
) -> None:
    """Answer a request for more evidence (the institution that applied)."""
    files = _pairs(evidence, "--evidence")
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(
            principal,
            Action.APPLY_ACCREDITATION,
            service.parties(uow=uow, public_id=public_id).applied_by,
        )
        application = _read(
            service.add_evidence(
                uow=uow,
                public_id=public_id,
                evidence_files=files,
                note=note,
                by=principal.email,
                by_user_id=principal.user_id,
            )
        )
    _print(application, as_json)


@accreditation_app.command("queue")
def queue(
    centre: Annotated[str, typer.Argument(help="The accreditation centre's code.")],
    as_json: JsonOption = False,
) -> None:
    """A centre's open applications, the most overdue first; stalled ones flagged."""
    with unit_of_work() as uow:
        entries = [
            QueueEntryRead.of(e)
            for e in service.queue(
                uow=uow, centre=check_institution_code(centre), today=clock.today()
            )
        ]
    if as_json:
        print_json(entries)
        return
    for entry in entries:  # one block per application: ids are too wide for a table
        due = "" if entry.due_on is None else f"{_('Due')} {entry.due_on.isoformat()}"
        flag = f"  [{_('stalled')}]" if entry.stalled else ""
        out.print(
            f"{entry.id}  {say(STATE_WORDS[entry.state])}  {due}{flag}\n"
            f"    {entry.unit} {entry.unit_name}  {entry.assessor or ''}",
            markup=False,
            highlight=False,
        )


GROUPS = ((accreditation_app, "accreditation"),)
