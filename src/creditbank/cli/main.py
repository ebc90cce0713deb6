"""The ``creditbank`` command line: thin commands over the same services as the API.

Read commands take ``--json`` and then print exactly what the HTTP API returns.
Messages go through the catalogs; ``--lang`` (or ``CREDITBANK_DEFAULT_LANGUAGE``)
chooses Chinese or English. A refused request prints why and exits with 1.
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
from creditbank.access.policy import Action, require
from creditbank.accounts import bulk, outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.schemas import AccountRead, BatchRead, OutcomeRead, PersonalDataRead
from creditbank.bootstrap import initialise, open_database
from creditbank.cli.common import (
    JsonOption,
    _,
    err,
    fail,
    out,
    print_json,
    say,
    state,
    unit_of_work,
)
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.file_limits import limits_of
from creditbank.institutions import service as institution_service
from creditbank.messages import msg
from creditbank.sessions import service as sessions
from creditbank.sessions.schemas import ActivationCodeRead
from creditbank.settings import Environment, get_settings
from creditbank.web.i18n import LANGUAGES
from creditbank.web.security import proxy_options

app = typer.Typer(help="creditbank: a credit bank for lifelong learning.", no_args_is_help=True)
deposit_app = typer.Typer(help="Depositing learning outcomes.", no_args_is_help=True)
app.add_typer(deposit_app, name="deposit")
account_app = typer.Typer(help="Learners' personal learning accounts.", no_args_is_help=True)
app.add_typer(account_app, name="account")
learners_app = typer.Typer(
    help="Learners' access to their accounts on the web.", no_args_is_help=True
)
app.add_typer(learners_app, name="learners")


@app.callback()
def main(
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of messages: zh or en.")
    ] = None,
) -> None:
    """creditbank: a credit bank for lifelong learning."""
    language = lang or get_settings().default_language
    if language not in LANGUAGES:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGUAGES)}")
    state.language = language


@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo", help="Also load demo data.")] = False,
) -> None:
    """Create or upgrade the database and install the built-in frameworks."""
    settings = get_settings()
    cipher = None
    if demo:
        if settings.environment is Environment.PRODUCTION:
            fail(say(msg("demo data (with a known password) is refused in production")))
        cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    database = open_database(settings)
    try:
        report = initialise(database, demo_cipher=cipher)
    except DomainError as error:
        fail(error.render(_))
    finally:
        database.dispose()
    out.print(say(msg("Database ready: {url}", url=_redacted(settings.database_url))))
    out.print(
        say(
            msg(
                "Frameworks added: {frameworks}; crosswalks added: {crosswalks}",
                frameworks=", ".join(report.frameworks_added) or "-",
                crosswalks=", ".join(report.crosswalks_added) or "-",
            )
        )
    )
    if report.demo is not None and not report.demo.loaded:
        out.print(say(msg("The demo bank is loaded already; nothing added.")))
    elif report.demo is not None:
        out.print(
            say(
                msg(
                    "Demo bank loaded: {institutions} institutions, {items} catalogue items, "
                    "{learners} learners, {outcomes} outcomes.",
                    institutions=report.demo.institutions,
                    items=report.demo.items,
                    learners=report.demo.learners,
                    outcomes=report.demo.outcomes,
                )
            )
        )
        out.print(
            say(
                msg(
                    "Demo staff (password {password}): {users}",
                    password=report.demo.password,
                    users=", ".join(report.demo.users_added),
                )
            )
        )
        out.print(
            say(
                msg(
                    "Demo learner (same password): account {account}",
                    account=report.demo.learner_account,
                )
            )
        )


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the web pages and the API."""
    import uvicorn  # noqa: PLC0415

    settings = get_settings()
    uvicorn.run(
        "creditbank.bootstrap:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        **proxy_options(settings),
    )


