"""``creditbank deposit|account|learners``: bulk deposit, learners' accounts, learners' access
to the web pages.

``deposit import`` and the ``learners`` commands are the bank office's: they take no ``--as``,
the server's operator acts (:data:`creditbank.access.policy.OPERATOR`). ``account show`` reads
as the operator too; its personal data only as the bank administrator named by ``--user``,
which the learner's audit trail records.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.accounts import deposits, learners, views
from creditbank.accounts.bulk import BatchStatus, render_errors
from creditbank.accounts.commands import ImportBatch, ReadPersonalData, ShowAccount
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.outcomes import Outcome
from creditbank.accounts.schemas import AccountRead, BatchRead, OutcomeRead, PersonalDataRead
from creditbank.bootstrap import open_database
from creditbank.cli.common import (
    JsonOption,
    _,
    acting,
    err,
    fail,
    out,
    print_json,
    say,
    state,
    unit_of_work,
)
from creditbank.errors import DomainError
from creditbank.file_limits import limits_of
from creditbank.messages import msg
from creditbank.sessions import handlers as sessions
from creditbank.sessions.commands import IssueActivationCode, SetLearnerPassword
from creditbank.sessions.schemas import ActivationCodeRead
from creditbank.settings import get_settings

deposit_app = typer.Typer(help="Depositing learning outcomes.", no_args_is_help=True)
account_app = typer.Typer(help="Learners' personal learning accounts.", no_args_is_help=True)
learners_app = typer.Typer(
    help="Learners' access to their accounts on the web.", no_args_is_help=True
)


def _cipher() -> PersonalDataCipher:
    return PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())


@learners_app.command("set-password")
def set_learner_password(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Give a learner a web password (read from standard input, never from the command line);
    ends the learner's sessions."""
    if not password_stdin:
        fail(say(msg("give the password on standard input with --password-stdin")))
    password = sys.stdin.readline().rstrip("\n")
    command = SetLearnerPassword(account_number=number, password=password)
    with unit_of_work() as uow:
        sessions.set_learner_password(command, principal=OPERATOR, uow=uow, now=datetime.now(UTC))
    out.print(say(msg("Password set for {number}", number=number.strip().upper())))


@learners_app.command("activation")
def issue_activation_code(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    valid_days: Annotated[
        int, typer.Option("--valid-days", min=1, max=90, help="Days the code stays good.")
    ] = 14,
    as_json: JsonOption = False,
) -> None:
    """A one-time activation code (printed once, good for 14 days unless `--valid-days`) with
    which the learner chooses a password at `/activate`; a new code cancels the earlier ones."""
    command = IssueActivationCode(account_number=number, valid_for=timedelta(days=valid_days))
    with unit_of_work() as uow:
        issued = sessions.issue_activation_code(
            command, principal=OPERATOR, uow=uow, now=datetime.now(UTC)
        )
    if as_json:
        print_json(ActivationCodeRead.of(issued))
        return
    err.print(
        say(
            msg(
                "Give this code to the learner; it will not be shown again. It works once, "
                "at /activate, until {date}.",
                date=issued.expires_at.date().isoformat(),
            )
        ),
        highlight=False,
    )
    sys.stdout.write(issued.code + "\n")


