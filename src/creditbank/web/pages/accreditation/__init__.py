"""Accreditation in the pages: the learner's applications (:mod:`.learner`) and the staff's
queue and applications (:mod:`.staff`); what they share is in :mod:`.common`. Every form is
protected against cross-site requests."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from creditbank.web.pages.accreditation.learner import learner_pages
from creditbank.web.pages.accreditation.staff import staff_pages
from creditbank.web.sessions import csrf_protect

pages = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
pages.include_router(learner_pages)
pages.include_router(staff_pages)
