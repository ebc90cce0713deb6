"""Institutions and staff: kinds of institution, roles, and the rules on them. A pure core."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import msg

INSTITUTION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12


class InstitutionError(DomainError):
    """An institution, user or token request that cannot be accepted."""


class InstitutionType(StrEnum):
    """The kinds of institution that hold an account in the bank (domain.md)."""

    UNIVERSITY = "university"
    HIGHER_VOCATIONAL_COLLEGE = "higher_vocational_college"
    SECONDARY_VOCATIONAL_SCHOOL = "secondary_vocational_school"
    OPEN_UNIVERSITY = "open_university"
    TECHNICAL_SCHOOL = "technical_school"
    ENTERPRISE = "enterprise"
    INDUSTRY_ASSOCIATION = "industry_association"
    TRAINING_EVALUATION_ORGANISATION = "training_evaluation_organisation"
    ACCREDITATION_CENTRE = "accreditation_centre"
    CREDIT_BANK_OFFICE = "credit_bank_office"


class Role(StrEnum):
    """What a staff user does. Bank administrators and auditors may belong to no institution."""

    BANK_ADMIN = "bank_admin"
    REGISTRAR = "registrar"
    ASSESSOR = "assessor"
    ACCREDITATION_OFFICER = "accreditation_officer"
    AUDITOR = "auditor"
    EMPLOYER = "employer"
    """Staff of an enterprise who post job requirements (issue 20)."""

    @property
    def needs_institution(self) -> bool:
        return self in {Role.REGISTRAR, Role.ASSESSOR, Role.ACCREDITATION_OFFICER, Role.EMPLOYER}


@dataclass(frozen=True, slots=True)
class Institution:
    code: str
    name: str
    name_en: str
    type: InstitutionType
    region: str
    alliances: tuple[str, ...]
    version: int = 1
    """Counts the edits: an edit is made on a version, and refused if another came first."""


def check_institution_code(code: str) -> str:
    """``code`` upper-cased, or an error saying what a code must look like."""
    normal = code.strip().upper()
    if not INSTITUTION_CODE.match(normal):
        raise InstitutionError(
            "invalid_institution",
            msg(
                "institution code {code} must be 2-32 capital letters, digits, '-' or '_'",
                code=repr(code),
            ),
        )
    return normal


def check_user(*, email: str, role: Role, institution: str | None) -> str:
    """The normalised e-mail address, once the role and institution fit together."""
    normal = email.strip().lower()
    if not EMAIL.match(normal):
        raise InstitutionError("invalid_user", msg("{email} is not an e-mail address", email=email))
    if role.needs_institution and institution is None:
        raise InstitutionError(
            "invalid_user", msg("a {role} must belong to an institution", role=role.value)
        )
    return normal


def check_staff_institution(role: Role, institution: Institution) -> None:
    """An employer is staff of an enterprise (they post its jobs): refused at any other kind of
    institution. Other roles may belong to any kind."""
    if role is Role.EMPLOYER and institution.type is not InstitutionType.ENTERPRISE:
        raise InstitutionError(
            "invalid_user",
            msg(
                "an employer must belong to an enterprise; {institution} is not one",
                institution=institution.code,
            ),
        )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InstitutionError(
            "invalid_user",
            msg("a password needs at least {count} characters", count=MIN_PASSWORD_LENGTH),
        )
