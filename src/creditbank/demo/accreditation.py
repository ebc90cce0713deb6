"""The demo's accreditation: the centres' standards and certified assessors, a few applications
of the demo learner, assessed, decided and confirmed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import resident_check_character
from creditbank.accreditation import assessment as accreditation_assessment
from creditbank.accreditation import certifications as accreditation_certifications
from creditbank.accreditation import decisions as accreditation_decisions
from creditbank.accreditation import files as accreditation_files
from creditbank.accreditation import filing as accreditation_filing
from creditbank.accreditation import standards as accreditation_standards
from creditbank.accreditation.model import Decision
from creditbank.db import UnitOfWork
from creditbank.evidence import service as evidence_service
from creditbank.institutions import api as institution_api


def load_accreditation(
    uow: UnitOfWork,
    cipher: PersonalDataCipher,
    setup: dict[str, Any],
    *,
    learner: str,
    today: date,
) -> int:
    """Import the built-in standards for the centre, certify its assessors for every unit, and
    give the demo learner three applications: accredited, decided (waiting for a second
    person), new. The number of catalogue items (units) made."""
    centre, (officer, second) = setup["centre"], setup["officers"]
    units: list[tuple[str, accreditation_standards.Unit]] = []
    for standard_file in accreditation_files.builtin_standards():
        standard = accreditation_standards.import_standard(
            uow=uow,
            draft=standard_file.draft,
            institution=centre,
            by=officer,
            source_sha256=standard_file.sha256,
            on=today,
        )
        units.extend((standard.code, unit) for unit in standard.units)
    for serial, email in enumerate(setup["assessors"], start=1):
        for _code, unit in units:
            accreditation_certifications.certify(
                uow=uow,
                cipher=cipher,
                email=email,
                kind="assessor",
                item_ref=f"{unit.item.institution}:{unit.item.code}",
                level=None,
                id_number=_staff_id_number(serial),
                valid_from=today - timedelta(days=30),
                valid_until=today + timedelta(days=3 * 365),
                training=setup["training"],
                by=officer,
            )
    assessor = setup["assessors"][0]
    assessor_id = institution_api.principal_for(uow=uow, email=assessor).user_id
    evidence = evidence_service.store_evidence(
        uow=uow,
        institution=centre,
        content=b"%PDF-1.7\n% demo: employer's letter\n%%EOF\n",
        declared_type="application/pdf",
        by="learner",
        max_bytes=1_000_000,
    ).sha256
    by_code = {unit.code: unit for _code, unit in units}
    applications = [
        (
            by_code[entry["unit"]],
            accreditation_filing.apply(
                uow=uow,
                account_number=learner,
                centre=centre,
                standard=entry["standard"],
                unit=entry["unit"],
                setting="informal",
                statement=entry["statement"],
                evidence_files=[(evidence, entry["evidence"])],
                by="learner",
            ).public_id,
        )
        for entry in setup["applications"]
    ]
    for unit, public_id in applications[:2]:
        accreditation_assessment.assign(
            uow=uow,
            public_id=public_id,
            assessor_email=assessor,
            by=officer,
            by_user_id=institution_api.principal_for(uow=uow, email=officer).user_id,
            on=today,
        )
        accreditation_assessment.record_marks(
            uow=uow,
            public_id=public_id,
            marks={c.kind.value: Decimal(80) for c in unit.scheme.scheme.components},
            comment="",
            by=assessor,
            by_user_id=assessor_id,
            on=today,
        )
        accreditation_assessment.decide(
            uow=uow,
            public_id=public_id,
            decision=Decision.ACCREDITED,
            reasons="工作证明与面谈一致",
            by=assessor,
            by_user_id=assessor_id,
            on=today,
        )
    accreditation_decisions.confirm(
        uow=uow,
        public_id=applications[0][1],
        agree=True,
        reason="",
        by=second,
        by_user_id=institution_api.principal_for(uow=uow, email=second).user_id,
    )
    return len(units)


def _staff_id_number(serial: int) -> str:
    """A checksum-valid resident identity number for a demo staff member."""
    first = f"31011519800101{serial:03d}"
    return first + resident_check_character(first)
