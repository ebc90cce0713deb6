"""The console's audit page: administrators' actions, the latest first, who did what to which
institution, user or token and when (bank administrators and auditors)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.institutions import views
from creditbank.institutions.commands import ListAdminActions
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow
from creditbank.web.pages.console.common import page, rights

pages = APIRouter()


@pages.get("/console/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    uow: Uow,
    principal: StaffPage,
    institution: str = "",
    cursor: str | None = None,
) -> Response:
    """The audit of administrators' actions, a page at a time; of one institution if asked."""
    may = rights(uow, principal)
    code = institution.strip().upper()[:32]
    query = ListAdminActions(institution=code or None, cursor=cursor)
    found = views.list_admin_actions(query, principal=principal, uow=uow)
    return page(
        request,
        "console/audit.html",
        principal=principal,
        may=may,
        actions=found.items,
        next_cursor=found.next_cursor,
        institution=code,
    )
