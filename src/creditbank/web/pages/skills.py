"""The public pages of the skills: one skill (``/skills/{id}``: its URI, kind, the occupations
requiring it, provenance), the search (``/skills?q=``), an occupation with the skills it
requires (``/occupations/{code}``) and the occupations' search (``/occupations?q=``). No login:
the classification and its skills are public, as the API's (``skills.views``,
``occupations.views``). Thin: parse, call the handlers, render.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from creditbank.occupations import views as occupation_views
from creditbank.occupations.commands import SearchOccupations, ShowOccupation
from creditbank.skills import views
from creditbank.skills.commands import ListOccupationSkills, SearchSkills, ShowSkill
from creditbank.web.deps import Uow, render

pages = APIRouter(include_in_schema=False)


@pages.get("/skills")
def search_page(
    request: Request,
    uow: Uow,
    q: Annotated[str, Query(max_length=views.MAX_QUERY)] = "",
) -> Response:
    """The search over the skills (their texts, and the tasks of the occupations the words
    find): a form, and what it found, best first."""
    hits = (
        views.search_skills(SearchSkills(q=q, limit=views.MAX_LIMIT), principal=None, uow=uow)
        if q.strip()
        else []
    )
    return render(request, "skills/search.html", q=q, hits=hits)


@pages.get("/skills/{skill_id}")
def skill_page(
    request: Request, uow: Uow, skill_id: Annotated[int, Path(ge=1, le=views.MAX_ID)]
) -> Response:
    """One skill: its URI, kind, the occupations requiring it and where it came from."""
    detail = views.show_skill(ShowSkill(skill_id=skill_id), principal=None, uow=uow)
    return render(request, "skills/skill.html", detail=detail)


@pages.get("/occupations")
def occupations_page(
    request: Request,
    uow: Uow,
    q: Annotated[str, Query(max_length=occupation_views.MAX_QUERY)] = "",
) -> Response:
    """The search over the occupations (names and aliases): a form, and what it found."""
    hits = (
        occupation_views.search_occupations(
            SearchOccupations(q=q, limit=occupation_views.MAX_LIMIT), principal=None, uow=uow
        )
        if q.strip()
        else []
    )
    return render(request, "skills/occupations.html", q=q, hits=hits)


@pages.get("/occupations/{code}")
def occupation_page(
    request: Request, uow: Uow, code: Annotated[str, Path(max_length=16)]
) -> Response:
    """An occupation or group: its groups above, what lies below, its definition and the skills
    it requires, essential first."""
    detail = occupation_views.show_occupation(ShowOccupation(code=code), principal=None, uow=uow)
    skills = views.list_occupation_skills(
        ListOccupationSkills(code=detail.occupation.code), principal=None, uow=uow
    )
    return render(request, "skills/occupation.html", detail=detail, skills=skills)
