"""Pages of verifiable credentials: the public verifier, learners' share links and downloads,
and the shared record a link opens. (Being written.)"""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter(include_in_schema=False)
