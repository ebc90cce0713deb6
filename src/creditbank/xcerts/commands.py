"""The use cases of the 1+X operations, one frozen dataclass each: commands in the imperative,
queries named for what they answer. Plain data only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import BinaryIO

from creditbank.accounts.api import FileFormat
from creditbank.accreditation.api import Scheme
from creditbank.xcerts.model import Certifying, Offering, Profile, Training

# --- queries ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListXcerts:
    """X certificates, of one approval round and/or one provider."""

    approval_round: int | None = None
    provider: str | None = None


@dataclass(frozen=True, slots=True)
class ShowXcert:
    """One X certificate (``CODE`` or ``OWNER:CODE``): schemes, pilot schools, sessions,
    teachers."""

    ref: str


@dataclass(frozen=True, slots=True)
class ShowSession:
    """One assessment session with its candidates, results and outcomes."""

    session_id: int


@dataclass(frozen=True, slots=True)
class ShowStats:
    """The figures of the 1+X pilot."""


# --- certificates -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetProfile:
    """Set an X certificate's industry area and validity (a new version of its profile)."""

    ref: str
    profile: Profile


@dataclass(frozen=True, slots=True)
class SetScheme:
    """Set the assessment scheme of one level of an X certificate."""

    ref: str
    level: str
    scheme: Scheme


@dataclass(frozen=True, slots=True)
class DeclareOffering:
    """Declare that a pilot school offers a level (and whether it assesses it), or no longer
    does."""

    ref: str
    offering: Offering


@dataclass(frozen=True, slots=True)
class TrainTeacher:
    """Record a teacher's training for an X certificate and/or certify them (teacher, assessor
    or both)."""

    ref: str
    email: str
    id_number: str = field(repr=False)
    training: Training | None
    certifying: Certifying | None
    today: date


# --- sessions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleSession:
    """Schedule an assessment session at an assessment centre for one level."""

    ref: str
    centre: str
    level: str
    held_on: date
    today: date


@dataclass(frozen=True, slots=True)
class RegisterCandidate:
    """Register a learner (by account number) for a session."""

    session_id: int
    account_number: str
    fee_exempt: bool = False


@dataclass(frozen=True, slots=True)
class RecordResults:
    """Record a session's results from a file (read from ``source``), all or nothing, in the
    name of a certified assessor."""

    session_id: int
    assessor: str
    filename: str
    file_format: FileFormat | None  # None: from the file name's extension
    source: BinaryIO = field(repr=False)
    today: date


# --- the staff's pages --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowXcertDesk:
    """The staff's 1+X desk: the certificates their institution provides, the levels it offers
    as a pilot school, and the sessions it holds or provides (everything, for bank-wide roles)."""


@dataclass(frozen=True, slots=True)
class ShowCertificateDesk:
    """An X certificate as its staff keep it: offerings, teachers, sessions, and what the
    reader may change."""

    ref: str


@dataclass(frozen=True, slots=True)
class ShowSessionDesk:
    """A session as its staff keep it: candidates and results, the assessors certified on its
    day, and what the reader may change."""

    session_id: int


@dataclass(frozen=True, slots=True)
class PreviewResults:
    """Read a session's results file and check it as :class:`RecordResults` would, storing
    nothing: the first rows as read and every problem with its line."""

    session_id: int
    assessor: str
    filename: str
    file_format: FileFormat | None  # None: from the file name's extension
    source: BinaryIO = field(repr=False)
    today: date


@dataclass(frozen=True, slots=True)
class ShowResultsTemplate:
    """A session's results file to fill in: its candidates' account numbers, the level's
    columns, headers in Chinese and English."""

    session_id: int
    file_format: FileFormat
