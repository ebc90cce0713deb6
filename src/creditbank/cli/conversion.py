"""Credit conversion from the command line: ``programmes``, ``rules``, ``progress``, ``convert``
and ``conversions``.

Imported by :mod:`creditbank.cli.main` (at its end), whose app, console, messages and unit of
work these commands share. Commands that change a rule or decide a conversion act as a staff
user (``--as EMAIL``) and are held to the same policy as the HTTP API; reading commands are
the bank operator's. ``--json`` prints exactly what the API returns.
"""

from __future__ import annotations

import json
import tomllib
import types
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, cast, get_args, get_origin

import typer
from pydantic import BaseModel, ValidationError
from rich import box
from rich.table import Table
from rich.text import Text

from creditbank import clock
from creditbank.access.policy import Action, Principal, require, require_consented
from creditbank.cli.common import (
    JsonOption,
    _,
    fail,
    out,
    parse_date,
    print_json,
    say,
    state,
    unit_of_work,
)
from creditbank.consents import api as consents
from creditbank.conversion import service, transfers
from creditbank.conversion.model import RuleStatus
from creditbank.conversion.schemas import (
    ConversionRead,
    GrantRead,
    PassedOverRead,
    ProgrammeCreate,
    ProgrammeRead,
    ProgressRead,
    RuleCreate,
    RuleRead,
    SourceRead,
    TargetRead,
)
from creditbank.conversion.service import ConversionEventKind, ConversionStatus
from creditbank.db import UnitOfWork
from creditbank.institutions import service as institution_service
from creditbank.institutions.model import check_institution_code
from creditbank.ledger.schemas import ReceiptRead
from creditbank.messages import Message, msg

top_level = typer.Typer()  # commands of the main level (`creditbank ...`)
programmes_app = typer.Typer(
    help="Programmes that credits are converted into.", no_args_is_help=True
)
rules_app = typer.Typer(
    help="Conversion rules: drafts, approval (four eyes), retirement.", no_args_is_help=True
)
conversions_app = typer.Typer(
    help="Conversion requests: confirm, decline, show.", no_args_is_help=True
)

MAX_FILE_BYTES = 2_000_000
"""The largest programme or rule file read (as for framework files)."""

AsOption = Annotated[
    str, typer.Option("--as", help="E-mail of the staff user who acts (checked and recorded).")
]

RULE_STATUS_WORDS = {
    RuleStatus.DRAFT: msg("draft"),
    RuleStatus.SUBMITTED: msg("submitted"),
    RuleStatus.APPROVED: msg("approved"),
    RuleStatus.REJECTED: msg("rejected"),
    RuleStatus.WITHDRAWN: msg("withdrawn"),
    RuleStatus.RETIRED: msg("retired"),
}
CONVERSION_STATUS_WORDS = {
    ConversionStatus.PENDING: msg("pending"),
    ConversionStatus.CONFIRMED: msg("confirmed"),
    ConversionStatus.DECLINED: msg("declined"),
    ConversionStatus.REVERSED: msg("reversed"),
}
CONVERSION_EVENT_WORDS = {
    ConversionEventKind.CONFIRMED: msg("confirmed"),
    ConversionEventKind.DECLINED: msg("declined"),
    ConversionEventKind.REVERSED: msg("reversed"),
    ConversionEventKind.FLAGGED: msg("flagged for review"),
}

Model = TypeVar("Model", bound=BaseModel)


def _line(text: str, indent: int = 0) -> None:
    """Print ``text`` as it is: no markup, no highlighting (names and reasons are data)."""
    out.print(" " * indent + text, markup=False, highlight=False)


def _acting(uow: UnitOfWork, email: str) -> Principal:
    """The staff user ``email`` as a principal (``there is no user`` when unknown)."""
    return institution_service.principal_for(uow=uow, email=email)


def _day(text: str, option: str) -> date:
    """A required ISO date option (``_date`` answers a date for any text given, or exits)."""
    return cast("date", parse_date(text, option))


# --- definition files ------------------------------------------------------------------