@learners_app.command("set-password")
def set_learner_password(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Give a learner a web password (the bank office does, on request); ends their sessions."""
    if not password_stdin:
        fail(say(msg("give the password on standard input with --password-stdin")))
    password = sys.stdin.readline().rstrip("\n")
    with unit_of_work() as uow:
        sessions.set_learner_password(
            uow=uow, account_number=number, password=password, now=datetime.now(UTC)
        )
    out.print(say(msg("Password set for {number}", number=number.strip().upper())))


@learners_app.command("activation")
def issue_activation_code(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    valid_days: Annotated[
        int, typer.Option("--valid-days", min=1, max=90, help="Days the code stays good.")
    ] = 14,
    as_json: JsonOption = False,
) -> None:
    """Issue a one-time code with which the learner chooses a password at /activate."""
    with unit_of_work() as uow:
        issued = sessions.issue_activation_code(
            uow=uow,
            account_number=number,
            valid_for=timedelta(days=valid_days),
            now=datetime.now(UTC),
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
    """Deposit a whole file, all or nothing; exits with 1 and the report when any row is bad."""
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
        ):
            task = progress.add_task(file.name)
            batch = bulk.import_batch(
                database=database,
                cipher=cipher,
                institution=institution,
                submitted_by=submitted_by,
                filename=file.name,
                file_format=chosen,
                rows=read_rows(stream, chosen, limits_of(settings)),
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
            for line, column, reason in bulk.render_errors(batch, _):
                table.add_row(str(line), column, reason)
            err.print(table)
            if batch.error_count > len(batch.errors):
                err.print(
                    say(msg("... and {count} more", count=batch.error_count - len(batch.errors)))
                )
    if batch.status is bulk.BatchStatus.REJECTED:
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


def _every_outcome(
    uow: UnitOfWork, number: str, institution: str | None, status: OutcomeStatus | None
) -> list[outcomes.Outcome]:
    found: list[outcomes.Outcome] = []
    after: int | None = None
    while True:
        page = outcomes.transcript(
            uow=uow,
            account_number=number,
            issued_by=institution,
            status=status,
            after=after,
            limit=outcomes.MAX_PAGE,
        )
        found += page.outcomes
        if page.next_cursor is None:
            return found
        after = page.next_cursor


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
    """A learner's outcomes grouped by framework level, with their status. Personal data only
    with --with-personal-data, which is written to the learner's audit trail."""
    if with_personal_data and (not purpose or not user):
        fail(say(msg("--with-personal-data needs --purpose and --user")))
    if not with_personal_data and (purpose or user):
        fail(say(msg("--purpose and --user go with --with-personal-data")))
    personal: PersonalDataRead | None = None
    with unit_of_work() as uow:
        found = _every_outcome(uow, number, institution, status)
        if with_personal_data and purpose and user:
            reader = institution_service.principal_for(uow=uow, email=user)
            require(reader, Action.READ_PERSONAL_DATA, None)
            settings = get_settings()
            cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
            personal = PersonalDataRead.of(
                accounts.read_personal_data(
                    uow=uow, cipher=cipher, number=number, user_id=reader.user_id, purpose=purpose
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


def _print_account(account: AccountRead, found: list[outcomes.Outcome]) -> None:
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
    groups: dict[tuple[str, int, str], list[outcomes.Outcome]] = {}
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
from creditbank.cli import (  # noqa: E402 - the command groups, registered last
    accreditation,
    catalog,
    conversion,
    credentials,
    frameworks,
    institutions,
    log,
    standards,
    xcert,
)

for _module in (
    institutions,
    frameworks,
    catalog,
    accreditation,
    conversion,
    credentials,
    log,
    standards,
    xcert,
):
    for _group, _group_name in _module.GROUPS:
        app.add_typer(_group, name=_group_name)
    _top_level: typer.Typer | None = getattr(_module, "top_level", None)
    if _top_level is not None:
        app.registered_commands.extend(_top_level.registered_commands)
