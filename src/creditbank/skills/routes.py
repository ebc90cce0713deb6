"""HTTP of the skills: the search (``GET /api/v1/skills?q=``) and one skill by its id. Public, as
the handlers say (``skills.views``): a token is not needed; importing is the CLI's
(``creditbank skills import``).

Thin: parse, build the query, call its handler, render.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from creditbank.skills import views
from creditbank.skills.commands import SearchSkills, ShowSkill
from creditbank.skills.schemas import SkillDetailRead, SkillHitRead, SkillSearchRead
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/skills", tags=["skills"])


@api.get("", response_model=SkillSearchRead, responses=responses(400))
def search_skills(
    uow: Uow,
    q: Annotated[
        str,
        Query(max_length=views.MAX_QUERY, description="Words of a skill, in Chinese or English."),
    ],
    limit: Annotated[int, Query(ge=1, le=views.MAX_LIMIT)] = 10,
) -> SkillSearchRead:
    """Public: the skills that best fit `q`, best first: their own texts searched (character
    TF-IDF fused with BM25 over words) and the tasks of the occupations `q` finds; each with its
    score, the words and characters that matched, and `via`, the occupation it came through."""
    hits = views.search_skills(SearchSkills(q=q, limit=limit), principal=None, uow=uow)
    return SkillSearchRead(q=q, hits=[SkillHitRead.hit(hit) for hit in hits])


@api.get("/{skill_id}", response_model=SkillDetailRead, responses=responses(404))
def show_skill(
    uow: Uow,
    skill_id: Annotated[int, Path(ge=1, le=views.MAX_ID, description="The skill's id.")],
) -> SkillDetailRead:
    """Public: one skill: its URI, names, kind, the occupations requiring it (essential first)
    and where it was imported from."""
    detail = views.show_skill(ShowSkill(skill_id=skill_id), principal=None, uow=uow)
    return SkillDetailRead.detail(detail)
