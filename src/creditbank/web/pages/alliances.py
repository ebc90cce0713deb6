"""The public page of the bank's alliances: the alliances of credit banks this bank is a member
of today, their other members and their agreements. No login; the same handler as
``GET /api/v1/alliances/joined``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.alliances import views
from creditbank.alliances.commands import ShowMemberships
from creditbank.web.deps import Uow, render

pages = APIRouter(include_in_schema=False)


@pages.get("/alliances", response_class=HTMLResponse)
def public_alliances(request: Request, uow: Uow) -> Response:
    """Public: the alliances this bank is a member of today."""
    memberships = views.show_memberships(ShowMemberships(), principal=None, uow=uow)
    return render(request, "public/alliances.html", memberships=memberships)
