"""Credit conversion from the command line: ``programmes`` and ``rules``; with
:mod:`creditbank.cli.conversion_requests`, ``progress``, ``convert`` and ``conversions``.

:mod:`creditbank.cli.main` registers the groups in ``GROUPS`` and the commands of
``top_level``. Commands that change a rule act as a staff user (``--as EMAIL``) and are held to
the same policy as the HTTP API; reading commands and defining a programme are the bank
operator's (:data:`creditbank.access.policy.OPERATOR`). ``--json`` prints exactly what the API
returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    out,
    print_json,
    required_date,
    say,
    state,
    unit_of_work,
)
from creditbank.cli.conversion_files import read_definition
from creditbank.cli.conversion_output import RULE_STATUS_WORDS, line, print_receipt, target_text
from creditbank.cli.conversion_requests import conversions_app, top_level
from creditbank.conversion import programmes, rules, views
from creditbank.conversion.commands import (
    ApproveRule,
    DefineProgramme,
    DraftRule,
    ListRules,
    RejectRule,
    RetireRule,
    ShowProgramme,
    ShowRule,
    SubmitRule,
)
from creditbank.conversion.model import RuleStatus
from creditbank.conversion.schemas import (
    ProgrammeCreate,
    ProgrammeRead,
    RuleCreate,
    RuleRead,
    SourceRead,
)
from creditbank.messages import msg

programmes_app = typer.Typer(
    help="Programmes that credits are converted into.", no_args_is_help=True
)
rules_app = typer.Typer(
    help="Conversion rules: drafts, approval (four eyes), retirement.", no_args_is_help=True
)


# --- programmes --------------------------------------------------------------------------


def _print_programme(programme: ProgrammeRead) -> None:
    name = programme.name_en if state.language == "en" and programme.name_en else programme.name
    line(
        f"{programme.code} {name} · {programme.institution} · "
        + say(msg("{credits} credits", credits=programme.total_credits))
    )
    if programme.min_level:
        line(say(msg("Needs an outcome at level {level} or higher", level=programme.min_level)))
    for category, least in programme.category_credits.items():
        line(
            say(
                msg(
                    "Category {category}: at least {credits} credits",
                    category=category,
                    credits=least,
                )
            )
        )
    limits = [
        f"{setting} {value}"
        for setting, value in programme.caps.model_dump().items()
        if value is not None
    ]
    line(f"{_('Caps')}: {', '.join(limits) or _('none')}")
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
    """Define a programme credits are converted into from a TOML or JSON file in the shape of
    `POST /api/v1/programmes` (code, institution, item, name, total_credits, category_credits,
    components, min_level, caps, reverse_on_withdrawal); every problem of the file is named (a
    key the shape has not, e.g. a misspelt `credit`, is refused, not ignored) and nothing is
    stored."""
    body = read_definition(
        file,
        ProgrammeCreate,
        msg("{file} is not a valid programme definition", file=file.name),
    )
    command = DefineProgramme(body.spec(), recorded_as=by)
    with unit_of_work() as uow:
        programme = ProgrammeRead.of(
            programmes.define_programme(command, principal=OPERATOR, uow=uow)
        )
    if as_json:
        print_json(programme)
        return
    line(say(msg("Programme {code} added", code=programme.code)))
    _print_programme(programme)


@programmes_app.command("show")
def show_programme(
    code: Annotated[str, typer.Argument(help="The programme's code.")],
    as_json: JsonOption = False,
) -> None:
    """A programme's components (mandatory marked), category minimums, minimum level and caps,
    with the most credits transferable into it."""
    with unit_of_work() as uow:
        programme = ProgrammeRead.of(
            views.show_programme(ShowProgramme(code), principal=OPERATOR, uow=uow)
        )
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


def _rule_label(rule: RuleRead) -> str:
    return f"{rule.code} v{rule.version}"


def _show_rule_status(rule: RuleRead, *, as_json: bool) -> None:
    """The API's JSON of ``rule`` with ``--json``, else one line of its status."""
    if as_json:
        print_json(rule)
        return
    _print_rule_status(rule)


def _print_rule_status(rule: RuleRead) -> None:
    line(
        say(
            msg(
                "Rule {rule} (id {id}) is {status}",
                rule=_rule_label(rule),
                id=rule.id,
                status=say(RULE_STATUS_WORDS[rule.status]),
            )
        )
    )
    print_receipt(rule.receipt)


