"""The statistics of the 1+X pilot: certificates by approval round, pilot schools by type,
and candidates registered, fee-exempt, assessed and certified by province (of the assessment
centre) and by certificate. Public figures: they hold no personal data.
"""

from __future__ import annotations

from collections import defaultdict

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.usecases import handler
from creditbank.xcerts.commands import ShowStats
from creditbank.xcerts.data import CertificateTally, Stats, xcert_ref
from creditbank.xcerts.model import Tally
from creditbank.xcerts.reading import current_offerings, schools, sessions


@handler
def show_stats(
    query: ShowStats,  # noqa: ARG001 - the query carries nothing
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
) -> Stats:
    """Staff read them through the API (anyone may read the catalogue); the pages are public."""
    if isinstance(principal, Principal):
        require(principal, Action.READ_CATALOG, None)
    return figures(uow=uow)


def figures(*, uow: UnitOfWork) -> Stats:
    """Certificates by approval round, pilot schools by type, and candidates registered,
    fee-exempt, assessed and certified by province (of the assessment centre) and certificate."""
    items = catalog.list_items(uow=uow, kind=catalog.ItemKind.X_CERTIFICATE)
    rounds: dict[int, int] = defaultdict(int)
    for item in items:
        if item.approval_round is not None:
            rounds[item.approval_round] += 1
    by_id = schools(uow)
    offering_schools = {row.school_id for row in current_offerings(uow, [i.id for i in items])}
    types: dict[str, int] = defaultdict(int)
    for school_id in offering_schools:
        types[by_id[school_id].type] += 1
    held = sessions(uow)
    provinces: dict[str, Tally] = defaultdict(Tally)
    certificates: dict[str, Tally] = defaultdict(Tally)
    for session in held:
        provinces[session.centre.region or "-"] += session.tally
        certificates[session.xcert] += session.tally
    by_ref = {xcert_ref(item): item for item in items}
    total = sum((session.tally for session in held), Tally())
    return Stats(
        certificates_by_round=tuple(sorted(rounds.items())),
        schools_by_type=tuple(sorted(types.items(), key=lambda pair: (-pair[1], pair[0]))),
        by_province=tuple(
            sorted(provinces.items(), key=lambda pair: (-pair[1].registered, pair[0]))
        ),
        by_certificate=tuple(
            CertificateTally(
                ref,
                by_ref[ref].name,
                by_ref[ref].name_en,
                by_ref[ref].approval_round,
                tally,
            )
            for ref, tally in sorted(
                certificates.items(), key=lambda pair: (-pair[1].registered, pair[0])
            )
        ),
        total=total,
        certificates=len(items),
        pilot_schools=len(offering_schools),
        sessions=len(held),
    )
