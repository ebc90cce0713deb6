"""The operator console: bank administrators run the bank from here (auditors read it all,
without forms): institutions (:mod:`.institutions`), staff and their password-set codes
(:mod:`.staff`), API tokens (:mod:`.tokens`), the audit of administrators' actions
(:mod:`.audit`); learners (:mod:`.learners`) and catalogue grants (:mod:`.grants`) are
registered by the app on their own. What the pages share is in :mod:`.common`.

Every router checks the CSRF token of its forms itself (a router included in another does not
inherit its dependencies in every FastAPI version).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from creditbank.institutions import views
from creditbank.institutions.commands import ShowConsole
from creditbank.web.auth import StaffPage
from creditbank.web.deps import Uow
from creditbank.web.pages.console.audit import pages as audit_pages
from creditbank.web.pages.console.common import page, rights
from creditbank.web.pages.console.institutions import pages as institution_pages
from creditbank.web.pages.console.staff import pages as staff_pages
from creditbank.web.pages.console.tokens import pages as token_pages
from creditbank.web.sessions import csrf_protect

landing = APIRouter(dependencies=[Depends(csrf_protect)])


@landing.get("/console", response_class=HTMLResponse)
def console(request: Request, uow: Uow, principal: StaffPage) -> Response:
    """The console's landing page: a link to each section, the bank's counts and the latest
    administrators' actions (bank administrators and auditors)."""
    may = rights(uow, principal)
    summary = views.show_console(ShowConsole(), principal=principal, uow=uow)
    return page(request, "console/index.html", principal=principal, may=may, summary=summary)


pages = APIRouter(include_in_schema=False)
for router in (landing, institution_pages, staff_pages, token_pages, audit_pages):
    pages.include_router(router)
