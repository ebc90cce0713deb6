"""Pages of the 1+X catalogue and statistics (being written)."""

from __future__ import annotations

from fastapi import APIRouter

pages = APIRouter()