def _read_document(file: Path) -> dict[str, Any]:
    """The table (TOML) or object (JSON, by the ``.json`` extension) ``file`` holds."""
    if not file.is_file():
        fail(say(msg("{file} is not a file", file=str(file))))
    name = file.name
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(say(msg("{file} cannot be read: {reason}", file=name, reason=str(error))))
    if len(data) > MAX_FILE_BYTES:
        fail(say(msg("{file} is larger than {limit} bytes", file=name, limit=MAX_FILE_BYTES)))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(
            say(msg("{file} is not UTF-8 text (byte {position})", file=name, position=error.start))
        )
    try:
        document = (
            json.loads(text, parse_float=Decimal)
            if name.lower().endswith(".json")
            else tomllib.loads(text, parse_float=Decimal)
        )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        fail(say(msg("{file} cannot be parsed: {reason}", file=name, reason=str(error))))
    if not isinstance(document, dict):
        fail(say(msg("{file} must hold one table/object", file=name)))
    return document


def _models_in(annotation: object) -> list[tuple[type[BaseModel], bool]]:
    """The models a field holds: (model, True) for a list of them, (model, False) for one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, False)]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return [(args[0], True)]
    if origin in {Union, types.UnionType}:
        return [found for arg in args for found in _models_in(arg)]
    return []


def _unknown_keys(model: type[BaseModel], document: object, where: str = "") -> list[Message]:
    """Every key of ``document`` that ``model`` has no field for (the API ignores them; in a
    file they are typos, such as ``min_scor``, that would silently change a rule)."""
    if not isinstance(document, dict):
        return []
    problems: list[Message] = []
    for key, value in document.items():
        place = f"{where}.{key}" if where else str(key)
        field = model.model_fields.get(str(key))
        if field is None:
            problems.append(msg("{where}: unknown key", where=place))
            continue
        for nested, many in _models_in(field.annotation):
            if many and isinstance(value, list):
                for index, element in enumerate(value):
                    problems.extend(_unknown_keys(nested, element, f"{place}[{index}]"))
            elif not many:
                problems.extend(_unknown_keys(nested, value, place))
    return problems


def _schema_problems(error: ValidationError) -> list[Message]:
    problems = []
    for item in error.errors():
        where = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]
        ).lstrip(".")
        problems.append(msg("{where}: {reason}", where=where or "file", reason=item["msg"]))
    return problems


def _read_definition(file: Path, model: type[Model], invalid: Message) -> Model:
    """``file`` checked against ``model``; every problem named, after ``invalid``, and exit 1."""
    document = _read_document(file)
    problems = _unknown_keys(model, document)
    parsed: Model | None = None
    try:
        parsed = model.model_validate(document)
    except ValidationError as error:
        problems.extend(_schema_problems(error))
    if problems or parsed is None:
        fail("; ".join(say(message) for message in (invalid, *problems)))
    return parsed


# --- programmes --------------------------------------------------------------------------


def _print_programme(programme: ProgrammeRead) -> None:
    name = programme.name_en if state.language == "en" and programme.name_en else programme.name
    _line(
        f"{programme.code} {name} · {programme.institution} · "
        + say(msg("{credits} credits", credits=programme.total_credits))
    )
    if programme.min_level:
        _line(say(msg("Needs an outcome at level {level} or higher", level=programme.min_level)))
    for category, least in programme.category_credits.items():
        _line(
            say(
                msg(
                    "Category {category}: at least {credits} credits",
                    category=category,
                    credits=least,
                )
            )
        )
    caps = programme.caps
    limits = [
        f"{label} {value}"
        for label, value in (
            ("per_source_item", caps.per_source_item),
            ("programme_credits", caps.programme_credits),
            ("programme_share", caps.programme_share),
            ("per_year", caps.per_year),
            ("per_issuer", caps.per_issuer),
        )
        if value is not None
    ]
    _line(f"{_('Caps')}: {', '.join(limits) or _('none')}")
    if programme.programme_cap is not None:
        _line(
            say(
                msg(
                    "At most {credits} credits may be transferred into the programme",
                    credits=programme.programme_cap,
                )
            )
        )
    _line(
        say(
            msg("A revoked or superseded source reverses the conversions built on it")
            if programme.reverse_on_withdrawal
            else msg("A revoked or superseded source flags the conversions built on it for review")
        )
    )
    if not programme.components:
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for heading in (_("Code"), _("Name"), _("Credits"), _("Category"), _("Mandatory"), _("Item")):
        table.add_column(heading)
    for component in programme.components:
        table.add_row(
            Text(component.code),
            Text(component.name),
            str(component.credits),
            Text(component.category),
            _("mandatory") if component.mandatory else "",
            Text(component.item or ""),
        )
    out.print(table)


@programmes_app.command("add")
def add_programme(
    file: Annotated[Path, typer.Argument(help="A programme definition (.toml or .json).")],
    by: Annotated[str, typer.Option(help="Who defines it (recorded).")] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Define a programme from a file: its components, requirements and caps."""
    body = _read_definition(
        file,
        ProgrammeCreate,
        msg("{file} is not a valid programme definition", file=file.name),
    )
    with unit_of_work() as uow:
        programme = ProgrammeRead.of(service.create_programme(uow=uow, spec=body.spec(), by=by))
    if as_json:
        print_json(programme)
        return
    _line(say(msg("Programme {code} added", code=programme.code)))
    _print_programme(programme)


