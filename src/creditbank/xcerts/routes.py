"""HTTP for the 1+X operations: X certificates (profile, schemes, pilot schools, teachers),
assessment sessions (candidates, results in bulk) and the statistics. Thin: authenticate,
build the command, call its handler (which checks the policy), render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status

from creditbank.accounts.api import FileFormat
from creditbank.file_limits import limits_of
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Today, Uow, cipher_of
from creditbank.web.problems import responses
from creditbank.xcerts import profiles, results, sessions, statistics, teachers, views
from creditbank.xcerts.commands import (
    DeclareOffering,
    ListXcerts,
    RecordResults,
    RegisterCandidate,
    ScheduleSession,
    SetProfile,
    SetScheme,
    ShowSession,
    ShowStats,
    ShowXcert,
    TrainTeacher,
)
from creditbank.xcerts.schemas import (
    CandidateCreate,
    CandidateRead,
    OfferingCreate,
    ProfileCreate,
    ResultsRead,
    SchemeCreate,
    SchemeRead,
    SessionCreate,
    SessionDetailRead,
    SessionRead,
    StatsRead,
    TeacherCreate,
    TeacherRead,
    XcertDetailRead,
    XcertRead,
)

api = APIRouter(prefix="/api/v1", tags=["1+X"])


@api.get("/xcerts", response_model=list[XcertRead], responses=responses(401, 404, 422))
def list_xcerts(
    request: Request,
    uow: Uow,
    principal: Authenticated,
    approval_round: Annotated[
        int | None, Query(alias="round", ge=1, le=4, description="Approval round, 1 to 4.")
    ] = None,
    provider: Annotated[str | None, Query(description="The provider's code.")] = None,
) -> list[XcertRead]:
    """X certificates with their provider, approval round, industry area, levels, validity and
    how many pilot schools offer them."""
    query = ListXcerts(approval_round=approval_round, provider=provider)
    found = views.list_xcerts(query, principal=principal, uow=uow)
    return [XcertRead.of(xcert, request.state.language) for xcert in found]


@api.get("/xcerts/{code}", response_model=XcertDetailRead, responses=responses(401, 404, 422))
def read_xcert(code: str, request: Request, uow: Uow, principal: Authenticated) -> XcertDetailRead:
    """An X certificate: its assessment scheme per level, pilot schools (assessment centres
    marked), sessions, teachers' trainings and certifications."""
    detail = views.show_xcert(ShowXcert(code), principal=principal, uow=uow)
    return XcertDetailRead.of_detail(detail, request.state.language)


@api.post(
    "/xcerts/{code}/profile",
    response_model=XcertDetailRead,
    responses=responses(401, 403, 404, 422),
)
def set_profile(
    code: str, body: ProfileCreate, request: Request, uow: Uow, principal: Authenticated
) -> XcertDetailRead:
    """Set the industry area and validity of an X certificate (its provider's registrars, bank
    administrators); a new version, the old ones kept."""
    command = SetProfile(code, body.profile())
    return XcertDetailRead.of_detail(
        profiles.set_profile(command, principal=principal, uow=uow), request.state.language
    )


@api.post(
    "/xcerts/{code}/schemes",
    response_model=SchemeRead,
    responses=responses(401, 403, 404, 422),
)
def set_scheme(
    code: str, body: SchemeCreate, request: Request, uow: Uow, principal: Authenticated
) -> SchemeRead:
    """Set the assessment scheme of one level: components with weights adding up to 100 and
    the pass mark (the provider's registrars, bank administrators). A changed scheme is a new
    version; results keep the version that weighed them."""
    command = SetScheme(code, body.level, body.scheme())
    found = profiles.set_scheme(command, principal=principal, uow=uow)
    return SchemeRead.of(found, request.state.language)


@api.post(
    "/xcerts/{code}/offerings",
    status_code=status.HTTP_201_CREATED,
    response_model=XcertDetailRead,
    responses=responses(401, 403, 404, 422),
)
def declare_offering(
    code: str, body: OfferingCreate, request: Request, uow: Uow, principal: Authenticated
) -> XcertDetailRead:
    """Declare that a pilot school offers a level of the certificate, and whether it is an
    assessment centre for it (`active: false` ends the offering); the provider's registrars,
    bank administrators."""
    command = DeclareOffering(code, body.offering())
    return XcertDetailRead.of_detail(
        profiles.declare_offering(command, principal=principal, uow=uow), request.state.language
    )


