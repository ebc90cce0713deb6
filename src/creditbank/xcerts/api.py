"""What other areas may use of the 1+X operations: functions and plain data types, never a
table class; the facts its statistics rebuild from (:func:`xcert_facts`, a source of
``stats.api.FACT_SOURCES``).

The demo builds seed 004's BIM certificate through these functions in the name of a given
staff user (``by``): they check no access policy (the caller is trusted code at the server;
every entry point goes through the handlers, which do).
"""

from __future__ import annotations

from collections.abc import Iterable

from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.xcerts.data import ResultsRecorded, SessionView, TeacherRecord, XcertDetail
from creditbank.xcerts.figures import xcert_facts
from creditbank.xcerts.model import Certifying, Offering, Profile, Training
from creditbank.xcerts.profiles import store_offering as declare_offering
from creditbank.xcerts.profiles import store_profile as set_profile
from creditbank.xcerts.profiles import store_scheme as set_level_scheme
from creditbank.xcerts.reading import current_offerings
from creditbank.xcerts.results import store_results as record_results
from creditbank.xcerts.sessions import store_candidate as register_candidate
from creditbank.xcerts.sessions import store_session as schedule_session
from creditbank.xcerts.teachers import record_teacher as train_teacher


def offering_schools(uow: UnitOfWork, item_ids: Iterable[int]) -> dict[tuple[int, int], list[str]]:
    """The pilot schools (codes, sorted) offering each level of these X certificates now, by
    (item row id, framework level row id): where a learner can take one (matching, issue 20)."""
    codes = institutions.institution_codes(uow=uow)
    found: dict[tuple[int, int], list[str]] = {}
    for row in current_offerings(uow, item_ids):
        found.setdefault((row.item_id, row.framework_level_id), []).append(codes[row.school_id])
    return {key: sorted(schools) for key, schools in found.items()}


__all__ = [
    "Certifying",
    "Offering",
    "Profile",
    "ResultsRecorded",
    "SessionView",
    "TeacherRecord",
    "Training",
    "XcertDetail",
    "declare_offering",
    "offering_schools",
    "record_results",
    "register_candidate",
    "schedule_session",
    "set_level_scheme",
    "set_profile",
    "train_teacher",
    "xcert_facts",
]
