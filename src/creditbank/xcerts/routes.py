"""HTTP for the 1+X operations (being written)."""

from __future__ import annotations

from fastapi import APIRouter

api = APIRouter()
