"""The learner's own pages: their outcomes, who saw their data, consents and shares."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from creditbank.web.auth import LearnerPage
from creditbank.web.deps import render
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@pages.get("/me", response_class=HTMLResponse)
def my_account(request: Request, learner: LearnerPage) -> HTMLResponse:
    """The learner's account."""
    return render(request, "me/outcomes.html", learner=learner)
