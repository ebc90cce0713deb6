"""Who may read and import competence standards, set schemes, certify staff, apply, assess,
decide, confirm, appeal and read applications and queues (handlers of
``creditbank.accreditation``); and that a learner's own handlers reach only the learner's own
applications.

The owners are as in the HTTP matrix (``tests/api/access_matrix/``): a standard's or an
item's owner; for applying, the institution the learner consents to; an application's centre
(reading at the centre, assigning, confirming, the queue) or the institution that applied for
the learner (appealing, adding evidence); for marks and decisions, the institution of the
assessor the application is assigned to (the matrix's assessor is ``OWN``'s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accreditation import (
    applications,
    assessment,
    certifications,
    decisions,
    filing,
    learners,
    schemes,
    standards,
    views,
)
from creditbank.accreditation.commands import (
    AddMoreEvidence,
    AddOwnEvidence,
    AppealDecision,
    AppealOwnDecision,
    ApplyForLearner,
    AssignAssessor,
    CertifyStaff,
    CheckStep,
    ConfirmDecision,
    DecideApplication,
    EvidenceUpload,
    ImportStandard,
    ListCertifications,
    ListOwnApplications,
    ListStandards,
    MayReadApplication,
    ScoreApplication,
    SetScheme,
    ShowApplication,
    ShowApplicationDesk,
    ShowApplicationEvidence,
    ShowOwnApplication,
    ShowOwnEvidence,
    ShowQueue,
    ShowQueueDesk,
    ShowSchemeToMark,
    ShowStandard,
)
from creditbank.accreditation.model import (
    AccreditationError,
    Decision,
    State,
    Step,
)
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from tests.access.accreditation_bank import (
    APPLICANTS,
    ASSESSOR,
    ASSESSORS,
    CIPHER,
    MARKS,
    NOW,
    OFFICERS,
    PDF,
    SCHEME_KEEPERS,
    STANDARDS,
    TODAY,
    UNIT,
    Bank,
    Made,
    applied_for,
    at,
    build,
    evidence_file,
    learner,
    learner_id,
    scheme,
    serials,
    standard_draft,
)
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
from tests.bulk_files import id_number


@pytest.fixture(scope="module", autouse=True)
def _accreditation_bank(
    access_database: Database, principals: dict[Role, Principal]
) -> Iterator[None]:
    build(access_database, principals)
    yield
    Bank.users = {}


def _new_standard(institution: str | None) -> ImportStandard:
    code = f"ACCESS-NEW-{next(serials)}"
    return ImportStandard(standard_draft(code, f"U-{code}"), "1" * 64, TODAY, institution)


def _certify(owner: str) -> CertifyStaff:
    return CertifyStaff(
        email=ASSESSORS[OWN],
        kind="assessor",
        item_ref=f"{owner}:{UNIT[owner]}",
        id_number=id_number(next(serials)),
        valid_from=TODAY,
        valid_until=TODAY + timedelta(days=30),
        training="矩阵培训",
    )


def _applying(code: str) -> Callable[[UnitOfWork], ApplyForLearner]:
    """Applying to OTHER's centre for a new learner consenting to ``code`` ("": to none), with a
    file the centre holds (one a bank administrator may attach as well as a registrar)."""

    def build(uow: UnitOfWork) -> ApplyForLearner:
        return ApplyForLearner(
            account_number=learner(uow, code),
            centre=OTHER,
            standard=STANDARDS[OWN],
            unit=UNIT[OWN],
            setting="informal",
            statement="在地铁站做了三年站务员。",
            evidence=((evidence_file(uow, OTHER), "工作证明"),),
            at=NOW,
        )

    return build


def _assigned(
    code: str, until: State, build: Callable[[str], object]
) -> Callable[[UnitOfWork], object]:
    """``build`` on an application at OTHER's centre assigned to ``code``'s assessor."""
    return lambda uow: build(at(OTHER, until, assessor=ASSESSORS[code])(uow).public_id)


def _confirming(code: str) -> Callable[[UnitOfWork], ConfirmDecision]:
    """Confirming a decision at ``code``'s centre (decided by OTHER's assessor)."""
    return lambda uow: ConfirmDecision(
        at(code, State.DECIDED, assessor=ASSESSORS[OTHER])(uow).public_id, agree=True
    )


def _applicants(
    code: str, until: State, build: Callable[[Made], object]
) -> Callable[[UnitOfWork], object]:
    return lambda uow: build(applied_for(code, until)(uow))


def _score(public_id: str) -> ScoreApplication:
    return ScoreApplication(public_id, MARKS, TODAY, "面谈记录已存档")


def _decide(public_id: str) -> DecideApplication:
    return DecideApplication(public_id, Decision.ACCREDITED, "矩阵", TODAY)


def _check_deciding(public_id: str) -> CheckStep:
    return CheckStep(public_id, Step.DECIDE)


def _appeal(made: Made) -> AppealDecision:
    return AppealDecision(made.public_id, "面谈时未考虑夜班处置经历")


def _more_evidence(made: Made) -> AddMoreEvidence:
    return AddMoreEvidence(made.public_id, ((made.sha256, "年度考核记录"),))


_MARKING: list[tuple[str, Callable[..., object], State, Callable[[str], object]]] = [
    ("score", assessment.score_application, State.ASSIGNED, _score),
    ("scheme to mark", assessment.show_scheme_to_mark, State.ASSIGNED, ShowSchemeToMark),
    ("decide", assessment.decide_application, State.SCORED, _decide),
    ("check deciding", assessment.check_step, State.SCORED, _check_deciding),
]
_FOR_THE_LEARNER: list[tuple[str, Callable[..., object], State, Callable[[Made], object]]] = [
    ("appeal", filing.appeal_decision, State.NOT_ACCREDITED, _appeal),
    ("add evidence", filing.add_more_evidence, State.MORE_EVIDENCE, _more_evidence),
]


def _read_doors(
    name: str, handler: Callable[..., object], query: Callable[[Made], object]
) -> list[Door]:
    """A reading handler tried on applications at either centre, applied for by either
    institution, and assigned to the matrix's assessor."""
    return [
        Door(f"{name} at own centre", handler, lambda uow: query(at(OWN)(uow)), RECORD_READERS),
        Door(f"{name} at another centre", handler, lambda uow: query(at(OTHER)(uow)), READERS),
        Door(
            f"{name} applied for by own",
            handler,
            lambda uow: query(at(OTHER, applied_by=OWN)(uow)),
            RECORD_READERS,
        ),
        Door(
            f"{name} assigned to own assessor",
            handler,
            lambda uow: query(
                at(OTHER, State.ASSIGNED, applied_by=OTHER, assessor=ASSESSORS[OWN])(uow)
            ),
            READERS | ASSESSOR,
        ),
    ]