@deposit_app.command("import")
def import_deposits(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON Lines file (columns: README).")],
    institution: Annotated[str, typer.Option("--institution", help="Depositing institution.")],
    file_format: Annotated[
        FileFormat | None, typer.Option("--format", help="Default: from the file's extension.")
    ] = None,
    submitted_by: Annotated[str, typer.Option(help="Who submits it (recorded).")] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Deposit a whole file of outcomes, all or nothing, with a progress count; prints the report
    and exits 1 when any row is bad."""
    if not file.is_file():
        fail(say(msg("{file} is not a file", file=str(file))))
    settings = get_settings()
    database = open_database(settings)
    cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    try:
        chosen = file_format or FileFormat.of(file.name)
        with (
            file.open("rb") as stream,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed} rows"),
                console=err,
                transient=True,
            ) as progress,
            database.unit_of_work() as uow,
        ):
            task = progress.add_task(file.name)
            command = ImportBatch(
                institution=institution,
                filename=file.name,
                file_format=chosen,
                rows=read_rows(stream, chosen, limits_of(settings)),
                submitted_by=submitted_by,
            )
            batch = deposits.import_batch(
                command,
                principal=OPERATOR,
                uow=uow,
                database=database,
                cipher=cipher,
                today=clock.today(),
                progress=lambda rows: progress.update(task, completed=rows),
            )
    except DomainError as error:
        fail(error.render(_))
    finally:
        database.dispose()
    if as_json:
        print_json(BatchRead.of(batch, _))
    else:
        out.print(
            say(
                msg(
                    "Batch {id}: {status}; {rows} rows, {deposited} deposited, {unchanged} already "
                    "there, {opened} accounts opened",
                    id=batch.id,
                    status=batch.status.value,
                    rows=batch.rows,
                    deposited=batch.deposited,
                    unchanged=batch.unchanged,
                    opened=batch.accounts_opened,
                )
            ),
            highlight=False,
        )
        if batch.errors:
            table = Table(_("Line"), _("Column"), _("Reason"))
            for line, column, reason in render_errors(batch, _):
                table.add_row(str(line), column, reason)
            err.print(table)
            if batch.error_count > len(batch.errors):
                err.print(
                    say(msg("... and {count} more", count=batch.error_count - len(batch.errors)))
                )
    if batch.status is BatchStatus.REJECTED:
        raise typer.Exit(1)


STATUS_WORDS = {
    OutcomeStatus.DEPOSITED: msg("deposited"),
    OutcomeStatus.VERIFIED: msg("verified"),
    OutcomeStatus.SUPERSEDED: msg("superseded"),
    OutcomeStatus.REVOKED: msg("revoked"),
}
STATUS_STYLES = {
    OutcomeStatus.DEPOSITED: "",
    OutcomeStatus.VERIFIED: "green",
    OutcomeStatus.SUPERSEDED: "yellow",
    OutcomeStatus.REVOKED: "red",
}


@account_app.command("show")
def show_account(
    number: Annotated[str, typer.Argument(help="The account number, e.g. CB012345678901.")],
    institution: Annotated[
        str | None, typer.Option("--institution", help="Only outcomes this institution issued.")
    ] = None,
    status: Annotated[
        OutcomeStatus | None, typer.Option("--status", help="Only outcomes with this status.")
    ] = None,
    with_personal_data: Annotated[
        bool,
        typer.Option(
            "--with-personal-data",
            help="Also show the learner's name and identity number (audited; needs --purpose "
            "and --user).",
        ),
    ] = False,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Why the personal data is read (audited).")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", help="E-mail of the bank administrator reading it (audited)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A learner's outcomes grouped by framework level (highest first) with their status, as the
    bank operator sees them (every institution's; `--institution` to narrow). No name or identity
    number unless `--with-personal-data`, which needs a bank administrator's `--user` and a
    `--purpose`, both written to the learner's access audit. `--json` prints the whole transcript
    as `GET /api/v1/accounts/{number}/outcomes` does (every page) plus `personal_data` (null
    unless asked for)."""
    if with_personal_data and (not purpose or not user):
        fail(say(msg("--with-personal-data needs --purpose and --user")))
    if not with_personal_data and (purpose or user):
        fail(say(msg("--purpose and --user go with --with-personal-data")))
    personal: PersonalDataRead | None = None
    query = ShowAccount(account_number=number, institution=institution, status=status)
    with unit_of_work() as uow:
        found = views.show_account(query, principal=OPERATOR, uow=uow, now=datetime.now(UTC))
        if with_personal_data and purpose and user:
            reading = ReadPersonalData(account_number=number, purpose=purpose)
            personal = PersonalDataRead.of(
                learners.read_personal_data(
                    reading, principal=acting(uow, user), uow=uow, cipher=_cipher()
                )
            )
    account = AccountRead(
        account_number=number.strip().upper(),
        outcomes=[OutcomeRead.of(o, state.language) for o in found],
        next_cursor=None,
        personal_data=personal,
    )
    if as_json:
        print_json(account)
        return
    _print_account(account, found)


def _print_account(account: AccountRead, found: list[Outcome]) -> None:
    out.print(
        say(
            msg(
                "Account {number}: {count} outcomes",
                number=account.account_number,
                count=len(found),
            )
        ),
        highlight=False,
    )
    if account.personal_data is not None:
        data = account.personal_data
        rows = [
            (_("Learner's name"), data.name),
            (_("Identity number"), f"{data.id_number} ({data.id_type})"),
            (_("Date of birth"), data.birth_date),
        ]
        for label, value in rows:
            if value:
                out.print(f"{label}: {value}", highlight=False)
    groups: dict[tuple[str, int, str], list[Outcome]] = {}
    for outcome in found:
        level = outcome.level
        groups.setdefault((level.framework, level.version, level.level.code), []).append(outcome)

    def order(key: tuple[str, int, str]) -> tuple[str, int, int]:
        level = groups[key][0].level
        return (level.framework, -level.version, -level.level.rank)  # highest level first

    for key in sorted(groups, key=order):
        level = groups[key][0].level
        table = Table(
            title=f"{level.framework} v{level.version} · {level.level.code} "
            f"{level.level.name.get(state.language)}",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column(_("Status"), no_wrap=True)
        table.add_column(_("Item"), overflow="fold")
        table.add_column(_("Issued by"), no_wrap=True)
        table.add_column(_("Record"), overflow="fold")
        table.add_column(_("Credits"), justify="right", no_wrap=True)
        table.add_column(_("Score"), justify="right", no_wrap=True)
        table.add_column(_("Assessed on"), no_wrap=True)
        for outcome in groups[key]:
            style = STATUS_STYLES[outcome.status]
            word = say(STATUS_WORDS[outcome.status])
            table.add_row(
                f"[{style}]{word}[/]" if style else word,
                (
                    f"{outcome.item_code} {outcome.item_name}"
                    if outcome.item_owner == outcome.institution
                    else f"{outcome.item_owner}:{outcome.item_code} {outcome.item_name}"
                ),
                outcome.institution,
                outcome.record_id,
                "" if outcome.credits is None else str(outcome.credits),
                "" if outcome.score is None else str(outcome.score),
                outcome.assessed_on.isoformat(),
            )
        out.print(table)
        for outcome in groups[key]:  # transferred credit: toward what, from what, in words
            if outcome.transfer is not None:
                out.print(
                    f"  {outcome.record_id}: "
                    + say(outcome.transfer.describe(outcome.credits, state.language)),
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )


# The ledger's commands (`log`, `witness`) live in their own module, which uses the helpers
# above and adds itself to `app`.


GROUPS = ((deposit_app, "deposit"), (account_app, "account"), (learners_app, "learners"))
