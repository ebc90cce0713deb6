"""Pages of the 1+X catalogue and statistics, for everyone (they hold no personal data): the X
certificates by approval round with their provider, industry area and pilot schools; one
certificate with its assessment scheme per level, pilot schools (assessment centres marked)
and sessions; the statistics with bar charts drawn on the server as inline SVG (no script,
nothing fetched by the browser).

Thin, like every page: call the handler (no principal: the pages are public), render. The
staff's 1+X pages (providers and pilot schools) are in :mod:`.xcerts_desk` and
:mod:`.xcerts_sessions`; this module's router includes theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from creditbank.messages import Message, msg
from creditbank.web.deps import Uow, render
from creditbank.web.i18n import translator_for
from creditbank.web.labels import labeller
from creditbank.web.pages.xcerts_desk import desk_pages
from creditbank.web.pages.xcerts_sessions import session_pages
from creditbank.xcerts import statistics, views
from creditbank.xcerts.commands import ListXcerts, ShowStats, ShowXcert
from creditbank.xcerts.model import APPROVAL_ROUNDS, Tally

pages = APIRouter(include_in_schema=False)
pages.include_router(desk_pages)  # the staff's pages (xcerts_desk, xcerts_sessions): CSRF-checked
pages.include_router(session_pages)

BAR_WIDTH = 360
"""The length, in SVG user units, of the longest bar of a chart."""
LABEL_CHARACTERS = 16
"""A chart's labels are cut to this many characters (the whole label is the bar's tooltip)."""

INSTITUTION_TYPES: dict[str, Message] = {
    "university": msg("University"),
    "higher_vocational_college": msg("Higher vocational college"),
    "secondary_vocational_school": msg("Secondary vocational school"),
    "open_university": msg("Open university"),
    "technical_school": msg("Technical school"),
    "enterprise": msg("Enterprise"),
    "industry_association": msg("Industry association"),
    "training_evaluation_organisation": msg("Training-evaluation organisation"),
    "accreditation_centre": msg("Accreditation centre"),
    "credit_bank_office": msg("Credit bank office"),
}


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: its label, value, and length (0 to :data:`BAR_WIDTH`)."""

    key: str
    label: str
    value: int
    length: int

    @property
    def short(self) -> str:
        return short(self.label)


def short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Group:
    """Bars side by side for one label (registered, assessed, certified of a province)."""

    key: str
    label: str
    bars: tuple[Bar, ...]

    @property
    def short(self) -> str:
        return short(self.label)


def bars(values: Sequence[tuple[str, str, int]], top: int | None = None) -> list[Bar]:
    """(key, label, value) as bars scaled to the largest value (or ``top``)."""
    largest = top if top is not None else max((value for _, _, value in values), default=0)
    return [
        Bar(key, label, value, round(BAR_WIDTH * value / largest) if largest else 0)
        for key, label, value in values
    ]


def _type_word(request: Request, kind: str) -> str:
    word = INSTITUTION_TYPES.get(kind)
    return word.render(translator_for(request).gettext) if word else kind


def _tally_groups(request: Request, rows: Sequence[tuple[str, str, Tally]]) -> list[Group]:
    """Registered, assessed and certified bars for each row, on one scale."""
    top = max((tally.registered for _, _, tally in rows), default=0)
    translate = translator_for(request).gettext
    names = (
        ("registered", msg("registered").render(translate)),
        ("assessed", msg("assessed").render(translate)),
        ("certified", msg("certified").render(translate)),
    )
    return [
        Group(
            key,
            label,
            tuple(bars([(name, word, getattr(tally, name)) for name, word in names], top=top)),
        )
        for key, label, tally in rows
    ]


@pages.get("/xcerts", response_class=HTMLResponse)
def catalogue_page(
    request: Request,
    uow: Uow,
    approval_round: Annotated[int | None, Query(alias="round", ge=1, le=4)] = None,
) -> HTMLResponse:
    found = views.list_xcerts(ListXcerts(approval_round), principal=None, uow=uow)
    return render(
        request,
        "xcerts/catalogue.html",
        xcerts=found,
        rounds=APPROVAL_ROUNDS,
        chosen_round=approval_round,
        type_word=lambda kind: _type_word(request, kind),
    )


@pages.get("/xcerts/stats", response_class=HTMLResponse)
def stats_page(request: Request, uow: Uow) -> HTMLResponse:
    found = statistics.show_stats(ShowStats(), principal=None, uow=uow)
    translate = translator_for(request).gettext
    language = request.state.language
    rounds = bars(
        [
            (
                str(number),
                msg("Round {round}", round=number).render(translate),
                dict(found.certificates_by_round).get(number, 0),
            )
            for number in APPROVAL_ROUNDS
        ]
    )
    schools = bars(
        [(kind, _type_word(request, kind), count) for kind, count in found.schools_by_type]
    )
    region = labeller(translate)
    provinces = _tally_groups(
        request,
        [(province, region("region", province), tally) for province, tally in found.by_province],
    )
    certificates = _tally_groups(
        request,
        [
            (
                c.xcert,
                c.name_en if language == "en" and c.name_en else c.name,
                c.tally,
            )
            for c in found.by_certificate
        ],
    )
    return render(
        request,
        "xcerts/stats.html",
        stats=found,
        rounds=rounds,
        schools=schools,
        provinces=provinces,
        certificates=certificates,
        bar_width=BAR_WIDTH,
    )


@pages.get("/xcerts/{owner}/{code}", response_class=HTMLResponse)
def xcert_page(request: Request, uow: Uow, owner: str, code: str) -> HTMLResponse:
    detail = views.show_xcert(ShowXcert(f"{owner}:{code}"), principal=None, uow=uow)
    return render(
        request,
        "xcerts/detail.html",
        detail=detail,
        xcert=detail.xcert,
        type_word=lambda kind: _type_word(request, kind),
        bar_width=BAR_WIDTH,
    )
