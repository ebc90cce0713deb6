"""The read models of the 1+X operations: plain data the handlers answer and the API, the
pages and the CLI render (certificates with their schemes, pilot schools and teachers;
sessions with their candidates; recorded results; the statistics)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from creditbank.accreditation import api as accreditation
from creditbank.catalog import api as catalog
from creditbank.frameworks import api as frameworks
from creditbank.xcerts.model import Profile, ResultStatus, Tally


def xcert_ref(item: catalog.CatalogItem) -> str:
    """An X certificate's global name: ``OWNER:CODE``."""
    return f"{item.institution}:{item.code}"


@dataclass(frozen=True, slots=True)
class School:
    code: str
    name: str
    name_en: str
    type: str
    region: str


@dataclass(frozen=True, slots=True)
class OfferingView:
    school: School
    level: frameworks.PinnedLevel
    assessment_centre: bool
    declared_by: str
    declared_at: datetime


@dataclass(frozen=True, slots=True)
class LevelScheme:
    level: frameworks.PinnedLevel
    scheme: accreditation.SchemeVersion | None


@dataclass(frozen=True, slots=True)
class Xcert:
    """An X certificate with what the 1+X operations add to its catalogue entry."""

    item: catalog.CatalogItem
    provider: School
    profile: Profile | None
    schools: int
    centres: int

    @property
    def ref(self) -> str:
        return xcert_ref(self.item)


@dataclass(frozen=True, slots=True)
class TrainingView:
    email: str
    institution: str | None
    course: str
    days: int
    completed_on: date
    recorded_by: str


@dataclass(frozen=True, slots=True)
class TeacherRecord:
    """What one request recorded of a teacher: the training, and the certifications made."""

    email: str
    xcert: str
    training: TrainingView | None
    certifications: tuple[accreditation.Certification, ...]


@dataclass(frozen=True, slots=True)
class SessionView:
    id: int
    xcert: str
    xcert_name: str
    xcert_name_en: str
    provider: str
    level: frameworks.PinnedLevel
    centre: School
    held_on: date
    scheduled_by: str
    tally: Tally


@dataclass(frozen=True, slots=True)
class XcertDetail:
    xcert: Xcert
    schemes: tuple[LevelScheme, ...]
    offerings: tuple[OfferingView, ...]
    sessions: tuple[SessionView, ...]
    certifications: tuple[accreditation.Certification, ...]
    trainings: tuple[TrainingView, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    account_number: str
    fee_exempt: bool
    status: ResultStatus
    registered_by: str
    registered_at: datetime
    weighted: Decimal | None = None
    marks: dict[str, str] = field(default_factory=dict)
    outcome: str | None = None
    """The public id of the X-certificate outcome a pass deposited."""
    assessor: str | None = None
    scheme_version: int | None = None


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: SessionView
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class ResultsRecorded:
    session: SessionDetail
    batch: str
    assessed: int
    passed: int
    failed: int


@dataclass(frozen=True, slots=True)
class CertificateTally:
    xcert: str
    name: str
    name_en: str
    approval_round: int | None
    tally: Tally


@dataclass(frozen=True, slots=True)
class Stats:
    """The figures of the 1+X pilot the bank holds (like seed 004's)."""

    certificates_by_round: tuple[tuple[int, int], ...]
    schools_by_type: tuple[tuple[str, int], ...]
    by_province: tuple[tuple[str, Tally], ...]
    by_certificate: tuple[CertificateTally, ...]
    total: Tally
    certificates: int
    pilot_schools: int
    sessions: int