def _print_rule(rule: RuleRead) -> None:
    _print_rule_status(rule)
    name = rule.name_en if state.language == "en" and rule.name_en else rule.name
    line(f"{_('Name')}: {name}")
    line(f"{_('Programme')}: {rule.programme} · {_('Institution')}: {rule.institution}")
    line(f"{_('Sources')}: {'; '.join(_source(source) for source in rule.sources)}")
    line(f"{_('Targets')}: {'; '.join(target_text(target) for target in rule.targets)}")
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
    line(f"{_('Conditions')}: {'; '.join(parts) or _('none')}")
    window = (
        f"{rule.valid_from.isoformat()}/{rule.valid_until.isoformat() if rule.valid_until else ''}"
    )
    line(f"{_('Valid')}: {window}")
    if rule.retired_from is not None:
        line(say(msg("Retired from {date}", date=rule.retired_from.isoformat())))
    line(
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
        line(
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
    """Rule versions, filtered by drafting institution, status (draft, submitted, approved,
    rejected, withdrawn, retired) and programme."""
    query = ListRules(institution=institution, status=status, programme=programme)
    with unit_of_work() as uow:
        found = [RuleRead.of(rule) for rule in views.list_rules(query, principal=OPERATOR, uow=uow)]
    if as_json:
        print_json(found)
        return
    if not found:
        line(say(msg("No rule matches")))
        return
    for rule in found:
        until = rule.retired_from or rule.valid_until
        window = f"{rule.valid_from.isoformat()}/{until.isoformat() if until else ''}"
        line(
            f"{rule.id}  {_rule_label(rule)}  {say(RULE_STATUS_WORDS[rule.status])}  "
            f"{rule.programme}  {rule.institution}  {window}  {rule.name}"
        )


@rules_app.command("show")
def show_rule(
    rule_id: Annotated[int, typer.Argument(help="The rule version's id.")],
    as_json: JsonOption = False,
) -> None:
    """A rule version: sources, targets, conditions, validity, author and history."""
    with unit_of_work() as uow:
        rule = RuleRead.of(views.show_rule(ShowRule(rule_id), principal=OPERATOR, uow=uow))
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
    """Draft a conversion rule (or the next version of its code) from a TOML or JSON file in the
    shape of `POST /api/v1/rules`; `--as` must be a registrar of the drafting institution or a
    bank administrator. An open draft of the same code is withdrawn in its favour."""
    body = read_definition(
        file, RuleCreate, msg("{file} is not a valid rule definition", file=file.name)
    )
    command = DraftRule(body.institution, body.draft())
    rule = RuleRead.of(
        act(acting, lambda uow, who: rules.draft_rule(command, principal=who, uow=uow))
    )
    if as_json:
        print_json(rule)
        return
    _print_rule_status(rule)
    line(
        say(msg("Send it for approval with `creditbank rules submit {id} --as EMAIL`", id=rule.id))
    )


@rules_app.command("submit")
def submit_rule(
    rule_id: Annotated[int, typer.Argument(help="The draft's id.")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Send a draft to the bank for approval (a registrar of its institution, a bank
    administrator)."""
    command = SubmitRule(rule_id)
    rule = RuleRead.of(
        act(acting, lambda uow, who: rules.submit_rule(command, principal=who, uow=uow))
    )
    _show_rule_status(rule, as_json=as_json)


@rules_app.command("approve")
def approve_rule(
    rule_id: Annotated[int, typer.Argument(help="The submitted version's id.")],
    acting: AsOption,
    note: Annotated[str, typer.Option("--note", help="A note kept with the approval.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Approve a submitted version (a bank administrator other than its author: four eyes; the
    author is refused with exit 1); logged in the ledger."""
    command = ApproveRule(rule_id, note)
    rule = RuleRead.of(
        act(acting, lambda uow, who: rules.approve_rule(command, principal=who, uow=uow))
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
    command = RejectRule(rule_id, reason)
    rule = RuleRead.of(
        act(acting, lambda uow, who: rules.reject_rule(command, principal=who, uow=uow))
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
    """Retire an approved version: requests from DATE on no longer use it; logged."""
    effective = required_date(effective_on, "--from")
    command = RetireRule(rule_id, effective, reason)
    rule = RuleRead.of(
        act(acting, lambda uow, who: rules.retire_rule(command, principal=who, uow=uow))
    )
    if as_json:
        print_json(rule)
        return
    _print_rule_status(rule)
    line(say(msg("Retired from {date}", date=effective.isoformat())))


GROUPS = ((programmes_app, "programmes"), (rules_app, "rules"), (conversions_app, "conversions"))
"""The command groups :mod:`creditbank.cli.main` registers; ``top_level`` (``progress``,
``convert``) it adds to the main level."""

__all__ = ["GROUPS", "top_level"]
