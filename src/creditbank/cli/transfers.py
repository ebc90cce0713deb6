"""Moving a learner's record between banks from the command line: ``creditbank transfer ...``
and ``creditbank recognition ...``.

``transfer export`` makes a signed package of a learner's outcomes for a peer bank (as a staff
user with the learner's consent, ``--as``, or as the bank's operator without it); ``transfer
import`` hands a package (a file, or its one-time link) over for a learner at this bank.
``recognition list`` shows the imported outcomes awaiting a decision, ``recognition decide``
takes one, ``recognition recheck`` asks the sources again whether they still stand. The same
handlers as the HTTP API, the same refusals.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.accounts.api import PersonalDataCipher
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    act,
    acting,
    fail,
    print_line,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.messages import msg
from creditbank.settings import get_settings
from creditbank.transfers import importing, packages, recognition, terms, views
from creditbank.transfers.commands import (
    DecideRecognition,
    ImportTransfer,
    ListRecognitions,
    MakeTransferPackage,
    NewLearner,
    RecheckTransfers,
    SetRecognitionTerms,
)
from creditbank.transfers.model import Decision, ImportStatus
from creditbank.transfers.schemas import (
    ImportedOutcomeRead,
    RecheckRead,
    RecognitionTermsRead,
    TransferRead,
)

transfer_app = typer.Typer(
    help="Move a learner's record to a peer bank: export a package, import one.",
    no_args_is_help=True,
)
recognition_app = typer.Typer(
    help="Recognise (or refuse) outcomes imported from peer banks.", no_args_is_help=True
)
OptionalAs = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of the staff user who acts (checked against the policy)."),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _cipher() -> PersonalDataCipher:
    return PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())


@transfer_app.command("export")
def export(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    to: Annotated[str, typer.Option("--to", help="The peer bank's log origin.")],
    outcomes: Annotated[
        str | None, typer.Option(help="Comma-separated outcome ids (default: all standing).")
    ] = None,
    link: Annotated[bool, typer.Option("--link", help="Print a one-time link instead.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    user: OptionalAs = None,
) -> None:
    """Make a signed transfer package of a learner's outcomes for a peer bank."""
    chosen = tuple(o.strip() for o in (outcomes or "").split(",") if o.strip())
    command = MakeTransferPackage(number, to, chosen, link=link)
    with unit_of_work() as uow:
        principal = OPERATOR if user is None else acting(uow, user)
        made = packages.make_transfer_package(
            command, principal=principal, uow=uow, now=_now(), cipher=_cipher()
        )
    text = made.link if made.link is not None else json.dumps(made.package, ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
        print_line(say(msg("Written to {path}", path=str(output))))


def _render_transfer(transfer: TransferRead) -> None:
    print_line(
        say(
            msg(
                "Imported {count} outcomes from {peer} into account {number}: transfer {id}",
                count=len(transfer.outcomes),
                peer=transfer.source,
                number=transfer.account_number,
                id=transfer.id,
            )
        )
    )
    _render_outcomes(transfer.outcomes)


def _render_outcomes(outcomes: list[ImportedOutcomeRead]) -> None:
    print_table(
        ["id", "account", "source", "item", "level", "credits", "status"],
        [
            (
                one.id,
                one.account_number,
                one.source,
                f"{one.source_institution}:{one.item_code} {one.item_name}",
                f"{one.framework}:{one.level}",
                "" if one.credits is None else str(one.credits),
                one.status.value,
            )
            for one in outcomes
        ],
    )


@transfer_app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="The package's file, or its one-time link.")],
    user: AsOption,
    account: Annotated[str, typer.Option("--account", help="The learner's account here.")] = "",
    id_number: Annotated[
        str | None,
        typer.Option("--id-number", help="Or open one: the learner's identity number."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="With --id-number: the learner's name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a transfer package from a peer bank for a learner of this bank (or open the
    learner's account here first, with --id-number and --name)."""
    new = None
    if id_number is not None:
        if not name:
            fail(say(msg("--id-number needs --name")))
        new = NewLearner(id_number, name)
    elif not account:
        fail(say(msg("name the learner's account (--account), or open one (--id-number)")))
    if source.startswith(("https://", "http://")):
        command = ImportTransfer(account, url=source, new_learner=new)
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as error:
            fail(say(msg("cannot read {path}: {detail}", path=source, detail=error.strerror)))
        command = ImportTransfer(account, package=text, new_learner=new)
    transfer = act(
        user,
        lambda uow, principal: importing.import_transfer(
            command, principal=principal, uow=uow, now=_now(), cipher=_cipher()
        ),
    )
    print_result(TransferRead.of(transfer), _render_transfer, as_json=as_json)


@recognition_app.command("list")
def list_(
    user: AsOption,
    status: Annotated[
        str, typer.Option(help="pending, recognised, refused, source_revoked or all.")
    ] = "pending",
    account: Annotated[str | None, typer.Option(help="One learner's account.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Imported outcomes awaiting a recognition decision (or of another status)."""
    try:
        wanted = None if status == "all" else ImportStatus(status)
    except ValueError:
        fail(say(msg("--status is pending, recognised, refused, source_revoked or all")))
    found = act(
        user,
        lambda uow, principal: views.list_recognitions(
            ListRecognitions(wanted, account), principal=principal, uow=uow
        ),
    )
    print_result([ImportedOutcomeRead.of(one) for one in found], _render_outcomes, as_json=as_json)


@recognition_app.command("decide")
def decide(
    imported: Annotated[str, typer.Argument(help="The imported outcome's id.")],
    decision: Annotated[str, typer.Argument(help="recognise or refuse.")],
    user: AsOption,
    institution: Annotated[
        str | None, typer.Option(help="The recognising institution (default: yours).")
    ] = None,
    framework: Annotated[str | None, typer.Option(help="This bank's framework.")] = None,
    level: Annotated[str | None, typer.Option(help="The level in that framework.")] = None,
    reason: Annotated[str, typer.Option(help="Why (required to refuse).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Recognise an imported outcome (deposited here at a level of this bank) or refuse it."""
    try:
        chosen = Decision(decision)
    except ValueError:
        fail(say(msg("the decision is recognise or refuse")))
    command = DecideRecognition(imported, chosen, institution, framework, level, reason)
    decided = act(
        user,
        lambda uow, principal: recognition.decide_recognition(
            command, principal=principal, uow=uow, now=_now()
        ),
    )

    def render(one: ImportedOutcomeRead) -> None:
        print_line(
            say(
                msg(
                    "Imported outcome {id}: {status}, at {level}; outcome here: {outcome}",
                    id=one.id,
                    status=one.status.value,
                    level=f"{one.target_framework or one.framework}:"
                    f"{one.target_level or one.level}",
                    outcome=one.outcome or "-",
                )
            )
        )

    print_result(ImportedOutcomeRead.of(decided), render, as_json=as_json)


@recognition_app.command("recheck")
def recheck(
    user: AsOption,
    source: Annotated[str | None, typer.Option(help="One peer bank's origin.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Ask each source bank again whether the imported outcomes still stand."""
    found = act(
        user,
        lambda uow, principal: recognition.recheck_transfers(
            RecheckTransfers(source), principal=principal, uow=uow, now=_now()
        ),
    )

    def render(answer: RecheckRead) -> None:
        print_line(
            say(
                msg(
                    "Checked {checked}; revoked at their source: {revoked}; "
                    "status not available: {unobtainable}",
                    checked=answer.checked,
                    revoked=", ".join(answer.revoked) or "-",
                    unobtainable=answer.unobtainable,
                )
            )
        )

    print_result(RecheckRead.of(found), render, as_json=as_json)


@recognition_app.command("terms")
def set_terms(
    source: Annotated[str, typer.Argument(help="The peer bank's log origin.")],
    institution: Annotated[str, typer.Option(help="The institution here that recognises.")],
    user: AsOption,
    automatic: Annotated[
        bool, typer.Option("--automatic", help="Recognise on import, without a decision.")
    ] = False,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="The peer's level and this bank's: FW:LEVEL=FW:LEVEL."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set what this bank recognises from a peer bank, and how (bank administrators)."""
    pairs = []
    for given in mapping or []:
        origin, equals, target = given.partition("=")
        if not equals:
            fail(say(msg("--map takes FW:LEVEL=FW:LEVEL, not {given}", given=given)))
        pairs.append((origin, target))
    command = SetRecognitionTerms(source, institution, automatic, tuple(pairs))
    found = act(
        user,
        lambda uow, principal: terms.set_recognition_terms(
            command, principal=principal, uow=uow, now=_now()
        ),
    )

    def render(answer: RecognitionTermsRead) -> None:
        print_line(
            say(
                msg(
                    "From {peer}: recognised by {institution}, automatically: {automatic}",
                    peer=answer.source,
                    institution=answer.institution,
                    automatic=answer.automatic,
                )
            )
        )
        for origin, target in sorted(answer.mapping.items()):
            print_line(f"{origin} -> {target}", indent=2)

    print_result(RecognitionTermsRead.of(found), render, as_json=as_json)


GROUPS = ((transfer_app, "transfer"), (recognition_app, "recognition"))
