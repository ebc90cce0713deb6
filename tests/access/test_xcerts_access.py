"""Who may keep X certificates, schedule sessions, register candidates, preview and record
results and read the 1+X records and desks (handlers of ``creditbank.xcerts``).

The world: an X certificate of each institution (``OWN:XO``, ``OTHER:XT``) and an assessment
session for each pair of (provider, centre) among the two. The sessions are stored directly:
scheduling one needs pilot schools, which the matrix's two accreditation centres are not (the
door of scheduling is tried on its own, and its handler refuses or passes before that check).
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select

from creditbank import clock
from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat
from creditbank.accreditation.api import ComponentKind, Scheme, SchemeComponent
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, UnitOfWork
from creditbank.file_limits import FileLimits
from creditbank.institutions import api as institutions
from creditbank.institutions.model import Role
from creditbank.xcerts import (
    desks,
    intake,
    profiles,
    results,
    sessions,
    statistics,
    teachers,
    views,
)
from creditbank.xcerts.commands import (
    DeclareOffering,
    ListXcerts,
    PreviewResults,
    RecordResults,
    RegisterCandidate,
    ScheduleSession,
    SetProfile,
    SetScheme,
    ShowCertificateDesk,
    ShowResultsTemplate,
    ShowSession,
    ShowSessionDesk,
    ShowStats,
    ShowXcert,
    ShowXcertDesk,
    TrainTeacher,
)
from creditbank.xcerts.model import Certifying, Offering, Profile, Training
from creditbank.xcerts.reading import find_xcert
from creditbank.xcerts.tables import SessionRow
from tests.access.matrix import (
    BANK_WIDE,
    EVERY_ROLE,
    OTHER,
    OWN,
    READERS,
    RECORD_READERS,
    Door,
    let_through,
)

OWN_XCERT, OTHER_XCERT = f"{OWN}:XO", f"{OTHER}:XT"
OWN_REGISTRAR = frozenset({Role.BANK_ADMIN, Role.REGISTRAR})
SCHEME_KEEPERS = frozenset({Role.BANK_ADMIN, Role.REGISTRAR, Role.ACCREDITATION_OFFICER})
CIPHER = PersonalDataCipher.from_base64(base64.b64encode(bytes(range(32))).decode())
_serials = count(1)


@pytest.fixture(scope="module", autouse=True)
def xcerts(access_database: Database) -> None:
    """The X certificates and sessions the doors are tried on."""
    today = clock.today()
    with access_database.unit_of_work() as uow:
        for owner, ref in ((OWN, OWN_XCERT), (OTHER, OTHER_XCERT)):
            catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution=owner,
                    code=ref.partition(":")[2],
                    kind=ItemKind.X_CERTIFICATE,
                    name="某职业技能等级证书",
                    framework="1X",
                    levels=("beginner",),
                    provider="某培训评价组织",
                    approval_round=1,
                ),
                on=today,
            )
        for ref, centre in (
            (OWN_XCERT, OWN),
            (OWN_XCERT, OTHER),
            (OTHER_XCERT, OWN),
            (OTHER_XCERT, OTHER),
        ):
            item = find_xcert(uow=uow, ref=ref)
            uow.session.add(
                SessionRow(
                    item_id=item.id,
                    framework_level_id=item.levels[0].level_id,
                    centre_id=institutions.institution_id(uow=uow, code=centre),
                    held_on=today - timedelta(days=10),
                    scheduled_by="registrar@matrix.example",
                    scheduled_at=datetime.now(UTC),
                )
            )


def _session(uow: UnitOfWork, ref: str, centre: str) -> int:
    """The session of X certificate ``ref`` at ``centre``."""
    return uow.session.execute(
        select(SessionRow.id).where(
            SessionRow.item_id == find_xcert(uow=uow, ref=ref).id,
            SessionRow.centre_id == institutions.institution_id(uow=uow, code=centre),
        )
    ).scalar_one()


def _scheme() -> Scheme:
    return Scheme(
        (
            SchemeComponent(ComponentKind.THEORY, 40, pass_mark=None),
            SchemeComponent(ComponentKind.PRACTICE, 60, pass_mark=None),
        ),
        pass_mark=Decimal(60),
    )


def _teacher(ref: str, *, certify: bool) -> TrainTeacher:
    """A training (and certification) of somebody who is no user: past the door it is refused
    (``invalid-training``), so nothing is certified."""
    today = clock.today()
    return TrainTeacher(
        ref,
        email=f"nobody{next(_serials)}@matrix.example",
        id_number="110101199003077578",
        training=Training("师资培训", 5, today - timedelta(days=30)),
        certifying=Certifying(("assessor",), None, today, today + timedelta(days=365))
        if certify
        else None,
        today=today,
    )


def _results(uow: UnitOfWork, ref: str, centre: str) -> RecordResults:
    """A results file that is no workbook: past the door it is refused before any deposit."""
    return RecordResults(
        _session(uow, ref, centre),
        assessor="assessor@alpha.example",
        filename="results.xlsx",
        file_format=FileFormat.XLSX,
        source=io.BytesIO(b"not a workbook"),
        today=clock.today(),
    )


def _preview(uow: UnitOfWork, ref: str, centre: str) -> PreviewResults:
    """A results file that is no workbook: past the door the preview lists the problem."""
    return PreviewResults(
        _session(uow, ref, centre),
        assessor="assessor@alpha.example",
        filename="results.xlsx",
        file_format=FileFormat.XLSX,
        source=io.BytesIO(b"not a workbook"),
        today=clock.today(),
    )


RESULTS_DEPENDENCIES = {
    "database": None,  # never reached: the file is refused first
    "cipher": CIPHER,
    "limits": FileLimits(),
}

PREVIEW_DEPENDENCIES = {"cipher": CIPHER, "limits": FileLimits()}

DOORS = [
    Door("open the 1+X desk", desks.show_xcert_desk, lambda _: ShowXcertDesk(), EVERY_ROLE),
    Door(
        "open another's certificate as staff keep it",
        desks.show_certificate_desk,
        lambda _: ShowCertificateDesk(OTHER_XCERT),
        EVERY_ROLE,
    ),
    Door(
        "open a session of another's certificate at own centre",
        desks.show_session_desk,
        lambda uow: ShowSessionDesk(_session(uow, OTHER_XCERT, OWN)),
        RECORD_READERS,
    ),
    Door(
        "open a session of own certificate at another's centre",
        desks.show_session_desk,
        lambda uow: ShowSessionDesk(_session(uow, OWN_XCERT, OTHER)),
        RECORD_READERS,
    ),
    Door(
        "open another's session of another's certificate",
        desks.show_session_desk,
        lambda uow: ShowSessionDesk(_session(uow, OTHER_XCERT, OTHER)),
        READERS,
    ),
    Door(
        "download the results template of a session at own centre",
        intake.show_results_template,
        lambda uow: ShowResultsTemplate(_session(uow, OTHER_XCERT, OWN), FileFormat.CSV),
        RECORD_READERS,
    ),
    Door(
        "download the results template of another's session",
        intake.show_results_template,
        lambda uow: ShowResultsTemplate(_session(uow, OTHER_XCERT, OTHER), FileFormat.XLSX),
        READERS,
    ),
    Door(
        "preview results of own certificate at another's centre",
        intake.preview_results,
        lambda uow: _preview(uow, OWN_XCERT, OTHER),
        OWN_REGISTRAR,
        extra=PREVIEW_DEPENDENCIES,
    ),
    Door(
        "preview results of another's certificate at own centre",
        intake.preview_results,
        lambda uow: _preview(uow, OTHER_XCERT, OWN),
        BANK_WIDE,
        extra=PREVIEW_DEPENDENCIES,
    ),
    Door("list X certificates", views.list_xcerts, lambda _: ListXcerts(), EVERY_ROLE),
    Door("read an X certificate", views.show_xcert, lambda _: ShowXcert(OTHER_XCERT), EVERY_ROLE),
    Door("read the 1+X statistics", statistics.show_stats, lambda _: ShowStats(), EVERY_ROLE),
    Door(
        "set own certificate's profile",
        profiles.set_profile,
        lambda _: SetProfile(OWN_XCERT, Profile("土木建筑", "", 5)),
        OWN_REGISTRAR,
    ),
    Door(
        "set another's certificate's profile",
        profiles.set_profile,
        lambda _: SetProfile(OTHER_XCERT, Profile("土木建筑", "", 5)),
        BANK_WIDE,
    ),
    Door(
        "set own certificate's scheme",
        profiles.set_scheme,
        lambda _: SetScheme(OWN_XCERT, "beginner", _scheme()),
        SCHEME_KEEPERS,
    ),
    Door(
        "set another's certificate's scheme",
        profiles.set_scheme,
        lambda _: SetScheme(OTHER_XCERT, "beginner", _scheme()),
        BANK_WIDE,
    ),
    Door(
        "declare an offering of own certificate",
        profiles.declare_offering,
        lambda _: DeclareOffering(OWN_XCERT, Offering(OTHER, "beginner", assessment_centre=True)),
        OWN_REGISTRAR,
    ),
    Door(
        "declare an offering of another's certificate",
        profiles.declare_offering,
        lambda _: DeclareOffering(OTHER_XCERT, Offering(OWN, "beginner", assessment_centre=True)),
        BANK_WIDE,
    ),
    Door(
        "record a teacher's training for own certificate",
        teachers.train_teacher,
        lambda _: _teacher(OWN_XCERT, certify=False),
        OWN_REGISTRAR,
        extra={"cipher": CIPHER},
    ),
    Door(
        "certify a teacher of own certificate",
        teachers.train_teacher,
        lambda _: _teacher(OWN_XCERT, certify=True),
        OWN_REGISTRAR,
        extra={"cipher": CIPHER},
    ),
    Door(
        "certify a teacher of another's certificate",
        teachers.train_teacher,
        lambda _: _teacher(OTHER_XCERT, certify=True),
        BANK_WIDE,
        extra={"cipher": CIPHER},
    ),
    Door(
        "schedule own certificate at another's centre",
        sessions.schedule_session,
        lambda _: ScheduleSession(OWN_XCERT, OTHER, "beginner", clock.today(), clock.today()),
        OWN_REGISTRAR,
    ),
    Door(
        "schedule another's certificate at own centre",
        sessions.schedule_session,
        lambda _: ScheduleSession(OTHER_XCERT, OWN, "beginner", clock.today(), clock.today()),
        OWN_REGISTRAR,
    ),
    Door(
        "schedule another's certificate at another's centre",
        sessions.schedule_session,
        lambda _: ScheduleSession(OTHER_XCERT, OTHER, "beginner", clock.today(), clock.today()),
        BANK_WIDE,
    ),
    Door(
        "read a session of another's certificate at own centre",
        views.show_session,
        lambda uow: ShowSession(_session(uow, OTHER_XCERT, OWN)),
        RECORD_READERS,
    ),
    Door(
        "read a session of own certificate at another's centre",
        views.show_session,
        lambda uow: ShowSession(_session(uow, OWN_XCERT, OTHER)),
        RECORD_READERS,
    ),
    Door(
        "read another's session of another's certificate",
        views.show_session,
        lambda uow: ShowSession(_session(uow, OTHER_XCERT, OTHER)),
        READERS,
    ),
    Door(
        "register a candidate at own centre",
        sessions.register_candidate,
        lambda uow: RegisterCandidate(_session(uow, OTHER_XCERT, OWN), "NOACCOUNT"),
        OWN_REGISTRAR,
    ),
    Door(
        "register a candidate at another's centre for own certificate",
        sessions.register_candidate,
        lambda uow: RegisterCandidate(_session(uow, OWN_XCERT, OTHER), "NOACCOUNT"),
        BANK_WIDE,
    ),
    Door(
        "record results of own certificate at another's centre",
        results.record_results,
        lambda uow: _results(uow, OWN_XCERT, OTHER),
        OWN_REGISTRAR,
        extra=RESULTS_DEPENDENCIES,
    ),
    Door(
        "record results of another's certificate at own centre",
        results.record_results,
        lambda uow: _results(uow, OTHER_XCERT, OWN),
        BANK_WIDE,
        extra=RESULTS_DEPENDENCIES,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_public_reads_need_no_staff(access_database: Database) -> None:
    """The catalogue, a certificate and the statistics are public pages: read by nobody logged
    in, or by a learner, they answer what staff read."""
    learner = LearnerPrincipal(learner_id=1, account_number="X")
    with access_database.unit_of_work() as uow:
        for who in (None, learner):
            found = views.list_xcerts(ListXcerts(), principal=who, uow=uow)
            assert [x.ref for x in found] == [OWN_XCERT, OTHER_XCERT]
            assert views.show_xcert(ShowXcert("XO"), principal=who, uow=uow).xcert.ref == OWN_XCERT
            figures = statistics.show_stats(ShowStats(), principal=who, uow=uow)
            assert (figures.certificates, figures.sessions) == (2, 4)
