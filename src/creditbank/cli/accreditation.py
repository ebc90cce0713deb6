"""Accreditation applications from the command line: ``creditbank accreditation ...``.

Apply for a learner, assign an assessor, record marks, decide, confirm or return (four eyes),
add evidence, appeal, show an application, and a centre's queue. Each command parses, calls
the use case's handler and prints. Commands that move an application act as a staff user
(``--as EMAIL``) held to the same policy as the HTTP API; reading commands are the bank
operator's (:data:`~creditbank.access.policy.OPERATOR`). ``--json`` prints exactly what the
API returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.accreditation import assessment, decisions, filing, views
from creditbank.accreditation.applications import Application
from creditbank.accreditation.commands import (
    AddMoreEvidence,
    AppealDecision,
    ApplyForLearner,
    AssignAssessor,
    ConfirmDecision,
    DecideApplication,
    ScoreApplication,
    ShowApplication,
    ShowQueue,
)
from creditbank.accreditation.model import Decision, State, plain
from creditbank.accreditation.schemas import ApplicationRead, QueueEntryRead
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    fail,
    out,
    print_line,
    print_result,
    say,
    state,
    unit_of_work,
)
from creditbank.messages import msg

accreditation_app = typer.Typer(
    help="Accreditation of learning against competence standards: apply, assess, decide.",
    no_args_is_help=True,
)

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


def _pairs(values: list[str], option: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` options as pairs; a value without ``=`` is refused, naming the option."""
    pairs = []
    for value in values:
        key, separator, rest = value.partition("=")
        if not separator or not key.strip() or not rest.strip():
            fail(say(msg("{option} takes KEY=VALUE, not {value}", option=option, value=value)))
        pairs.append((key.strip(), rest.strip()))
    return pairs


def _read(application: Application) -> ApplicationRead:
    return ApplicationRead.of(application, today=clock.today(), language=state.language)


def _print(application: ApplicationRead, as_json: bool) -> None:
    print_result(application, _print_application, as_json=as_json)


def _print_application(application: ApplicationRead) -> None:
    print_line(f"{_('Application')} {application.id}")
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
    """Apply for a learner's learning to be accredited against a unit (a registrar of an
    institution the learner consents to, a bank administrator); the evidence files are uploaded
    before (`POST /api/v1/evidence`); every problem is named and nothing is stored."""
    command = ApplyForLearner(
        account_number=account,
        centre=centre,
        standard=standard,
        standard_version=version,
        unit=unit,
        setting=setting,
        statement=statement,
        evidence=tuple(_pairs(evidence, "--evidence")),
        taught_by=taught_by,
        at=datetime.now(UTC),
    )
    application = _read(
        act(acting, lambda uow, who: filing.apply_for_learner(command, principal=who, uow=uow))
    )
    _print(application, as_json)


@accreditation_app.command("show")
def show(public_id: IdArgument, as_json: JsonOption = False) -> None:
    """An application: unit, state and deadline, assessor, weighted mark and reasons, decisions,
    outcome, log entry."""
    with unit_of_work() as uow:
        query = ShowApplication(public_id)
        application = _read(views.show_application(query, principal=OPERATOR, uow=uow))
    _print(application, as_json)


@accreditation_app.command("assign")
def assign(
    public_id: IdArgument,
    assessor: Annotated[str, typer.Option("--assessor", help="The assessor's e-mail.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Assign an assessor certified for the unit on the day and free of conflicts (not the
    learner, not staff of the institution that taught or applied; on appeal, not one who decided
    before); the centre's accreditation officers."""
    command = AssignAssessor(public_id, assessor, on=clock.today())
    application = _read(
        act(acting, lambda uow, who: assessment.assign_assessor(command, principal=who, uow=uow))
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
    """The assigned assessor records a mark (0-100) for each component of the unit's scheme;
    prints the weighted mark against the pass mark and every shortfall."""
    command = ScoreApplication(public_id, _marks(mark), on=clock.today(), comment=comment)
    application = _read(
        act(acting, lambda uow, who: assessment.score_application(command, principal=who, uow=uow))
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
    """The assigned assessor decides; "accredited" needs passing marks (credits default to the
    unit's), "more evidence" says what is missing; the decision waits for a second person."""
    granted = None
    if credits_granted is not None:
        try:
            granted = Decimal(credits_granted)
        except InvalidOperation:
            fail(say(msg("--credits: {value} is not a number", value=credits_granted)))
    command = DecideApplication(public_id, decision, reasons, on=clock.today(), credits=granted)
    application = _read(
        act(acting, lambda uow, who: assessment.decide_application(command, principal=who, uow=uow))
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
    """A second person (an officer of the centre or a bank administrator, never the assessor)
    confirms: an accredited unit is deposited as an outcome in the learner's account and the
    decision is logged; `--return` sends it back to the assessor."""
    command = ConfirmDecision(public_id, agree=not send_back, reason=reason)
    application = _read(
        act(acting, lambda uow, who: decisions.confirm_decision(command, principal=who, uow=uow))
    )
    _print(application, as_json)


@accreditation_app.command("appeal")
def appeal(
    public_id: IdArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why it should be reconsidered.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Appeal a "not accredited" decision once (the institution that applied); it goes to a
    different assessor."""
    command = AppealDecision(public_id, reason)
    application = _read(
        act(acting, lambda uow, who: filing.appeal_decision(command, principal=who, uow=uow))
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
    """Answer a request for more evidence (the institution that applied); the application returns
    to its assessor."""
    command = AddMoreEvidence(public_id, tuple(_pairs(evidence, "--evidence")), note=note)
    application = _read(
        act(acting, lambda uow, who: filing.add_more_evidence(command, principal=who, uow=uow))
    )
    _print(application, as_json)


@accreditation_app.command("queue")
def queue(
    centre: Annotated[str, typer.Argument(help="The accreditation centre's code.")],
    as_json: JsonOption = False,
) -> None:
    """A centre's open applications, the most overdue first, stalled ones flagged."""
    query = ShowQueue(centre, clock.today())
    with unit_of_work() as uow:
        entries = [
            QueueEntryRead.of(e) for e in views.show_queue(query, principal=OPERATOR, uow=uow)
        ]
    print_result(entries, _print_queue, as_json=as_json)


def _print_queue(entries: list[QueueEntryRead]) -> None:
    for entry in entries:  # one block per application: ids are too wide for a table
        due = "" if entry.due_on is None else f"{_('Due')} {entry.due_on.isoformat()}"
        flag = f"  [{_('stalled')}]" if entry.stalled else ""
        print_line(
            f"{entry.id}  {say(STATE_WORDS[entry.state])}  {due}{flag}\n"
            f"    {entry.unit} {entry.unit_name}  {entry.assessor or ''}"
        )


GROUPS = ((accreditation_app, "accreditation"),)
