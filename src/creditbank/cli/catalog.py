"""``creditbank catalog ...``: who may issue a catalogue item (grants), from the console.

These commands take no ``--as``: the server's operator acts as the bank's administrator
(:data:`creditbank.access.policy.OPERATOR`), and ``--by`` names who is recorded.
"""

from __future__ import annotations

from typing import Annotated

import typer

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.catalog import handlers
from creditbank.catalog.commands import GrantItem, ListGrants, WithdrawGrant
from creditbank.catalog.model import GrantWindow
from creditbank.catalog.schemas import GrantRead
from creditbank.cli.common import JsonOption, out, parse_date, print_result, say, unit_of_work
from creditbank.messages import msg

catalog_app = typer.Typer(help="The catalogue and who may issue its items.", no_args_is_help=True)


def _print_grant(grant: GrantRead) -> None:
    window = GrantWindow(grant.valid_from, grant.valid_until)
    withdrawn = (
        say(msg("withdrawn {date}", date=grant.withdrawn_at.date().isoformat()))
        if grant.withdrawn_at
        else ""
    )
    item = f"{grant.owner}:{grant.item_code}"
    out.print(f"{grant.id}  {item} → {grant.institution}  {window}  {withdrawn}", highlight=False)


@catalog_app.command("grant")
def grant_item(
    item_code: Annotated[str, typer.Argument(help="The item's code in its owner's catalogue.")],
    owner: Annotated[str, typer.Option("--owner", help="The institution that owns the item.")],
    to: Annotated[str, typer.Option("--to", help="The institution accredited to issue it.")],
    valid_from: Annotated[
        str | None,
        typer.Option("--from", help="First assessment date covered (default: today)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last assessment date covered (default: open-ended)."),
    ] = None,
    by: Annotated[str, typer.Option(metavar="WHO", help="Who grants it (recorded).")] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Accredit institution `--to` to issue `--owner`'s item for assessments from `--from`
    (default today) to `--until` (default open-ended), e.g. a pilot school an X certificate: it
    may then deposit outcomes of the item assessed within the dates."""
    start = parse_date(valid_from, "--from") or clock.today()
    end = parse_date(until, "--until")
    command = GrantItem(
        owner=owner, code=item_code, grantee=to, valid_from=start, valid_until=end, by=by
    )
    with unit_of_work() as uow:
        grant = GrantRead.of(handlers.grant_item(command, principal=OPERATOR, uow=uow))

    def render(grant: GrantRead) -> None:
        out.print(
            say(
                msg(
                    "Grant {id}: {institution} may issue {owner}:{code} for assessments in "
                    "{window}",
                    id=grant.id,
                    institution=grant.institution,
                    owner=grant.owner,
                    code=grant.item_code,
                    window=str(GrantWindow(start, end)),
                )
            ),
            highlight=False,
        )

    print_result(grant, render, as_json=as_json)


@catalog_app.command("grants")
def list_grants(
    item_code: Annotated[str, typer.Argument(help="The item's code in its owner's catalogue.")],
    owner: Annotated[str, typer.Option("--owner", help="The institution that owns the item.")],
    as_json: JsonOption = False,
) -> None:
    """Every grant of an item, withdrawn ones too."""
    with unit_of_work() as uow:
        found = [
            GrantRead.of(g)
            for g in handlers.list_grants(ListGrants(owner, item_code), principal=OPERATOR, uow=uow)
        ]
    print_result(found, lambda found: _print_grants(item_code, found), as_json=as_json)


def _print_grants(item_code: str, found: list[GrantRead]) -> None:
    if not found:
        out.print(say(msg("No institution is accredited to issue {code}", code=item_code)))
    for grant in found:
        _print_grant(grant)


@catalog_app.command("withdraw-grant")
def withdraw_grant(
    grant_id: Annotated[int, typer.Argument(help="The grant's id (from `catalog grants`).")],
    by: Annotated[str, typer.Option(metavar="WHO", help="Who withdraws it (recorded).")] = "cli",
    as_json: JsonOption = False,
) -> None:
    """Withdraw a grant: no more deposits under it; the grant is kept with when and by whom."""
    with unit_of_work() as uow:
        withdrawn = handlers.withdraw_grant(
            WithdrawGrant(grant_id, by), principal=OPERATOR, uow=uow
        )
    print_result(GrantRead.of(withdrawn), _print_grant, as_json=as_json)


GROUPS = ((catalog_app, "catalog"),)