@api.post(
    "/xcerts/{code}/teachers",
    status_code=status.HTTP_201_CREATED,
    response_model=TeacherRead,
    responses=responses(401, 403, 404, 422),
)
def train_teacher(
    code: str,
    body: TeacherCreate,
    request: Request,
    uow: Uow,
    today: Today,
    principal: Authenticated,
) -> TeacherRead:
    """Record a teacher's completed training (e.g. the 5-day course) and/or certify them as
    teacher, assessor or both (dual certification) with a validity (the provider's
    registrars, bank administrators). A certification needs the training first."""
    command = TrainTeacher(
        code,
        email=body.email,
        id_number=body.id_number,
        training=None if body.training is None else body.training.training(),
        certifying=None if body.certify is None else body.certify.certifying(),
        today=today,
    )
    return TeacherRead.of(
        teachers.train_teacher(command, principal=principal, uow=uow, cipher=cipher_of(request))
    )


@api.post(
    "/xcerts/{code}/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def schedule_session(
    code: str,
    body: SessionCreate,
    request: Request,
    uow: Uow,
    today: Today,
    principal: Authenticated,
) -> SessionRead:
    """Schedule an assessment session at an assessment centre for one level (the centre's
    registrars, the provider's, bank administrators); 409 when the centre holds one of that
    level on that day already."""
    command = ScheduleSession(code, body.centre, body.level, body.held_on, today)
    session = sessions.schedule_session(command, principal=principal, uow=uow)
    return SessionRead.of(session, request.state.language)


@api.get(
    "/sessions/{session_id}",
    response_model=SessionDetailRead,
    responses=responses(401, 403, 404),
)
def read_session(
    session_id: int, request: Request, uow: Uow, principal: Authenticated
) -> SessionDetailRead:
    """A session with its candidates (account numbers, fee exemption, results, outcomes): the
    staff of the centre and of the provider, bank administrators, auditors."""
    detail = views.show_session(ShowSession(session_id), principal=principal, uow=uow)
    return SessionDetailRead.of_detail(detail, request.state.language)


@api.post(
    "/sessions/{session_id}/candidates",
    status_code=status.HTTP_201_CREATED,
    response_model=CandidateRead,
    responses=responses(401, 403, 404, 409, 422),
)
def register_candidate(
    session_id: int, body: CandidateCreate, uow: Uow, principal: Authenticated
) -> CandidateRead:
    """Register a learner for the session by account number, with the fee-exemption flag (the
    centre's registrars, bank administrators); 409 when registered already or results are in."""
    command = RegisterCandidate(session_id, body.account_number, body.fee_exempt)
    return CandidateRead.of(sessions.register_candidate(command, principal=principal, uow=uow))


@api.post(
    "/sessions/{session_id}/results",
    status_code=status.HTTP_201_CREATED,
    response_model=ResultsRead,
    responses=responses(401, 403, 404, 409, 413, 422),
)
def record_results(
    session_id: int,
    request: Request,
    today: Today,
    principal: Authenticated,
    assessor: Annotated[str, Form(description="E-mail of the certified assessor who marked.")],
    file: Annotated[
        UploadFile,
        File(
            description="CSV, XLSX or JSON Lines: id_number (or account_number, or both), name "
            "and a mark per component; headers in English or Chinese, in any order."
        ),
    ],
    file_format: Annotated[FileFormat | None, Form(alias="format")] = None,
) -> ResultsRead:
    """Record a session's results in bulk, all or nothing (the provider's registrars, bank
    administrators), in the name of an assessor certified for the level on the session's day.
    Marks are weighed by the level's scheme; each passing candidate receives the X certificate
    in their account through a deposit batch. 422 `results-rejected` names every bad row."""
    database = request.app.state.database
    filename = file.filename or "results"
    command = RecordResults(session_id, assessor, filename, file_format, file.file, today)
    with database.unit_of_work() as uow:
        recorded = results.record_results(
            command,
            principal=principal,
            uow=uow,
            database=database,
            cipher=cipher_of(request),
            limits=limits_of(request.app.state.settings),
        )
    return ResultsRead.of(recorded, request.state.language)


@api.get("/stats/1x", response_model=StatsRead, responses=responses(401))
def read_stats(request: Request, uow: Uow, principal: Authenticated) -> StatsRead:
    """The 1+X figures: certificates by approval round, pilot schools by type, and candidates
    registered, fee-exempt, assessed and certified by province (of the assessment centre) and
    by certificate."""
    found = statistics.show_stats(ShowStats(), principal=principal, uow=uow)
    return StatsRead.of(found, request.state.language)
