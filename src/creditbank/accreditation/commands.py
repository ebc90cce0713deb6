"""The use cases of accreditation, one frozen dataclass each: commands in the imperative
(``AssignAssessor``), queries named for what they answer (``ShowQueue``). Plain data only.

Staff act on standards, schemes, certifications and applications; a learner acts on their
own applications (the ``Own`` use cases, whose handlers take a learner principal).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from creditbank.accreditation.model import Decision, Scheme, StandardDraft, Step

# --- standards, schemes, certifications ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListStandards:
    """The newest version of every competence standard."""


@dataclass(frozen=True, slots=True)
class ShowStandard:
    """A standard's version (the newest without ``version``)."""

    code: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class ImportStandard:
    """Import a version of a competence standard, all its units or none, for ``institution``
    (default: the acting user's)."""

    draft: StandardDraft
    source_sha256: str
    on: date
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class SetScheme:
    """Set the assessment scheme of one level of item ``OWNER:CODE``."""

    item_ref: str
    level: str
    scheme: Scheme


@dataclass(frozen=True, slots=True)
class CertifyStaff:
    """Certify a staff user as a teacher or an assessor of an item (one level, or all)."""

    email: str
    kind: str
    item_ref: str
    id_number: str
    valid_from: date
    valid_until: date
    training: str
    level: str | None = None


@dataclass(frozen=True, slots=True)
class ListCertifications:
    """A staff user's certifications, expired ones too."""

    email: str


# --- applications, as staff handle them --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplyForLearner:
    """Apply for a learner's learning to be accredited against a unit, with evidence files
    uploaded before: (SHA-256, what it is) each."""

    account_number: str
    centre: str
    standard: str
    unit: str
    setting: str
    statement: str
    evidence: tuple[tuple[str, str], ...]
    at: datetime
    taught_by: str | None = None
    standard_version: int | None = None


@dataclass(frozen=True, slots=True)
class AddMoreEvidence:
    """Answer a request for more evidence, for the learner (the institution that applied)."""

    public_id: str
    evidence: tuple[tuple[str, str], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class AppealDecision:
    """Appeal a "not accredited" decision, once, for the learner."""

    public_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AssignAssessor:
    """Assign an assessor certified for the unit on ``on`` and free of conflicts."""

    public_id: str
    assessor: str
    on: date


@dataclass(frozen=True, slots=True)
class ScoreApplication:
    """Record a mark for each component of the unit's scheme (the assigned assessor)."""

    public_id: str
    marks: Mapping[str, Decimal]
    on: date
    comment: str = ""


@dataclass(frozen=True, slots=True)
class DecideApplication:
    """Decide: accredited (with the unit's credits, or ``credits``), not accredited, or more
    evidence needed (the assigned assessor)."""

    public_id: str
    decision: Decision
    reasons: str
    on: date
    credits: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ConfirmDecision:
    """Confirm the assessor's decision (``agree``), or return it to them with a reason."""

    public_id: str
    agree: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CheckStep:
    """Whether the acting user may take ``step`` on the application at all (before a form is
    read): answers nothing, refuses as the step itself would."""

    public_id: str
    step: Step


@dataclass(frozen=True, slots=True)
class ShowSchemeToMark:
    """The scheme the assigned assessor marks the application's unit by."""

    public_id: str


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowApplication:
    """An application: its unit, evidence, state, marks, decisions and events."""

    public_id: str


@dataclass(frozen=True, slots=True)
class MayReadApplication:
    """Whether the acting user may read the application."""

    public_id: str


@dataclass(frozen=True, slots=True)
class ShowApplicationDesk:
    """An application as a staff page shows it: with the steps the acting user may take."""

    public_id: str
    today: date


@dataclass(frozen=True, slots=True)
class ShowApplicationEvidence:
    """One of the application's evidence files, to whoever may read the application."""

    public_id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ShowQueue:
    """A centre's open applications, the most overdue first."""

    centre: str
    today: date


@dataclass(frozen=True, slots=True)
class ShowQueueDesk:
    """The queue as a staff page shows it: a centre's (``centre``, or the user's own), with
    the decisions to confirm and, for an assessor, the applications assigned to them."""

    centre: str
    today: date


# --- the learner's own applications ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceUpload:
    """A file a learner sends with a form: its bytes, declared type and what it is."""

    content: bytes
    declared_type: str | None
    name: str


@dataclass(frozen=True, slots=True)
class ListOwnApplications:
    """The learner's applications, newest first."""


@dataclass(frozen=True, slots=True)
class ShowApplyChoices:
    """What the learner's application form offers: standards and centres."""


@dataclass(frozen=True, slots=True)
class ShowOwnApplication:
    """One of the learner's applications (another's is "not found")."""

    public_id: str


@dataclass(frozen=True, slots=True)
class ShowOwnEvidence:
    """An evidence file of the learner's own application."""

    public_id: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ApplyForOwnLearning:
    """The learner applies, with the evidence files sent along (stored for the centre)."""

    centre: str
    standard: str
    standard_version: int
    unit: str
    setting: str
    statement: str
    files: tuple[EvidenceUpload, ...]
    taught_by: str | None = None


@dataclass(frozen=True, slots=True)
class AddOwnEvidence:
    """The learner answers a request for more evidence."""

    public_id: str
    files: tuple[EvidenceUpload, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class AppealOwnDecision:
    """The learner appeals a "not accredited" decision, once."""

    public_id: str
    reason: str
