"""What a provider keeps of its X certificates: the profile (industry area, validity), the
assessment scheme of each level (kept by accreditation) and the pilot schools that offer a
level (and whether each is an assessment centre for it).

The handlers check the policy (the provider's registrars, bank administrators; a scheme also
the provider's accreditation officers), then call the internals below, which
:mod:`creditbank.xcerts.api` also offers to trusted callers (the demo).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from creditbank.access.policy import Action, Principal, require
from creditbank.accreditation import api as accreditation
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler
from creditbank.xcerts.commands import DeclareOffering, SetProfile, SetScheme
from creditbank.xcerts.data import LevelScheme, XcertDetail, xcert_ref
from creditbank.xcerts.model import (
    Offering,
    Profile,
    XcertError,
    check_offering,
    check_profile,
)
from creditbank.xcerts.reading import find_xcert, get_xcert, level_of, xcert_owner
from creditbank.xcerts.tables import OfferingRow, ProfileRow


@handler
def set_profile(command: SetProfile, *, principal: Principal, uow: UnitOfWork) -> XcertDetail:
    require(principal, Action.MANAGE_XCERT, xcert_owner(uow=uow, ref=command.ref))
    return store_profile(uow=uow, ref=command.ref, profile=command.profile, by=principal.email)


@handler
def set_scheme(command: SetScheme, *, principal: Principal, uow: UnitOfWork) -> LevelScheme:
    """The level's scheme as it now stands."""
    require(principal, Action.DEFINE_SCHEME, xcert_owner(uow=uow, ref=command.ref))
    stored = store_scheme(
        uow=uow, ref=command.ref, level=command.level, scheme=command.scheme, by=principal.email
    )
    [found] = [
        scheme
        for scheme in get_xcert(uow=uow, ref=command.ref).schemes
        if scheme.level.level_id == stored.level_id
    ]
    return found


@handler
def declare_offering(
    command: DeclareOffering, *, principal: Principal, uow: UnitOfWork
) -> XcertDetail:
    require(principal, Action.MANAGE_XCERT, xcert_owner(uow=uow, ref=command.ref))
    return store_offering(uow=uow, ref=command.ref, offering=command.offering, by=principal.email)


def store_profile(*, uow: UnitOfWork, ref: str, profile: Profile, by: str) -> XcertDetail:
    """Set an X certificate's industry area and validity (a new version of its profile)."""
    problems = check_profile(profile)
    if problems:
        raise XcertError(
            "invalid_xcert", msg("the X certificate's details are not valid"), problems
        )
    item = find_xcert(uow=uow, ref=ref)
    current = uow.session.scalar(
        select(func.max(ProfileRow.version)).where(ProfileRow.item_id == item.id)
    )
    uow.session.add(
        ProfileRow(
            item_id=item.id,
            version=(current or 0) + 1,
            industry=profile.industry.strip(),
            industry_en=profile.industry_en.strip(),
            valid_years=profile.valid_years,
            set_by=by,
            set_at=datetime.now(UTC),
        )
    )
    uow.session.flush()
    return get_xcert(uow=uow, ref=xcert_ref(item))


def store_scheme(
    *, uow: UnitOfWork, ref: str, level: str, scheme: accreditation.Scheme, by: str
) -> accreditation.SchemeVersion:
    """Set the assessment scheme of one level of an X certificate (kept by accreditation)."""
    item = find_xcert(uow=uow, ref=ref)
    return accreditation.set_scheme(
        uow=uow, item_ref=xcert_ref(item), level=level, scheme=scheme, by=by
    )


def store_offering(*, uow: UnitOfWork, ref: str, offering: Offering, by: str) -> XcertDetail:
    """Declare that a pilot school offers one level of an X certificate (and whether it is an
    assessment centre for it), or, with ``active`` False, that it no longer does."""
    item = find_xcert(uow=uow, ref=ref)
    pinned = level_of(item, offering.level)
    school_code = offering.school.strip().upper()
    school = institutions.get_institution(uow=uow, code=school_code)
    problems = check_offering(
        school_type=school.type.value, school=school.code, provider=item.institution
    )
    if problems:
        raise XcertError("invalid_offering", msg("the offering cannot be declared"), problems)
    uow.session.add(
        OfferingRow(
            item_id=item.id,
            school_id=institutions.institution_id(uow=uow, code=school.code),
            framework_level_id=pinned.level_id,
            assessment_centre=offering.assessment_centre and offering.active,
            active=offering.active,
            declared_by=by,
            declared_at=datetime.now(UTC),
        )
    )
    uow.session.flush()
    return get_xcert(uow=uow, ref=xcert_ref(item))