DOORS = [
    # --- standards, schemes, certifications
    Door("list standards", standards.show_standards, lambda _: ListStandards(), EVERY_ROLE),
    Door(
        "read own standard",
        standards.show_standard,
        lambda _: ShowStandard(STANDARDS[OWN]),
        EVERY_ROLE,
    ),
    Door(
        "read another's standard",
        standards.show_standard,
        lambda _: ShowStandard(STANDARDS[OTHER]),
        EVERY_ROLE,
    ),
    Door(
        "import a standard for own",
        standards.import_standard_version,
        lambda _: _new_standard(OWN),
        OFFICERS,
    ),
    Door(
        "import a standard for another",
        standards.import_standard_version,
        lambda _: _new_standard(OTHER),
        BANK_WIDE,
    ),
    # an officer imports for their own institution; a bank administrator is let through and then
    # asked to name the institution
    Door(
        "import a standard naming no institution",
        standards.import_standard_version,
        lambda _: _new_standard(None),
        OFFICERS,
    ),
    Door(
        "set the scheme of own item",
        schemes.define_scheme,
        lambda _: SetScheme(f"{OWN}:{UNIT[OWN]}", "4", scheme()),
        SCHEME_KEEPERS,
    ),
    Door(
        "set the scheme of another's item",
        schemes.define_scheme,
        lambda _: SetScheme(f"{OTHER}:{UNIT[OTHER]}", "4", scheme()),
        BANK_WIDE,
    ),
    Door(
        "certify for own item",
        certifications.certify_staff,
        lambda _: _certify(OWN),
        SCHEME_KEEPERS,
        {"cipher": CIPHER},
    ),
    Door(
        "certify for another's item",
        certifications.certify_staff,
        lambda _: _certify(OTHER),
        BANK_WIDE,
        {"cipher": CIPHER},
    ),
    Door(
        "list own staff's certifications",
        certifications.list_certifications,
        lambda _: ListCertifications(ASSESSORS[OWN]),
        EVERY_ROLE,
    ),
    Door(
        "list another's staff's certifications",
        certifications.list_certifications,
        lambda _: ListCertifications(ASSESSORS[OTHER]),
        READERS,
    ),
    # --- applying, for a learner who consents to own, another or no institution
    *(
        Door(
            f"apply for a learner consenting to {who}",
            filing.apply_for_learner,
            _applying(code),
            allowed,
        )
        for who, code, allowed in (
            ("own", OWN, APPLICANTS),
            ("another", OTHER, BANK_WIDE),
            ("none", "", BANK_WIDE),
        )
    ),
    # --- reading
    *_read_doors("read", views.show_application, lambda made: ShowApplication(made.public_id)),
    *_read_doors(
        "desk",
        views.show_application_desk,
        lambda made: ShowApplicationDesk(made.public_id, TODAY),
    ),
    *_read_doors(
        "evidence",
        views.show_application_evidence,
        lambda made: ShowApplicationEvidence(made.public_id, made.sha256),
    ),
    # answers whether the user may read; it refuses nobody (what it answers: see below)
    Door(
        "may read",
        views.may_read_application,
        lambda uow: MayReadApplication(at(OTHER)(uow).public_id),
        EVERY_ROLE,
    ),
    Door("own centre's queue", views.show_queue, lambda _: ShowQueue(OWN, TODAY), RECORD_READERS),
    Door("another centre's queue", views.show_queue, lambda _: ShowQueue(OTHER, TODAY), READERS),
    Door(
        "own centre's queue page",
        views.show_queue_desk,
        lambda _: ShowQueueDesk(OWN, TODAY),
        RECORD_READERS,
    ),
    Door(
        "another centre's queue page",
        views.show_queue_desk,
        lambda _: ShowQueueDesk(OTHER, TODAY),
        READERS,
    ),
    # --- steps
    Door(
        "assign at own centre",
        assessment.assign_assessor,
        lambda uow: AssignAssessor(at(OWN)(uow).public_id, ASSESSORS[OTHER], TODAY),
        OFFICERS,
    ),
    Door(
        "assign at another centre",
        assessment.assign_assessor,
        lambda uow: AssignAssessor(at(OTHER)(uow).public_id, ASSESSORS[OTHER], TODAY),
        BANK_WIDE,
    ),
    Door(
        "check assigning at own centre",
        assessment.check_step,
        lambda uow: CheckStep(at(OWN)(uow).public_id, Step.ASSIGN),
        OFFICERS,
    ),
    Door(
        "check assigning at another centre",
        assessment.check_step,
        lambda uow: CheckStep(at(OTHER)(uow).public_id, Step.ASSIGN),
        BANK_WIDE,
    ),
    # marks and decisions: the policy lets assessors through; the use case then refuses all but
    # the assigned one (not-the-assessor), which the HTTP matrix shows
    *(
        Door(
            f"{name} assigned to {who} assessor",
            handler,
            _assigned(code, until, build),
            ASSESSOR,
        )
        for who, code in (("own", OWN), ("another's", OTHER))
        for name, handler, until, build in _MARKING
    ),
    *(
        Door(
            f"confirm at {who} centre",
            decisions.confirm_decision,
            _confirming(code),
            allowed,
        )
        for who, code, allowed in (("own", OWN, OFFICERS), ("another", OTHER, BANK_WIDE))
    ),
    Door(
        "check returning at own centre",
        assessment.check_step,
        lambda uow: CheckStep(
            at(OWN, State.DECIDED, assessor=ASSESSORS[OTHER])(uow).public_id, Step.RETURN
        ),
        OFFICERS,
    ),
    *(
        Door(f"{name} applied for by {who}", handler, _applicants(code, until, build), allowed)
        for who, code, allowed in (
            ("own", OWN, APPLICANTS),
            ("another", OTHER, BANK_WIDE),
            ("the learner", "", BANK_WIDE),
        )
        for name, handler, until, build in _FOR_THE_LEARNER
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(access_database: Database, principals: dict[Role, Principal], door: Door) -> None:
    assert let_through(access_database, principals, door) == door.allowed


def test_may_read_answers_for_the_readers_only(
    access_database: Database, principals: dict[Role, Principal]
) -> None:
    with access_database.unit_of_work() as uow:
        at_other = at(OTHER)(uow).public_id
        at_own = at(OWN)(uow).public_id
        answers = {
            role: (
                views.may_read_application(MayReadApplication(at_own), principal=who, uow=uow),
                views.may_read_application(MayReadApplication(at_other), principal=who, uow=uow),
            )
            for role, who in principals.items()
        }
        uow.session.rollback()
    # an employer reads no applications, not even at its own institution
    assert answers == {role: (role in RECORD_READERS, role in READERS) for role in Role}


def _as_learner(uow: UnitOfWork, number: str) -> LearnerPrincipal:
    return LearnerPrincipal(learner_id=learner_id(uow, number), account_number=number)


def test_a_learner_reaches_only_their_own_applications(access_database: Database) -> None:
    """Another learner's application is "not found" to every learner handler."""
    with access_database.unit_of_work() as uow:
        mine = applied_for("", State.MORE_EVIDENCE)(uow)
        theirs = applied_for("", State.NOT_ACCREDITED)(uow)
        me = _as_learner(uow, mine.account_number)
        listed = learners.list_own_applications(ListOwnApplications(), principal=me, uow=uow)
        assert [a.public_id for a in listed] == [mine.public_id]
        shown = learners.show_own_application(
            ShowOwnApplication(mine.public_id), principal=me, uow=uow
        )
        assert shown.account_number == mine.account_number
        upload = EvidenceUpload(PDF + b"more", None, "补充材料")
        refused: dict[str, Callable[[], object]] = {
            "show": lambda: learners.show_own_application(
                ShowOwnApplication(theirs.public_id), principal=me, uow=uow
            ),
            "evidence": lambda: learners.show_own_evidence(
                ShowOwnEvidence(theirs.public_id, theirs.sha256), principal=me, uow=uow
            ),
            "appeal": lambda: learners.appeal_own_decision(
                AppealOwnDecision(theirs.public_id, "面谈时未考虑夜班处置经历"),
                principal=me,
                uow=uow,
            ),
            "add evidence": lambda: learners.add_own_evidence(
                AddOwnEvidence(theirs.public_id, (upload,)), principal=me, uow=uow, max_bytes=1000
            ),
        }
        codes = {}
        for name, call in refused.items():
            with pytest.raises(AccreditationError) as raised:
                call()
            codes[name] = raised.value.code
        assert applications.get_application(uow=uow, public_id=theirs.public_id).state is (
            State.NOT_ACCREDITED
        )
        uow.session.rollback()
    assert codes == dict.fromkeys(refused, "application_not_found")
