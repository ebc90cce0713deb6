"""Progress and conversions from the command line: ``progress``, ``convert`` and
``conversions show|confirm|decline|correct-transfers``.

Reading commands and ``convert`` without ``--as`` are the bank operator's
(:data:`creditbank.access.policy.OPERATOR`); deciding acts as a staff user (``--as EMAIL``),
held to the same policy as the HTTP API. ``--json`` prints exactly what the API returns.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import typer

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    out,
    parse_date,
    print_json,
    say,
    state,
    unit_of_work,
)
from creditbank.cli.common import (
    acting as acting_as,
)
from creditbank.cli.conversion_output import (
    CONVERSION_EVENT_WORDS,
    CONVERSION_STATUS_WORDS,
    line,
    print_grants,
    print_receipt,
)
from creditbank.conversion import requests, views
from creditbank.conversion.commands import (
    ConfirmConversion,
    CorrectTransfers,
    DeclineConversion,
    RequestConversion,
    ShowConversion,
    ShowProgress,
)
from creditbank.conversion.conversion_reads import Conversion, ConversionStatus
from creditbank.conversion.schemas import ConversionRead, ProgressRead
from creditbank.messages import msg

top_level = typer.Typer()  # commands of the main level (`creditbank ...`)
conversions_app = typer.Typer(
    help="Conversion requests: confirm, decline, show.", no_args_is_help=True
)


def _print_progress(found: ProgressRead) -> None:
    programme = found.programme
    name = programme.name_en if state.language == "en" and programme.name_en else programme.name
    line(
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
    line(
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
        line(
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
        line(
            say(
                msg("Level {level} or higher: held", level=programme.min_level)
                if found.min_level_met
                else msg("Level {level} or higher: not held yet", level=programme.min_level)
            )
        )
    line("")
    line(_("Met"))
    if not found.met:
        line(_("none"), indent=2)
    for met in found.met:
        how = (
            say(msg("pending conversion {id}", id=met.by))
            if met.pending
            else say(msg("transferred by conversion {id}", id=met.by))
            if met.transferred
            else say(msg("outcome {id}", id=met.by))
        )
        line(
            f"✓ {met.component} {met.name} · "
            + say(msg("{credits} credits", credits=met.credits))
            + f" · {how}",
            indent=2,
        )
    line("")
    line(_("Missing, even with the plan"))
    if not found.missing:
        line(_("none"), indent=2)
    for component in found.missing:
        mandatory = f" · {_('mandatory')}" if component.mandatory else ""
        line(
            f"✗ {component.code} {component.name} · "
            + say(msg("{credits} credits", credits=component.credits))
            + mandatory,
            indent=2,
        )
    line("")
    line(_("What approved rules could add (a what-if; nothing is applied)"))
    if not found.what_if:
        line(say(msg("No approved rule for this programme")), indent=2)
    for check in found.what_if:
        verdict = (
            say(msg("applies: offers {credits} credits", credits=check.offers))
            if check.applicable
            else say(msg("does not apply"))
        )
        line(f"{check.rule} v{check.version} {check.name}: {verdict}", indent=2)
        if check.sources:
            line(f"{_('Sources')}: {', '.join(check.sources)}", indent=4)
        for reason in check.reasons:
            line(f"· {reason}", indent=4)
    line("")
    plan = found.plan
    line(
        _("The best plan")
        if plan.exhaustive
        else _("The best plan found (the search stopped at its budget)")
    )
    if not plan.grants:
        line(say(msg("The plan converts nothing")), indent=2)
    print_grants(plan.grants, plan.passed_over)
    line("")
    line(
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
        line(
            say(
                msg(
                    "At most {credits} credits may be transferred into the programme",
                    credits=programme.programme_cap,
                )
            )
        )
    line(
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
    """A learner's progress toward a programme on a date (default today): components met
    (directly, by transfer, or pending), what each approved rule could add (a what-if that
    applies nothing) and why not, the best plan with the reason for each grant and for each
    candidate passed over, what is missing even with the plan (mandatory marked), and the totals
    against the programme's credits and cap."""
    day = parse_date(on, "--on") or clock.today()
    query = ShowProgress(number, programme, day)
    with unit_of_work() as uow:
        found = ProgressRead.of(
            views.show_progress(query, principal=OPERATOR, uow=uow, now=datetime.now(UTC)),
            state.language,
        )
    if as_json:
        print_json(found)
        return
    _print_progress(found)


