"""What other business areas may use of accreditation: assessment schemes and their scoring,
and the certification of teachers and assessors (the 1+X operations use both); the facts its
statistics rebuild from (:func:`accreditation_facts`, a source of ``stats.api.FACT_SOURCES``)."""

from __future__ import annotations

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
]
