"""``creditbank peers add|approve|list|show|remove``: the bank's trust list of peer banks.

Adding, approving and removing act as a named bank administrator (``--as``): four eyes need two
real people, and each step is logged with its actor. Listing and showing read as the server's
operator (:data:`creditbank.access.policy.OPERATOR`), as the console's other lists do.
"""

from __future__ import annotations

from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
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
from creditbank.peers import trust, views
from creditbank.peers.commands import AddPeer, ApprovePeer, ListPeers, RemovePeer, ShowPeer
from creditbank.peers.model import PeerStatus
from creditbank.peers.schemas import PeerDetailRead, PeerRead

peers_app = typer.Typer(
    help="Peer banks this bank trusts (four eyes, logged).", no_args_is_help=True
)

PeerArgument = Annotated[str, typer.Argument(help="The peer's id, or its log origin.")]


def _show(peer: PeerRead) -> None:
    until = peer.agreement.valid_until.isoformat() if peer.agreement.valid_until else "…"
    print_line(f"{peer.id}  {peer.origin}  {peer.status.value}  v{peer.version}")
    print_line(f"{_('DID')}: {peer.did}  {_('URL')}: {peer.url}", indent=2)
    log_key, witness = say(msg("Log key")), say(msg("Witness"))
    print_line(f"{log_key}: {peer.log_key}", indent=2)
    print_line(f"{witness}: {peer.witness_url}  {peer.witness_key}", indent=2)
    print_line(
        f"{_('Agreement')}: {','.join(peer.agreement.frameworks)} / "
        f"{','.join(peer.agreement.item_kinds)} / {','.join(peer.agreement.institutions)}  "
        f"{peer.agreement.valid_from.isoformat()}–{until}",
        indent=2,
    )
    print_history(peer.events, peer.receipt)


@peers_app.command("add")
def add_peer(
    origin: Annotated[str, typer.Argument(help="The peer's log origin, e.g. bank-a.example/log.")],
    acting: AsOption,
    log_key: Annotated[str, typer.Option("--log-key", help="Its log's verifier key.")],
    did: Annotated[str, typer.Option("--did", help="Its DID, e.g. did:web:bank-a.example.")],
    url: Annotated[str, typer.Option("--url", help="Its public URL.")],
    witness_url: Annotated[str, typer.Option("--witness-url", help="Its witness's URL.")],
    witness_key: Annotated[
        str, typer.Option("--witness-key", help="Its witness's cosignature verifier key.")
    ],
    valid_from: Annotated[str, typer.Option("--valid-from", help="First day of the agreement.")],
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="Last day of the agreement.")
    ] = None,
    framework: Annotated[
        list[str] | None, typer.Option("--framework", help="A framework recognised (repeatable).")
    ] = None,
    item_kind: Annotated[
        list[str] | None, typer.Option("--item-kind", help="An item kind recognised (repeatable).")
    ] = None,
    institution: Annotated[
        list[str] | None,
        typer.Option("--institution", help="A peer's institution recognised (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Propose a peer bank for the trust list (a bank administrator; another one approves it);
    logged."""
    command = AddPeer(
        origin=origin,
        log_key=log_key,
        did=did,
        url=url,
        witness_url=witness_url,
        witness_key=witness_key,
        frameworks=tuple(framework or ()),
        item_kinds=tuple(item_kind or ()),
        institutions=tuple(institution or ()),
        valid_from=required_date(valid_from, "--valid-from"),
        valid_until=parse_date(valid_until, "--valid-until"),
    )
    change = act(acting, lambda uow, who: trust.add_peer(command, principal=who, uow=uow))
    print_result(PeerRead.of_change(change), _show, as_json=as_json)


@peers_app.command("approve")
def approve_peer(peer: PeerArgument, acting: AsOption, as_json: JsonOption = False) -> None:
    """Approve a proposed peer (a bank administrator other than its proposer: four eyes);
    logged."""
    command = ApprovePeer(peer)
    change = act(acting, lambda uow, who: trust.approve_peer(command, principal=who, uow=uow))
    print_result(PeerRead.of_change(change), _show, as_json=as_json)


@peers_app.command("remove")
def remove_peer(
    peer: PeerArgument,
    acting: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="Why it is taken off the list.")],
    as_json: JsonOption = False,
) -> None:
    """Take a peer off the trust list (one bank administrator, with a reason); logged."""
    command = RemovePeer(peer, reason)
    change = act(acting, lambda uow, who: trust.remove_peer(command, principal=who, uow=uow))
    print_result(PeerRead.of_change(change), _show, as_json=as_json)


@peers_app.command("list")
def list_peers(
    status: Annotated[
        PeerStatus | None, typer.Option("--status", help="proposed, approved or removed.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The trust list: each peer's id, origin, status and agreement."""
    with unit_of_work() as uow:
        found = [
            PeerRead.of_peer(p)
            for p in views.list_peers(ListPeers(status), principal=OPERATOR, uow=uow)
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        print_line(say(msg("No peer bank")))
        return
    print_table(
        [_("Id"), _("Origin"), _("Status"), _("DID"), _("Valid from"), _("Until")],
        [
            [
                str(p.id),
                p.origin,
                p.status.value,
                p.did,
                p.agreement.valid_from.isoformat(),
                p.agreement.valid_until.isoformat() if p.agreement.valid_until else "",
            ]
            for p in found
        ],
    )


@peers_app.command("show")
def show_peer(peer: PeerArgument, as_json: JsonOption = False) -> None:
    """A peer with its history, the checkpoints of its log seen and the forks found."""
    with unit_of_work() as uow:
        detail = PeerDetailRead.of_detail(
            views.show_peer(ShowPeer(peer), principal=OPERATOR, uow=uow)
        )

    def render(shown: PeerDetailRead) -> None:
        _show(shown)
        checkpoint, fork_word = say(msg("Checkpoint")), say(msg("Fork"))
        for seen in shown.checkpoints:
            print_line(f"{checkpoint} {seen.size}  {seen.root_hash}  {seen.source}", indent=2)
        for fork in shown.fork_evidence:
            print_line(f"{fork_word}: {fork.reason}", indent=2)

    print_result(detail, render, as_json=as_json)


GROUPS = ((peers_app, "peers"),)
"""The command groups :mod:`creditbank.cli.main` registers."""