@programmes_app.command("show")
def show_programme(
    code: Annotated[str, typer.Argument(help="The programme's code.")],
    as_json: JsonOption = False,
) -> None:
    """A programme's components, requirements and caps."""
    with unit_of_work() as uow:
        programme = ProgrammeRead.of(service.get_programme(uow=uow, code=code))
    if as_json:
        print_json(programme)
        return
    _print_programme(programme)


# --- rules --------------------------------------------------------------------------------


def _source(source: SourceRead) -> str:
    parts = [source.item or "", source.kind or ""]
    if source.level:
        parts.append(f"{source.level}{'+' if source.at_least else ''}")
    return " ".join(part for part in parts if part) or "*"


def _target(target: TargetRead) -> str:
    if target.component is not None:
        return f"{target.kind.value}:{target.component}"
    category = f" ({target.category})" if target.category else ""
    return f"{target.kind.value}:{target.credits}{category}"


def _rule_label(rule: RuleRead) -> str:
    return f"{rule.code} v{rule.version}"


def _print_receipt(receipt: ReceiptRead | None) -> None:
    if receipt is not None:
        _line(
            say(
                msg(
                    "Logged in the ledger: entry {index} ({kind})",
                    index=receipt.leaf_index,
                    kind=receipt.kind,
                )
            )
        )


def _show_rule_status(rule: RuleRead, *, as_json: bool) -> None:
    """The API's JSON of ``rule`` with ``--json``, else one line of its status."""
    if as_json:
        print_json(rule)
        return
    _print_rule_status(rule)


def _print_rule_status(rule: RuleRead) -> None:
    _line(
        say(
            msg(
                "Rule {rule} (id {id}) is {status}",
                rule=_rule_label(rule),
                id=rule.id,
                status=say(RULE_STATUS_WORDS[rule.status]),
            )
        )
    )
    _print_receipt(rule.receipt)


def _print_rule(rule: RuleRead) -> None:
    _print_rule_status(rule)
    name = rule.name_en if state.language == "en" and rule.name_en else rule.name
    _line(f"{_('Name')}: {name}")
    _line(f"{_('Programme')}: {rule.programme} · {_('Institution')}: {rule.institution}")
    _line(f"{_('Sources')}: {'; '.join(_source(source) for source in rule.sources)}")
    _line(f"{_('Targets')}: {'; '.join(_target(target) for target in rule.targets)}")
    conditions = rule.conditions
    parts = []
    if conditions.min_score is not None:
        parts.append(say(msg("score at least {score}", score=conditions.min_score)))
    if conditions.max_age_years is not None:
        parts.append(
            say(
                msg(
                    "assessed at most {years} years before the request",
                    years=conditions.max_age_years,
                )
            )
        )
    if conditions.settings:
        parts.append(
            say(msg("learning settings: {settings}", settings=", ".join(conditions.settings)))
        )
    _line(f"{_('Conditions')}: {'; '.join(parts) or _('none')}")
    window = (
        f"{rule.valid_from.isoformat()}/{rule.valid_until.isoformat() if rule.valid_until else ''}"
    )
    _line(f"{_('Valid')}: {window}")
    if rule.retired_from is not None:
        _line(say(msg("Retired from {date}", date=rule.retired_from.isoformat())))
    _line(
        say(
            msg(
                "Drafted by {author} at {time}",
                author=rule.author,
                time=rule.drafted_at.isoformat(timespec="seconds"),
            )
        )
    )
    for event in rule.history:
        effective = f" {event.effective_on.isoformat()}" if event.effective_on else ""
        reason = f": {event.reason}" if event.reason else ""
        _line(
            f"{event.at.isoformat(timespec='seconds')}  {say(RULE_STATUS_WORDS[event.kind])}"
            f"{effective}  {event.by}{reason}",
            indent=2,
        )


