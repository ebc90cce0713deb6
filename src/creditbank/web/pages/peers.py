"""Pages of peer banks: the administrators' trust list in the console (propose, approve,
remove; the evidence of forks) and the public page of the bank's peers and its witness.

The console page is the bank administrators' (auditors read it, without forms); its forms go
through :func:`creditbank.web.pages.changes.submit` / :func:`attempt`: a refusal is shown on
the page with the API's status, a success redirects with a notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.access.policy import Principal
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.messages import Message, msg
from creditbank.peers import trust, views
from creditbank.peers.commands import (
    AddPeer,
    ApprovePeer,
    ListForks,
    ListPeers,
    RemovePeer,
    ShowTrustList,
)
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow, render
from creditbank.web.labels import LABELS
from creditbank.web.pages.changes import Shown, attempt, refusal, see, status_of, submit
from creditbank.web.pages.console.common import is_forbidden, page, rights
from creditbank.web.pages.forms import FieldErrors, parse_date, say
from creditbank.web.sessions import csrf_protect

console = APIRouter(dependencies=[Depends(csrf_protect)])
public = APIRouter()
HOME = "/console/peers"
MAX_FIELD = 500
MAX_CODES = 4000

NOTICES: dict[str, Message] = {
    "added": msg("The peer bank is proposed. Another bank administrator must approve it."),
    "approved": msg("The peer bank is approved: its checkpoints and records are accepted."),
    "removed": msg("The peer bank is removed from the trust list."),
}


LABELS.update(
    {
        ("peer_status", "proposed"): msg("proposed"),
        ("peer_status", "approved"): msg("approved"),
        ("peer_status", "removed"): msg("removed"),
    }
)
"""How pages name a peer's status and the steps of its history."""


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.replace(",", " ").split() if code)


def _peers_page(
    request: Request, uow: UnitOfWork, principal: Principal, shown: Shown = Shown()
) -> Response:
    may = rights(uow, principal)
    found = views.list_peers(ListPeers(), principal=principal, uow=uow)
    forks = views.list_forks(ListForks(), principal=principal, uow=uow)
    return page(
        request,
        "console/peers.html",
        status_code=shown.status_code,
        principal=principal,
        may=may,
        peers=found,
        forks=forks,
        **shown.context(),
    )


@console.get(HOME, response_class=HTMLResponse)
def peer_list(
    request: Request, uow: Uow, principal: StaffPage, done: str | None = None
) -> Response:
    """The trust list with each peer's agreement and history, the evidence of forks, and the
    forms to propose, approve and remove peers (bank administrators)."""
    notice = say(request, NOTICES[done]) if done in NOTICES else None
    return _peers_page(request, uow, principal, Shown(notice=notice))


@console.post(HOME, response_class=HTMLResponse)
def add_peer(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    origin: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    log_key: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    did: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    url: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    witness_url: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    witness_key: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    frameworks: Annotated[str, Form(max_length=MAX_CODES)] = "",
    item_kinds: Annotated[str, Form(max_length=MAX_CODES)] = "",
    institutions: Annotated[str, Form(max_length=MAX_CODES)] = "",
    valid_from: Annotated[str, Form(max_length=32)] = "",
    valid_until: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Propose a peer bank; the list again, with a notice."""
    errors = FieldErrors(request)
    values = {
        "origin": origin,
        "log_key": log_key,
        "did": did,
        "url": url,
        "witness_url": witness_url,
        "witness_key": witness_key,
        "frameworks": frameworks,
        "item_kinds": item_kinds,
        "institutions": institutions,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    starts = parse_date(errors, "valid_from", valid_from)
    if starts is None and not valid_from.strip():
        errors.add("valid_from", msg("give the first day of the agreement"))
    ends = parse_date(errors, "valid_until", valid_until) if valid_until.strip() else None
    command = AddPeer(
        origin=origin,
        log_key=log_key,
        did=did,
        url=url,
        witness_url=witness_url,
        witness_key=witness_key,
        frameworks=_codes(frameworks),
        item_kinds=_codes(item_kinds),
        institutions=_codes(institutions),
        valid_from=starts or date.min,  # a missing date is a field error: nothing runs
        valid_until=ends,
    )
    return submit(
        request,
        lambda writing: trust.add_peer(command, principal=principal, uow=writing),
        errors=errors,
        values=values,
        then=lambda _added: see(HOME, done="added"),
        again=lambda shown: _peers_page(request, uow, principal, shown),
        passed_on=is_forbidden,
    )


def _step(
    request: Request,
    uow: UnitOfWork,
    principal: Principal,
    run: Callable[[UnitOfWork], object],
    done: str,
) -> Response:
    result = attempt(request, run, passed_on=is_forbidden)
    if isinstance(result, DomainError):
        shown = Shown(status_of(result), refusal(request, result))
        return _peers_page(request, uow, principal, shown)
    return see(HOME, done=done)


@console.post(HOME + "/{peer_id}/approve", response_class=HTMLResponse)
def approve_peer(peer_id: int, request: Request, uow: Uow, principal: StaffPage) -> Response:
    """Approve a proposed peer (another administrator than its proposer)."""
    command = ApprovePeer(str(peer_id))
    return _step(
        request,
        uow,
        principal,
        lambda writing: trust.approve_peer(command, principal=principal, uow=writing),
        "approved",
    )


@console.post(HOME + "/{peer_id}/remove", response_class=HTMLResponse)
def remove_peer(
    peer_id: int,
    request: Request,
    uow: Uow,
    principal: StaffPage,
    reason: Annotated[str, Form(max_length=MAX_FIELD)] = "",
) -> Response:
    """Take a peer off the trust list, with a reason."""
    command = RemovePeer(str(peer_id), reason)
    return _step(
        request,
        uow,
        principal,
        lambda writing: trust.remove_peer(command, principal=principal, uow=writing),
        "removed",
    )


@public.get("/peers", response_class=HTMLResponse)
def public_peers(request: Request, uow: Uow) -> Response:
    """Public: the peer banks this bank trusts today, its log and its witness (no login)."""
    trust_list = views.show_trust_list(ShowTrustList(), principal=None, uow=uow)
    return render(request, "public/peers.html", trust=trust_list)


pages = APIRouter(include_in_schema=False)
for _router in (console, public):
    pages.include_router(_router)
