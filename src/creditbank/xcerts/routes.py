"""HTTP for the 1+X operations: X certificates (profile, schemes, pilot schools, teachers),
assessment sessions (candidates, results in bulk) and the statistics. Thin: authenticate,
check the policy, call the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status

from creditbank.access.policy import Action, require, require_any
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat
from creditbank.file_limits import limits_of
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Today, Uow
from creditbank.web.problems import responses
from creditbank.xcerts import service
from creditbank.xcerts.files import read_results
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


def _cipher(request: Request) -> PersonalDataCipher:
    cipher: PersonalDataCipher = request.app.state.cipher
    return cipher


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
    require(principal, Action.READ_CATALOG, None)
    found = service.list_xcerts(uow=uow, approval_round=approval_round, provider=provider)
    return [XcertRead.of(xcert, request.state.language) for xcert in found]


@api.get("/xcerts/{code}", response_model=XcertDetailRead, responses=responses(401, 404, 422))
def read_xcert(code: str, request: Request, uow: Uow, principal: Authenticated) -> XcertDetailRead:
    """An X certificate: its assessment scheme per level, pilot schools (assessment centres
    marked), sessions, teachers' trainings and certifications."""
    require(principal, Action.READ_CATALOG, None)
    return XcertDetailRead.of_detail(service.get_xcert(uow=uow, ref=code), request.state.language)


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
    require(principal, Action.MANAGE_XCERT, service.xcert_owner(uow=uow, ref=code))
    return XcertDetailRead.of_detail(
        service.set_profile(uow=uow, ref=code, profile=body.profile(), by=principal.email),
        request.state.language,
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
    require(principal, Action.DEFINE_SCHEME, service.xcert_owner(uow=uow, ref=code))
    stored = service.set_level_scheme(
        uow=uow, ref=code, level=body.level, scheme=body.scheme(), by=principal.email
    )
    detail = service.get_xcert(uow=uow, ref=code)
    [found] = [s for s in detail.schemes if s.level.level_id == stored.level_id]
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
    require(principal, Action.MANAGE_XCERT, service.xcert_owner(uow=uow, ref=code))
    return XcertDetailRead.of_detail(
        service.declare_offering(uow=uow, ref=code, offering=body.offering(), by=principal.email),
        request.state.language,
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
    owner = service.xcert_owner(uow=uow, ref=code)
    require(principal, Action.MANAGE_XCERT, owner)
    if body.certify is not None:
        require(principal, Action.CERTIFY, owner)
    return TeacherRead.of(
        service.train_teacher(
            uow=uow,
            cipher=_cipher(request),
            ref=code,
            email=body.email,
            id_number=body.id_number,
            training=None if body.training is None else body.training.training(),
            certifying=None if body.certify is None else body.certify.certifying(),
            by=principal.email,
            today=today,
        )
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
    owners = [service.xcert_owner(uow=uow, ref=code), body.centre.strip().upper()]
    require_any(principal, Action.SCHEDULE_SESSION, owners)
    session = service.schedule_session(
        uow=uow,
        ref=code,
        centre=body.centre,
        level=body.level,
        held_on=body.held_on,
        by=principal.email,
        today=today,
    )
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
    require_any(
        principal, Action.READ_OUTCOMES, service.session_parties(uow=uow, session_id=session_id)
    )
    return SessionDetailRead.of_detail(
        service.get_session(uow=uow, session_id=session_id), request.state.language
    )


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
    centre, _provider = service.session_parties(uow=uow, session_id=session_id)
    require(principal, Action.REGISTER_CANDIDATE, centre)
    return CandidateRead.of(
        service.register_candidate(
            uow=uow,
            session_id=session_id,
            account_number=body.account_number,
            fee_exempt=body.fee_exempt,
            by=principal.email,
        )
    )


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
        File(description="CSV, XLSX or JSON Lines: id_number, name and a mark per component."),
    ],
    file_format: Annotated[FileFormat | None, Form(alias="format")] = None,
) -> ResultsRead:
    """Record a session's results in bulk, all or nothing (the provider's registrars, bank
    administrators), in the name of an assessor certified for the level on the session's day.
    Marks are weighed by the level's scheme; each passing candidate receives the X certificate
    in their account through a deposit batch. 422 `results-rejected` names every bad row."""
    database = request.app.state.database
    with database.unit_of_work() as uow:
        _centre, provider = service.session_parties(uow=uow, session_id=session_id)
    require(principal, Action.RECORD_RESULTS, provider)
    filename = file.filename or "results"
    chosen = file_format or FileFormat.of(filename)
    header, rows = read_results(file.file, chosen, limits_of(request.app.state.settings))
    recorded = service.record_results(
        database=database,
        cipher=_cipher(request),
        session_id=session_id,
        header=header,
        rows=rows,
        assessor=assessor.strip(),
        by=principal.email,
        filename=filename,
        file_format=chosen,
        today=today,
    )
    return ResultsRead.of(recorded, request.state.language)


@api.get("/stats/1x", response_model=StatsRead, responses=responses(401))
def read_stats(request: Request, uow: Uow, principal: Authenticated) -> StatsRead:
    """The 1+X figures: certificates by approval round, pilot schools by type, and candidates
    registered, fee-exempt, assessed and certified by province (of the assessment centre) and
    by certificate."""
    require(principal, Action.READ_CATALOG, None)
    return StatsRead.of(service.stats(uow=uow), request.state.language)
