"""Words for the enumerations pages show (roles, learning settings, kinds of item), translatable.

Pages call ``label("role", principal.role)``; the words are catalog keys like every other text.
"""

from __future__ import annotations

from collections.abc import Callable

from creditbank.messages import Message, Translate, msg
from creditbank.regions import REGIONS, SUFFIXES

LABELS: dict[tuple[str, str], Message] = {
    ("role", "bank_admin"): msg("Bank administrator"),
    ("role", "registrar"): msg("Registrar"),
    ("role", "assessor"): msg("Assessor"),
    ("role", "accreditation_officer"): msg("Accreditation officer"),
    ("role", "auditor"): msg("Auditor"),
    ("role", "employer"): msg("Employer"),
    ("setting", "formal"): msg("Formal learning"),
    ("setting", "non-formal"): msg("Non-formal learning"),
    ("setting", "informal"): msg("Informal learning"),
    ("kind", "qualification"): msg("Qualification"),
    ("kind", "course"): msg("Course"),
    ("kind", "x_certificate"): msg("X certificate"),
    ("kind", "vocational_qualification"): msg("Vocational qualification"),
    ("kind", "training_certificate"): msg("Training certificate"),
    ("kind", "achievement"): msg("Achievement"),
    ("kind", "accreditation_unit"): msg("Accreditation unit"),
    ("kind", "transferred_credit"): msg("Transferred credit"),
    ("id", "resident_id"): msg("Resident identity card"),
    ("id", "passport"): msg("Passport"),
    ("status", "active"): msg("active"),
    ("status", "expired"): msg("expired"),
    ("status", "withdrawn"): msg("withdrawn"),
    ("status", "revoked"): msg("revoked"),
    ("outcome", "deposited"): msg("deposited"),
    ("outcome", "verified"): msg("verified"),
    ("outcome", "superseded"): msg("corrected (superseded)"),
    ("outcome", "revoked"): msg("revoked"),
    ("import_status", "pending"): msg("awaiting recognition"),
    ("import_status", "recognised"): msg("recognised"),
    ("import_status", "refused"): msg("not recognised"),
    ("import_status", "source_revoked"): msg("revoked at its source"),
    ("batch", "processing"): msg("processing"),
    ("batch", "committed"): msg("deposited"),
    ("batch", "rejected"): msg("rejected"),
    ("institution", "university"): msg("University"),
    ("institution", "higher_vocational_college"): msg("Higher vocational college"),
    ("institution", "secondary_vocational_school"): msg("Secondary vocational school"),
    ("institution", "open_university"): msg("Open university"),
    ("institution", "technical_school"): msg("Technical school"),
    ("institution", "enterprise"): msg("Enterprise"),
    ("institution", "industry_association"): msg("Industry association"),
    ("institution", "training_evaluation_organisation"): msg("Training-evaluation organisation"),
    ("institution", "accreditation_centre"): msg("Accreditation centre"),
    ("institution", "credit_bank_office"): msg("Credit bank office"),
    # the categories programmes usually give their components (a programme may name others)
    ("category", "core"): msg("Core courses"),
    ("category", "elective"): msg("Electives"),
    ("category", "general"): msg("General education"),
    ("category", "practice"): msg("Practical training"),
    # how a scheme assesses (accreditation units, X certificates)
    ("component", "theory"): msg("Theory"),
    ("component", "practice"): msg("Practice"),
    ("component", "portfolio"): msg("Portfolio"),
    ("component", "interview"): msg("Interview"),
}


for _code, _chinese, _english in REGIONS:
    for _written in (_code, _chinese, *(_chinese + suffix for suffix in SUFFIXES)):
        LABELS["region", _written] = _english


def labeller(translate: Translate) -> Callable[[str, object], str]:
    """The ``label(group, value)`` function of a page in one language."""

    def label(group: str, value: object) -> str:
        text = str(getattr(value, "value", value))
        found = LABELS.get((group, text))
        return found.render(translate) if found else text

    return label
