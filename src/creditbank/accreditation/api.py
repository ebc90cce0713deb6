"""What other business areas may use of accreditation: assessment schemes and their scoring,
and the certification of teachers and assessors (the 1+X operations use both); the facts its
statistics rebuild from (:func:`accreditation_facts`, a source of ``stats.api.FACT_SOURCES``)."""

from __future__ import annotations

from sqlalchemy import select

from creditbank.accreditation.certifications import (
    Certification,
    CertificationKind,
    certifications_for,
    certifications_of,
    certified,
    certify,
)
from creditbank.accreditation.model import (
    AccreditationError,
    ComponentKind,
    Scheme,
    SchemeComponent,
    ScoreResult,
    check_scheme,
    score,
)
from creditbank.accreditation.schemes import (
    SchemeVersion,
    current_scheme,
    item_owner,
    scheme_by_id,
    set_scheme,
)
from creditbank.accreditation.statistics import accreditation_facts
from creditbank.accreditation.tables import StandardUnitRow
from creditbank.db import UnitOfWork


def unit_statements(*, uow: UnitOfWork, item_id: int) -> list[str]:
    """The outcome statements (Chinese, then English where given) of the newest standard unit
    awarded as catalogue item ``item_id`` (none for an item that is no unit): what an
    alignment of the unit to skills is proposed from."""
    statements = uow.session.scalar(
        select(StandardUnitRow.statements)
        .where(StandardUnitRow.item_id == item_id)
        .order_by(StandardUnitRow.id.desc())
        .limit(1)
    )
    return [
        text
        for statement in statements or []
        for text in (statement.get("text", ""), statement.get("text_en", ""))
        if text
    ]


__all__ = [
    "AccreditationError",
    "Certification",
    "CertificationKind",
    "ComponentKind",
    "Scheme",
    "SchemeComponent",
    "SchemeVersion",
    "ScoreResult",
    "accreditation_facts",
    "certifications_for",
    "certifications_of",
    "certified",
    "certify",
    "check_scheme",
    "current_scheme",
    "item_owner",
    "scheme_by_id",
    "score",
    "set_scheme",
    "unit_statements",
]
