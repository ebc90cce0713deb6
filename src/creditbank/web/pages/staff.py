"""The staff's desk: their institution, recent batches, depositing outcomes from the web."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from creditbank.institutions import api as institutions
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow, render
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@pages.get("/staff", response_class=HTMLResponse)
def desk(request: Request, uow: Uow, principal: StaffPage) -> HTMLResponse:
    """The staff user's home: who they are and their institution."""
    institution = (
        institutions.get_institution(uow=uow, code=principal.institution)
        if principal.institution
        else None
    )
    return render(request, "staff/desk.html", principal=principal, institution=institution)
