"""Pages of accreditation (being written)."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter()
