"""``creditbank alliances join|approve|leave|list``: the alliances of banks this bank joins.

Joining, approving and leaving act as a named bank administrator (``--as``): four eyes need two
real people, and joining and leaving are logged with their actor. Listing reads as the server's
operator (:data:`creditbank.access.policy.OPERATOR`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.alliances import membership, views
from creditbank.alliances.commands import ApproveJoining, JoinAlliance, LeaveAlliance, ListAlliances
from creditbank.alliances.model import AllianceStatus
from creditbank.alliances.schemas import AllianceRead
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    in_language,
    parse_date,
    print_history,
    print_json,
    print_line,
    print_result,
    print_table,
    required_date,
    say,
    unit_of_work,
)
from creditbank.messages import msg

alliances_app = typer.Typer(
    help="Alliances of credit banks this bank joins (four eyes, logged).", no_args_is_help=True
)

AllianceArgument = Annotated[str, typer.Argument(help="The alliance's id, or its code.")]


def _show(alliance: AllianceRead) -> None:
    until = alliance.agreement.valid_until.isoformat() if alliance.agreement.valid_until else "…"
    print_line(
        f"{alliance.id}  {alliance.code}  {in_language(alliance.name, alliance.name_en)}  "
        f"{alliance.status.value}  v{alliance.version}"
    )
    print_line(f"{_('Other members')}: {', '.join(alliance.members)}", indent=2)
    print_line(
        f"{_('Agreement')}: {','.join(alliance.agreement.frameworks)} / "
        f"{','.join(alliance.agreement.item_kinds)}  "
        f"{alliance.agreement.valid_from.isoformat()}–{until}",
        indent=2,
    )
    print_history(alliance.events, alliance.receipt)


@alliances_app.command("join")
def join_alliance(
    code: Annotated[str, typer.Argument(help="The alliance's code.")],
    acting: AsOption,
    name: Annotated[str, typer.Option("--name", help="The alliance's name.")],
    member: Annotated[
        list[str], typer.Option("--member", help="Another member bank's log origin (repeatable).")
    ],
    valid_from: Annotated[str, typer.Option("--valid-from", help="First day of the agreement.")],
    name_en: Annotated[str, typer.Option("--name-en", help="Its English name.")] = "",
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="Last day of the agreement.")
    ] = None,
    framework: Annotated[
        list[str] | None, typer.Option("--framework", help="A framework covered (repeatable).")
    ] = None,
    item_kind: Annotated[
        list[str] | None, typer.Option("--item-kind", help="An item kind covered (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Propose that this bank join an alliance (a bank administrator; another one approves)."""
    command = JoinAlliance(
        code=code,
        name=name,
        name_en=name_en,
        members=tuple(member),
        frameworks=tuple(framework or ()),
        item_kinds=tuple(item_kind or ()),
        valid_from=required_date(valid_from, "--valid-from"),
        valid_until=parse_date(valid_until, "--valid-until"),
    )
    change = act(acting, lambda uow, who: membership.join_alliance(command, principal=who, uow=uow))
    print_result(AllianceRead.of_change(change), _show, as_json=as_json)


@alliances_app.command("approve")
def approve_joining(
    alliance: AllianceArgument, acting: AsOption, as_json: JsonOption = False
) -> None:
    """Approve this bank's joining (a bank administrator other than its proposer); logged."""
    command = ApproveJoining(alliance)
    change = act(
        acting, lambda uow, who: membership.approve_joining(command, principal=who, uow=uow)
    )
    print_result(AllianceRead.of_change(change), _show, as_json=as_json)


@alliances_app.command("leave")
def leave_alliance(
    alliance: AllianceArgument,
    acting: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why this bank leaves.")],
    as_json: JsonOption = False,
) -> None:
    """Leave an alliance this bank joined (one bank administrator, with a reason); logged."""
    command = LeaveAlliance(alliance, reason)
    change = act(
        acting, lambda uow, who: membership.leave_alliance(command, principal=who, uow=uow)
    )
    print_result(AllianceRead.of_change(change), _show, as_json=as_json)


@alliances_app.command("list")
def list_alliances(
    status: Annotated[
        AllianceStatus | None, typer.Option("--status", help="proposed, joined or left.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The bank's alliances: each one's id, code, status and members."""
    with unit_of_work() as uow:
        found = [
            AllianceRead.of_alliance(a)
            for a in views.list_alliances(ListAlliances(status), principal=OPERATOR, uow=uow)
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        print_line(say(msg("No alliance")))
        return
    print_table(
        [_("Id"), _("Code"), _("Name"), _("Status"), _("Other members")],
        [
            [
                str(a.id),
                a.code,
                in_language(a.name, a.name_en),
                a.status.value,
                ", ".join(a.members),
            ]
            for a in found
        ],
    )


GROUPS = ((alliances_app, "alliances"),)
"""The command groups :mod:`creditbank.cli.main` registers."""