def _print_conversion(conversion: ConversionRead) -> None:
    line(
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
    line(
        say(
            msg(
                "Requested by {who} on {date}",
                who=conversion.requested_by,
                date=conversion.requested_on.isoformat(),
            )
        )
    )
    if conversion.status is ConversionStatus.PENDING:
        line(say(msg("{institution} confirms or declines it", institution=conversion.institution)))
    if conversion.needs_review:
        line(say(msg("A source was revoked or superseded since: review it")))
    print_grants(conversion.grants, conversion.passed_over)
    for event in conversion.history:
        reason = f": {event.reason}" if event.reason else ""
        line(
            f"{event.at.isoformat(timespec='seconds')}  {say(CONVERSION_EVENT_WORDS[event.kind])}"
            f"  {event.by}{reason}",
            indent=2,
        )
    print_receipt(conversion.receipt)


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
    """Request a conversion: the best plan under the approved rules in force on `--on`, stored as
    pending for the programme's institution to confirm; prints its id and grants. `--dry-run`
    prints the proposal and stores nothing. `--as` records who asks (a registrar of the
    programme's institution needs the learner's consent; default `cli`). Nothing left to convert,
    or a source in use, exits 1 with the reason."""
    day = parse_date(on, "--on") or clock.today()
    command = RequestConversion(
        number, programme, day, dry_run=dry_run, recorded_as=None if acting else "cli"
    )
    with unit_of_work() as uow:
        principal = OPERATOR if acting is None else acting_as(uow, acting)
        requested = requests.request_conversion(
            command, principal=principal, uow=uow, now=datetime.now(UTC)
        )
        assert isinstance(requested, Conversion)  # noqa: S101 - no idempotency key, no replay
        conversion = ConversionRead.of(requested, state.language)
    if as_json:
        print_json(conversion)
        return
    if dry_run:
        line(say(msg("Dry run: nothing was stored")))
        line(
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
        print_grants(conversion.grants, conversion.passed_over)
        return
    _print_conversion(conversion)


@conversions_app.command("show")
def show_conversion(
    public_id: Annotated[str, typer.Argument(help="The conversion's id.")],
    as_json: JsonOption = False,
) -> None:
    """A conversion with its grants, the reason for each, the transferred-credit outcomes once
    confirmed, and its history."""
    with unit_of_work() as uow:
        found = views.show_conversion(ShowConversion(public_id), principal=OPERATOR, uow=uow)
        conversion = ConversionRead.of(found, state.language)
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
    """Confirm a pending conversion (a registrar of the programme's institution, a bank
    administrator): each grant is deposited in the learner's account as an outcome of
    **transferred credit**: "N credits toward programme P (component C exempted, or elective
    credits), under rule R version v, from outcomes S", of the programme's transferred-credit
    item (`TC.<programme>`, kind `transferred_credit`), never the programme's qualification,
    course or certificate as if earned (an institution cannot deposit such an item itself); the
    outcome's `transfer` says so in the API, on the pages, in `account show` and in its
    credential (`achievementType` `ext:TransferredCredit`, a link to each source); logged."""
    command = ConfirmConversion(public_id)
    confirmed = act(
        acting, lambda uow, who: requests.confirm_conversion(command, principal=who, uow=uow)
    )
    conversion = ConversionRead.of(confirmed, state.language)
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
    """Decline a pending conversion with a reason; its source outcomes are free for another
    request."""
    command = DeclineConversion(public_id, reason)
    declined = act(
        acting, lambda uow, who: requests.decline_conversion(command, principal=who, uow=uow)
    )
    conversion = ConversionRead.of(declined, state.language)
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
    """Correct conversions confirmed by versions before transferred credit was recorded as such
    (a bank administrator): each outcome they deposited as the programme's own qualification,
    course or certificate is superseded by a transferred-credit outcome of the same credits
    toward the programme, with the reason logged; nothing is edited in place, and running it
    again finds nothing more. `--dry-run` lists what would be corrected."""
    command = CorrectTransfers(reason, dry_run=dry_run)
    with unit_of_work() as uow:
        done = requests.correct_transfers(command, principal=acting_as(uow, acting), uow=uow)
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
        line(say(msg("Nothing to correct: every transferred credit is recorded as such.")))
        return
    for correction in done:
        line(
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
        line(say(correction.transfer.describe(correction.credits, state.language)), indent=4)
    line(
        say(
            msg("{count} outcomes would be corrected", count=len(done))
            if dry_run
            else msg("{count} outcomes corrected", count=len(done))
        )
    )