@rules_app.command("list")
def list_rules(
    institution: Annotated[
        str | None, typer.Option("--institution", help="Only rules this institution drafted.")
    ] = None,
    status: Annotated[
        RuleStatus | None, typer.Option("--status", help="Only rule versions with this status.")
    ] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only rules toward this programme.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rule versions, filtered by drafting institution, status and programme."""
    with unit_of_work() as uow:
        found = [
            RuleRead.of(rule)
            for rule in service.list_rules(
                uow=uow, institution=institution, status=status, programme=programme
            )
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        _line(say(msg("No rule matches")))
        return
    for rule in found:
        until = rule.retired_from or rule.valid_until
        window = f"{rule.valid_from.isoformat()}/{until.isoformat() if until else ''}"
        _line(
            f"{rule.id}  {_rule_label(rule)}  {say(RULE_STATUS_WORDS[rule.status])}  "
            f"{rule.programme}  {rule.institution}  {window}  {rule.name}"
        )


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[int, typer.Argument(help="The rule version's id.")],
    as_json: JsonOption = False,
) -> None:
    """A rule version: sources, targets, conditions, validity and its history."""
    with unit_of_work() as uow:
        rule = RuleRead.of(service.get_rule(uow=uow, rule_id=rule_id))
    if as_json:
        print_json(rule)
        return
    _print_rule(rule)


@rules_app.command("draft")
def draft_rule(
    file: Annotated[Path, typer.Argument(help="A rule definition (.toml or .json).")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Draft a rule, or a new version of one, from a file (a registrar of the drafting
    institution, or a bank administrator); an open draft of the same code is withdrawn."""
    body = _read_definition(
        file, RuleCreate, msg("{file} is not a valid rule definition", file=file.name)
    )
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        institution = check_institution_code(body.institution)
        require(principal, Action.DRAFT_RULE, institution)
        rule = RuleRead.of(
            service.draft_rule(
                uow=uow, institution=institution, draft=body.draft(), user_id=principal.user_id
            )
        )
    if as_json:
        print_json(rule)
        return
    _print_rule_status(rule)
    _line(
        say(msg("Send it for approval with `creditbank rules submit {id} --as EMAIL`", id=rule.id))
    )


@rules_app.command("submit")
def submit_rule(
    rule_id: Annotated[int, typer.Argument(help="The draft's id.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Send a draft to the bank for approval (the drafting institution's registrars)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.DRAFT_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
        rule = RuleRead.of(service.submit_rule(uow=uow, rule_id=rule_id, user_id=principal.user_id))
    _show_rule_status(rule, as_json=as_json)


@rules_app.command("approve")
def approve_rule(
    rule_id: Annotated[int, typer.Argument(help="The submitted version's id.")],
    acting: AsOption,
    note: Annotated[str, typer.Option("--note", help="A note kept with the approval.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Approve a submitted version (a bank administrator other than its author); logged."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.APPROVE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
        rule = RuleRead.of(
            service.approve_rule(uow=uow, rule_id=rule_id, user_id=principal.user_id, reason=note)
        )
    _show_rule_status(rule, as_json=as_json)


@rules_app.command("reject")
def reject_rule(
    rule_id: Annotated[int, typer.Argument(help="The submitted version's id.")],
    acting: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is rejected.")],
    as_json: JsonOption = False,
) -> None:
    """Reject a submitted version with a reason (a bank administrator other than its author)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.APPROVE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
        rule = RuleRead.of(
            service.reject_rule(uow=uow, rule_id=rule_id, user_id=principal.user_id, reason=reason)
        )
    _show_rule_status(rule, as_json=as_json)


@rules_app.command("retire")
def retire_rule(
    rule_id: Annotated[int, typer.Argument(help="The approved version's id.")],
    acting: AsOption,
    effective_on: Annotated[
        str, typer.Option("--from", help="The first day the rule no longer applies.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why it is retired.")],
    as_json: JsonOption = False,
) -> None:
    """Retire an approved version from a date on (its institution's registrars, bank
    administrators); logged."""
    effective = _day(effective_on, "--from")
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.RETIRE_RULE, service.rule_owner(uow=uow, rule_id=rule_id))
        rule = RuleRead.of(
            service.retire_rule(
                uow=uow,
                rule_id=rule_id,
                user_id=principal.user_id,
                effective_on=effective,
                reason=reason,
            )
        )
    if as_json:
        print_json(rule)
        return
    _print_rule_status(rule)
    _line(say(msg("Retired from {date}", date=effective.isoformat())))


# --- progress and conversions ----------------------------------------------------------------


def _print_grants(grants: list[GrantRead], passed_over: list[PassedOverRead]) -> None:
    for grant in grants:
        cut = (
            " · " + say(msg("cut by {caps}", caps=", ".join(cap.value for cap in grant.cut_by)))
            if grant.cut_by
            else ""
        )
        _line(
            f"+ {grant.rule} v{grant.version} → {_target(grant.target)}: "
            + say(
                msg("{granted} of {allowed} credits", granted=grant.granted, allowed=grant.allowed)
            )
            + cut,
            indent=2,
        )
        _line(grant.reason, indent=4)
        _line(f"{_('Sources')}: {', '.join(grant.sources)}", indent=4)
        if grant.transferred:
            _line(say(msg("Transferred credit: outcome {id}", id=grant.transferred)), indent=4)
    for passed in passed_over:
        sources = f" ({', '.join(passed.sources)})" if passed.sources else ""
        _line(f"- {passed.rule} v{passed.version}{sources}: {passed.reason}", indent=2)


def _print_progress(found: ProgressRead) -> None:
    programme = found.programme
    name = programme.name_en if state.language == "en" and programme.name_en else programme.name
    _line(
        say(
            msg(
                "Progress of {number} toward {programme} {name} on {date}",
                number=found.account_number,
                programme=programme.code,
                name=name,
                date=found.on.isoformat(),
            )
        )
    )
    _line(
        say(
            msg(
                "Credits held: {held} of {total}; in pending conversions: {pending}",
                held=found.credits_held,
                total=programme.total_credits,
                pending=found.credits_pending,
            )
        )
    )
    for category, least in programme.category_credits.items():
        _line(
            say(
                msg(
                    "Category {category}: {held} of at least {credits} credits",
                    category=category,
                    held=found.category_held.get(category, Decimal(0)),
                    credits=least,
                )
            ),
            indent=2,
        )
    if found.min_level_met is not None:
        _line(
            say(
                msg("Level {level} or higher: held", level=programme.min_level)
                if found.min_level_met
                else msg("Level {level} or higher: not held yet", level=programme.min_level)
            )
        )
    _line("")
    _line(_("Met"))
    if not found.met:
        _line(_("none"), indent=2)
    for met in found.met:
        how = (
            say(msg("pending conversion {id}", id=met.by))
            if met.pending
            else say(msg("transferred by conversion {id}", id=met.by))
            if met.transferred
            else say(msg("outcome {id}", id=met.by))
        )
        _line(
            f"✓ {met.component} {met.name} · "
            + say(msg("{credits} credits", credits=met.credits))
            + f" · {how}",
            indent=2,
        )
    _line("")
    _line(_("Missing, even with the plan"))
    if not found.missing:
        _line(_("none"), indent=2)
    for component in found.missing:
        mandatory = f" · {_('mandatory')}" if component.mandatory else ""
        _line(
            f"✗ {component.code} {component.name} · "
            + say(msg("{credits} credits", credits=component.credits))
            + mandatory,
            indent=2,
        )
    _line("")
    _line(_("What approved rules could add (a what-if; nothing is applied)"))
    if not found.what_if:
        _line(say(msg("No approved rule for this programme")), indent=2)
    for check in found.what_if:
        verdict = (
            say(msg("applies: offers {credits} credits", credits=check.offers))
            if check.applicable
            else say(msg("does not apply"))
        )
        _line(f"{check.rule} v{check.version} {check.name}: {verdict}", indent=2)
        if check.sources:
            _line(f"{_('Sources')}: {', '.join(check.sources)}", indent=4)
        for reason in check.reasons:
            _line(f"· {reason}", indent=4)
    _line("")
    plan = found.plan
    _line(
        _("The best plan")
        if plan.exhaustive
        else _("The best plan found (the search stopped at its budget)")
    )
    if not plan.grants:
        _line(say(msg("The plan converts nothing")), indent=2)
    _print_grants(plan.grants, plan.passed_over)
    _line("")
    _line(
        say(
            msg(
                "The plan grants {plan} credits; with it {with_plan} of {total} credits",
                plan=plan.total,
                with_plan=found.credits_with_plan,
                total=programme.total_credits,
            )
        )
    )
    if programme.programme_cap is not None:
        _line(
            say(
                msg(
                    "At most {credits} credits may be transferred into the programme",
                    credits=programme.programme_cap,
                )
            )
        )
    _line(
        say(
            msg("With the plan the programme's requirements are met")
            if found.complete_with_plan
            else msg("With the plan the programme's requirements are not met yet")
        )
    )


@top_level.command("progress")
def show_progress(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    programme: Annotated[str, typer.Option("--programme", help="The programme's code.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The date to audit on (default: today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A learner's progress toward a programme: what is met, pending and missing, what approved
    rules could add (applying nothing), and the best plan with the reason for each choice."""
    day = parse_date(on, "--on") or clock.today()
    with unit_of_work() as uow:
        found = ProgressRead.of(
            service.progress(uow=uow, account_number=number, programme=programme, on=day),
            state.language,
        )
    if as_json:
        print_json(found)
        return
    _print_progress(found)


def _print_conversion(conversion: ConversionRead) -> None:
    _line(
        say(
            msg(
                "Conversion {id} of {number} toward {programme}: {status}, {total} credits",
                id=conversion.id,
                number=conversion.account_number,
                programme=conversion.programme,
                status=say(CONVERSION_STATUS_WORDS[conversion.status]),
                total=conversion.total,
            )
        )
    )
    _line(
        say(
            msg(
                "Requested by {who} on {date}",
                who=conversion.requested_by,
                date=conversion.requested_on.isoformat(),
            )
        )
    )
    if conversion.status is ConversionStatus.PENDING:
        _line(say(msg("{institution} confirms or declines it", institution=conversion.institution)))
    if conversion.needs_review:
        _line(say(msg("A source was revoked or superseded since: review it")))
    _print_grants(conversion.grants, conversion.passed_over)
    for event in conversion.history:
        reason = f": {event.reason}" if event.reason else ""
        _line(
            f"{event.at.isoformat(timespec='seconds')}  {say(CONVERSION_EVENT_WORDS[event.kind])}"
            f"  {event.by}{reason}",
            indent=2,
        )
    _print_receipt(conversion.receipt)


@top_level.command("convert")
def convert(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    programme: Annotated[str, typer.Option("--programme", help="The programme's code.")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="The request date the rules are taken in force on (today)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Propose without storing anything.")
    ] = False,
    acting: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="E-mail of the staff user who requests it (a registrar of the programme's "
            "institution needs the learner's consent).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Request a conversion toward a programme: the best plan under the approved rules in force,
    stored as pending for the programme's institution to confirm or decline."""
    day = parse_date(on, "--on") or clock.today()
    with unit_of_work() as uow:
        requested_by = "cli"
        if acting is not None:
            principal = _acting(uow, acting)
            consenting = consents.consenting_institutions(
                uow=uow, account_number=number, now=datetime.now(UTC)
            )
            owner = service.programme_owner(uow=uow, code=programme)
            require_consented(principal, Action.REQUEST_CONVERSION, owner, consenting=consenting)
            requested_by = principal.email
        conversion = ConversionRead.of(
            service.request_conversion(
                uow=uow,
                account_number=number,
                programme=programme,
                on=day,
                requested_by=requested_by,
                dry_run=dry_run,
            ),
            state.language,
        )
    if as_json:
        print_json(conversion)
        return
    if dry_run:
        _line(say(msg("Dry run: nothing was stored")))
        _line(
            say(
                msg(
                    "{programme} for {number} on {date}: {total} credits proposed",
                    programme=conversion.programme,
                    number=conversion.account_number,
                    date=conversion.requested_on.isoformat(),
                    total=conversion.total,
                )
            )
        )
        _print_grants(conversion.grants, conversion.passed_over)
        return
    _print_conversion(conversion)


@conversions_app.command("show")
def show_conversion(
    public_id: Annotated[str, typer.Argument(help="The conversion's id.")],
    as_json: JsonOption = False,
) -> None:
    """A conversion with its grants, the reason for each, and its history."""
    with unit_of_work() as uow:
        conversion = ConversionRead.of(
            service.get_conversion(uow=uow, public_id=public_id), state.language
        )
    if as_json:
        print_json(conversion)
        return
    _print_conversion(conversion)


@conversions_app.command("confirm")
def confirm_conversion(
    public_id: Annotated[str, typer.Argument(help="The pending conversion's id.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Confirm a pending conversion (the programme's registrars, bank administrators): each
    grant is deposited as an outcome of transferred credit; logged."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        owner = service.conversion_owner(uow=uow, public_id=public_id)
        require(principal, Action.DECIDE_CONVERSION, owner)
        conversion = ConversionRead.of(
            service.confirm_conversion(uow=uow, public_id=public_id, by=principal.email),
            state.language,
        )
    if as_json:
        print_json(conversion)
        return
    _print_conversion(conversion)


@conversions_app.command("decline")
def decline_conversion(
    public_id: Annotated[str, typer.Argument(help="The pending conversion's id.")],
    acting: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is declined.")],
    as_json: JsonOption = False,
) -> None:
    """Decline a pending conversion with a reason; its sources are free again."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        owner = service.conversion_owner(uow=uow, public_id=public_id)
        require(principal, Action.DECIDE_CONVERSION, owner)
        conversion = ConversionRead.of(
            service.decline_conversion(
                uow=uow, public_id=public_id, by=principal.email, reason=reason
            ),
            state.language,
        )
    if as_json:
        print_json(conversion)
        return
    _print_conversion(conversion)


@conversions_app.command("correct-transfers")
def correct_transfers(
    acting: AsOption,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the records are corrected (logged with each).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be corrected; change nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Correct conversions confirmed before transferred credit was recorded as such (a bank
    administrator): each outcome they deposited as the programme's own qualification, course or
    certificate is superseded by a transferred-credit outcome of the same credits toward the
    programme, with the reason logged. Nothing is edited in place; running it again finds
    nothing more to correct."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        done = transfers.correct_transferred_credit(
            uow=uow, principal=principal, reason=reason, dry_run=dry_run
        )
        if dry_run:
            uow.session.rollback()
    if as_json:
        corrections = [
            {
                "conversion": c.conversion,
                "account_number": c.account_number,
                "old_outcome": c.old_outcome,
                "old_item": c.old_item,
                "new_outcome": c.new_outcome,
                "credits": None if c.credits is None else str(c.credits),
                "transfer": c.transfer.as_json(),
            }
            for c in done
        ]
        out.print_json(data={"dry_run": dry_run, "corrections": corrections}, ensure_ascii=False)
        return
    if not done:
        _line(say(msg("Nothing to correct: every transferred credit is recorded as such.")))
        return
    for correction in done:
        _line(
            say(
                msg(
                    "Account {account}, conversion {conversion}: outcome {old} ({item}) → {new}",
                    account=correction.account_number,
                    conversion=correction.conversion,
                    old=correction.old_outcome,
                    item=correction.old_item,
                    new=correction.new_outcome or msg("(dry run)"),
                )
            )
        )
        _line(say(correction.transfer.describe(correction.credits, state.language)), indent=4)
    _line(
        say(
            msg("{count} outcomes would be corrected", count=len(done))
            if dry_run
            else msg("{count} outcomes corrected", count=len(done))
        )
    )


GROUPS = ((programmes_app, "programmes"), (rules_app, "rules"), (conversions_app, "conversions"))
