"""Accreditation in the pages: the learner's applications (:mod:`.learner`) and the staff's
queue and applications (:mod:`.staff`); what they share is in :mod:`.common`. Every form is
protected against cross-site requests (each router checks the CSRF token itself: a router
included in another does not inherit its dependencies in every FastAPI version)."""

from __future__ import annotations

from fastapi import APIRouter

from creditbank.web.pages.accreditation.learner import learner_pages
from creditbank.web.pages.accreditation.staff import staff_pages

pages = APIRouter(include_in_schema=False)
pages.include_router(learner_pages)
pages.include_router(staff_pages)
