"""``creditbank national counts|send|receive|register-school|schools|batches``: the national
platform's figures and batches of references, and a regional bank sending its own.

The figures are public and read as nobody; receiving a batch file is authenticated by the
batch's signature, as over HTTP; registering a pilot school and sending this bank's batch act as
a named bank administrator (``--as``); the lists read as the server's operator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    fail,
    print_json,
    print_line,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.messages import msg
from creditbank.national import counting, receiving, sending
from creditbank.national.commands import (
    CountResults,
    ListBatches,
    ListSchools,
    ReceiveBatch,
    RegisterSchool,
    SendReferences,
)
from creditbank.national.schemas import BatchRead, CountsRead, SchoolRead, SentRead
from creditbank.settings import get_settings

national_app = typer.Typer(
    help="The national platform: references from regional banks and pilot schools, and the "
    "figures they answer.",
    no_args_is_help=True,
)
MAX_BATCH_BYTES = 4 << 20


def _show_counts(counts: CountsRead) -> None:
    print_line(say(msg("In all: {count}", count=counts.total.shown)))
    if counts.by_bank:
        print_table([_("Bank"), _("Results")], [[row.bank, row.shown] for row in counts.by_bank])
    if counts.by_year:
        print_table(
            [_("Year"), _("Results")], [[str(row.year), row.shown] for row in counts.by_year]
        )
    print_line(
        say(
            msg(
                "Counts below {n} are shown as <{n}; x hides a count from which a small one "
                "could be worked out.",
                n=counts.suppress_below,
            )
        ),
        indent=0,
    )


@national_app.command("counts")
def counts(
    kind: Annotated[
        str | None, typer.Option("--kind", help="An item kind, e.g. x_certificate.")
    ] = None,
    item: Annotated[str | None, typer.Option("--item", help="OWNER/CODE of an item.")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="FRAMEWORK:CODE or FRAMEWORK@VERSION:CODE.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="The year assessed.")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="A bank's log origin.")] = None,
    as_json: JsonOption = False,
) -> None:
    """How many results all banks' references hold, by bank and by year (small counts
    suppressed)."""
    threshold = get_settings().national_suppress_below
    with unit_of_work() as uow:
        found = counting.count_results(
            CountResults(kind=kind, item=item, level=level, year=year, bank=bank),
            principal=None,
            uow=uow,
            suppress_below=threshold,
        )
        shown = CountsRead.of(found)
    print_result(shown, _show_counts, as_json=as_json)


def _show_sent(sent: SentRead) -> None:
    print_line(
        say(
            msg(
                "Sent {count} references and {withdrawals} withdrawals (leaves {first} to "
                "{last}) to {target}",
                count=sent.references,
                withdrawals=sent.withdrawals,
                first=sent.first_leaf,
                last=sent.last_leaf,
                target=sent.target,
            )
        )
    )


@national_app.command("send")
def send(
    acting: AsOption,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="URL",
            help="The national bank's URL (default: CREDITBANK_NATIONAL_URL).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Send the national bank the references deposited since the last batch sent there."""
    url = to or get_settings().national_url
    if not url:
        fail(say(msg("name the national bank with --to or CREDITBANK_NATIONAL_URL")))
    command = SendReferences(url)
    sent = act(acting, lambda uow, who: sending.send_references(command, principal=who, uow=uow))
    print_result(SentRead.of(sent), _show_sent, as_json=as_json)


def _show_batch(batch: BatchRead) -> None:
    print_line(
        say(
            msg(
                "Batch {id} from {sender}: {count} references, {new} new",
                id=batch.id,
                sender=batch.sender,
                count=batch.references,
                new=batch.new_references,
            )
        )
    )


@national_app.command("receive")
def receive(
    file: Annotated[Path, typer.Argument(help="A signed batch (JSON) handed over as a file.")],
    as_json: JsonOption = False,
) -> None:
    """Take a signed batch of references from a file (checked as over HTTP)."""
    try:
        body = file.read_bytes()
    except OSError as error:
        fail(say(msg("cannot read {file}: {reason}", file=str(file), reason=error.strerror or "")))
    if len(body) > MAX_BATCH_BYTES:
        fail(
            say(
                msg("a batch may be at most {n} bytes; send the rest in another", n=MAX_BATCH_BYTES)
            )
        )
    with unit_of_work() as uow:
        receipt = receiving.receive_batch(ReceiveBatch(body), principal=None, uow=uow)
    print_result(BatchRead.of(receipt), _show_batch, as_json=as_json)


@national_app.command("register-school")
def register_school(
    code: Annotated[str, typer.Argument(help="The school's code.")],
    acting: AsOption,
    name: Annotated[str, typer.Option("--name", help="The school's name.")],
    origin: Annotated[str, typer.Option("--origin", help="The origin its references name.")],
    key: Annotated[str, typer.Option("--key", help="Its signed-note verifier key (Ed25519).")],
    as_json: JsonOption = False,
) -> None:
    """Register a pilot school and the key its batches are signed with."""
    command = RegisterSchool(code, name, origin, key)
    school = act(
        acting, lambda uow, who: receiving.register_school(command, principal=who, uow=uow)
    )
    print_result(
        SchoolRead.of(school),
        lambda s: print_line(f"{s.code}  {s.origin}  {s.name}"),
        as_json=as_json,
    )


@national_app.command("schools")
def schools(as_json: JsonOption = False) -> None:
    """The pilot schools registered to send batches."""
    with unit_of_work() as uow:
        found = [
            SchoolRead.of(s)
            for s in receiving.list_schools(ListSchools(), principal=OPERATOR, uow=uow)
        ]
    if as_json:
        print_json(found)
        return
    print_table([_("Code"), _("Origin"), _("Name")], [[s.code, s.origin, s.name] for s in found])


@national_app.command("batches")
def batches(
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
    as_json: JsonOption = False,
) -> None:
    """The batches received, the newest first."""
    with unit_of_work() as uow:
        found = [
            BatchRead.of(b)
            for b in receiving.list_batches(ListBatches(limit), principal=OPERATOR, uow=uow)
        ]
    if as_json:
        print_json(found)
        return
    print_table(
        [_("Id"), _("Sender"), _("References"), _("New"), _("Received")],
        [
            [
                str(b.id),
                b.sender,
                str(b.references),
                str(b.new_references),
                b.received_at.isoformat(),
            ]
            for b in found
        ],
    )


GROUPS = ((national_app, "national"),)
"""The command groups :mod:`creditbank.cli.main` registers."""
