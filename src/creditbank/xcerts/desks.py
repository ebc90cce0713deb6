"""The queries behind the staff's 1+X pages: a desk per institution (the certificates it
provides, the levels it offers as a pilot school, the sessions it holds or provides), a
certificate as its staff keep it, and a session as its staff keep it, each with what the
reader may change, so that a page shows only the forms its reader may send (the handlers of
the changes check the policy again).

Who reads: every staff role reads the catalogue (a desk, a certificate); a session is read as
:func:`creditbank.xcerts.views.show_session` reads it (the staff of its centre and of its
provider, bank administrators and auditors).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_

from creditbank.access.policy import Action, Principal, allowed, require, require_any
from creditbank.accreditation import api as accreditation
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.usecases import handler
from creditbank.xcerts import reading
from creditbank.xcerts.commands import ShowCertificateDesk, ShowSessionDesk, ShowXcertDesk
from creditbank.xcerts.data import School, SessionDetail, SessionView, Xcert, XcertDetail
from creditbank.xcerts.model import PILOT_SCHOOL_TYPES
from creditbank.xcerts.tables import SessionRow


@dataclass(frozen=True, slots=True)
class OfferedLevel:
    """A level of an X certificate a pilot school offers (and perhaps assesses)."""

    xcert: Xcert
    level: frameworks.PinnedLevel
    assessment_centre: bool


@dataclass(frozen=True, slots=True)
class XcertDesk:
    institution: str | None
    """The reader's institution (None: a bank-wide reader, who sees every certificate)."""
    provided: tuple[Xcert, ...]
    offered: tuple[OfferedLevel, ...]
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True, slots=True)
class CertificateDesk:
    detail: XcertDetail
    may_manage: bool
    """May declare offerings and record teachers' training (the provider's registrars)."""
    may_certify: bool
    schools: tuple[School, ...]
    """The institutions that may be its pilot schools (for the offering form)."""
    centres: tuple[School, ...]
    """The assessment centres where the reader may schedule a session."""


@dataclass(frozen=True, slots=True)
class SessionDesk:
    detail: SessionDetail
    components: tuple[str, ...]
    """The components of the level's current scheme (the results file's mark columns)."""
    assessors: tuple[str, ...]
    """Who holds an assessor certification of the level valid on the session's day."""
    may_register: bool
    may_record: bool


@handler
def show_xcert_desk(query: ShowXcertDesk, *, principal: Principal, uow: UnitOfWork) -> XcertDesk:
    del query  # the desk is the reader's institution's
    require(principal, Action.READ_CATALOG, principal.institution)
    everything = reading.list_xcerts(uow=uow)
    code = principal.institution
    if code is None:
        return XcertDesk(None, tuple(everything), (), tuple(reading.sessions(uow)))
    provided = [xcert for xcert in everything if xcert.item.institution == code]
    school_id = institutions.institution_id(uow=uow, code=code)
    by_id = {xcert.item.id: xcert for xcert in everything}
    offered = []
    for row in reading.current_offerings(uow, by_id):
        if row.school_id != school_id:
            continue
        xcert = by_id[row.item_id]
        levels = {pinned.level_id: pinned for pinned in xcert.item.levels}
        if row.framework_level_id in levels:
            offered.append(
                OfferedLevel(xcert, levels[row.framework_level_id], row.assessment_centre)
            )
    held = reading.sessions(
        uow,
        or_(
            SessionRow.centre_id == school_id,
            SessionRow.item_id.in_([xcert.item.id for xcert in provided] or [0]),
        ),
    )
    return XcertDesk(code, tuple(provided), tuple(offered), tuple(held))


@handler
def show_certificate_desk(
    query: ShowCertificateDesk, *, principal: Principal, uow: UnitOfWork
) -> CertificateDesk:
    require(principal, Action.READ_CATALOG, principal.institution)
    detail = reading.get_xcert(uow=uow, ref=query.ref)
    provider = detail.xcert.item.institution
    may_manage = allowed(principal, Action.MANAGE_XCERT, provider)
    schools: tuple[School, ...] = ()
    if may_manage:
        schools = tuple(
            sorted(
                (
                    school
                    for school in reading.schools(uow).values()
                    if school.type in PILOT_SCHOOL_TYPES and school.code != provider
                ),
                key=lambda school: school.code,
            )
        )
    centres = {
        offering.school.code: offering.school
        for offering in detail.offerings
        if offering.assessment_centre
        and (
            allowed(principal, Action.SCHEDULE_SESSION, provider)
            or allowed(principal, Action.SCHEDULE_SESSION, offering.school.code)
        )
    }
    return CertificateDesk(
        detail,
        may_manage=may_manage,
        may_certify=may_manage and allowed(principal, Action.CERTIFY, provider),
        schools=schools,
        centres=tuple(centres[code] for code in sorted(centres)),
    )


@handler
def show_session_desk(
    query: ShowSessionDesk, *, principal: Principal, uow: UnitOfWork
) -> SessionDesk:
    centre, provider = reading.session_parties(uow=uow, session_id=query.session_id)
    require_any(principal, Action.READ_OUTCOMES, (centre, provider))
    detail = reading.get_session(uow=uow, session_id=query.session_id)
    session = detail.session
    item = reading.find_xcert(uow=uow, ref=session.xcert)
    scheme = accreditation.current_scheme(uow=uow, item_id=item.id, level_id=session.level.level_id)
    assessors = sorted(
        {
            certification.email
            for certification in accreditation.certifications_for(uow=uow, item_id=item.id)
            if certification.kind == accreditation.CertificationKind.ASSESSOR
            and certification.level in (None, session.level.level.code)
            and certification.covers(session.held_on)
        }
    )
    return SessionDesk(
        detail,
        components=()
        if scheme is None
        else tuple(component.kind.value for component in scheme.scheme.components),
        assessors=tuple(assessors),
        may_register=allowed(principal, Action.REGISTER_CANDIDATE, centre),
        may_record=allowed(principal, Action.RECORD_RESULTS, provider),
    )
