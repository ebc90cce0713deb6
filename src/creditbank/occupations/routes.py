"""HTTP of the occupations: the search (``GET /api/v1/occupations?q=``) and one occupation by
its code. Public, as the handlers say (``occupations.views``): a token is not needed; importing
is the CLI's (``creditbank occupations import``).

Thin: parse, build the query, call its handler, render.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditbank.occupations import views
from creditbank.occupations.commands import SearchOccupations, ShowOccupation
from creditbank.occupations.schemas import (
    OccupationDetailRead,
    OccupationHitRead,
    OccupationSearchRead,
)
from creditbank.skills import views as skill_views
from creditbank.skills.commands import ListOccupationSkills
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/occupations", tags=["occupations"])


@api.get("", response_model=OccupationSearchRead, responses=responses(400))
def search_occupations(
    uow: Uow,
    q: Annotated[
        str,
        Query(
            max_length=views.MAX_QUERY,
            description="A job title or words of one, in Chinese or English.",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=views.MAX_LIMIT)] = 10,
) -> OccupationSearchRead:
    """Public: the occupations and groups whose names or aliases best match `q`, best first,
    each with its score (character n-gram TF-IDF fused with BM25 over words) and the name or
    alias, words and characters that matched."""
    hits = views.search_occupations(SearchOccupations(q=q, limit=limit), principal=None, uow=uow)
    return OccupationSearchRead(q=q, hits=[OccupationHitRead.of(hit) for hit in hits])


@api.get("/{code}", response_model=OccupationDetailRead, responses=responses(404))
def show_occupation(
    uow: Uow,
    code: Annotated[
        str,
        Path(
            max_length=16,
            description="The code, e.g. 4-08-08-23, ESCO:2512.4 or ONET:15-1252.00 (the colon "
            "as it is or as %3A).",
        ),
    ],
) -> OccupationDetailRead:
    """Public: one occupation or group: its aliases, the groups above it, what lies directly
    below it, where it was imported from, and the skills it requires (essential first)."""
    detail = views.show_occupation(ShowOccupation(code=code), principal=None, uow=uow)
    skills = skill_views.list_occupation_skills(
        ListOccupationSkills(code=detail.occupation.code), principal=None, uow=uow
    )
    return OccupationDetailRead.of(detail, skills)
