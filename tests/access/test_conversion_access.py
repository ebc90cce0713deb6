"""Who may define programmes, draft and approve rules, read progress and request and decide on
conversions (handlers of ``creditbank.conversion``), on their own institution's and another's.

The world: each institution runs a programme whose one component a course of its own exempts
under an approved rule; a learner holds that course of each institution. Conversions and new
rule versions that a door needs are made inside the try (rolled back). A learner's own handlers
have no staff door: a test shows a learner reads and requests for their own account only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count

import pytest

from creditbank.access.policy import AccessError, LearnerPrincipal, Principal
from creditbank.accounts import api as accounts
from creditbank.accounts import outcomes
from creditbank.accounts import service as account_service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.consents import service as consents
from creditbank.conversion import (
    conversion_store,
    programme_store,
    programmes,
    requests,
    rule_store,
    rules,
    views,
)
from creditbank.conversion.commands import (
    ApproveRule,
    ConfirmConversion,
    CorrectTransfers,
    DeclineConversion,
    DefineProgramme,
    DraftRule,
    ListConversions,
    ListProgrammes,
    ListRules,
    RejectRule,
    RequestConversion,
    RequestOwnConversion,
    RetireRule,
    ReverseConversion,
    ShowApprovalQueue,
    ShowConversion,
    ShowConversionDesk,
    ShowDraftingChoices,
    ShowOwnProgress,
    ShowProgramme,
    ShowProgress,
    ShowRule,
    ShowRuleDesk,
    ShowRulePage,
    ShowRuleToRedraft,
    ShowRuleToRetire,
    SubmitRule,
)
from creditbank.conversion.model import Component, RuleDraft, SourceSpec, Target, TargetKind
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
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

ON = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 4, tzinfo=UTC)
DRAFTERS = frozenset({Role.BANK_ADMIN, Role.REGISTRAR})
_serials = count(1)


@dataclass(frozen=True)
class World:
    """What the doors act on: per institution its programme and approved rule; the learners."""

    registrars: dict[str, int]
    admin: int
    approved: dict[str, int]
    learner: str
    consenting: str
    stranger: str


def _programme(institution: str) -> str:
    return f"P-{institution}"


def _rule(institution: str, code: str) -> RuleDraft:
    return RuleDraft(
        code=code,
        programme=_programme(institution),
        name="课程免修",
        sources=(SourceSpec(item=f"{institution}:SRC"),),
        targets=(Target(TargetKind.COMPONENT, component="COMP"),),
        valid_from=date(2025, 9, 1),
    )


def _learner(uow: UnitOfWork, serial: int) -> str:
    number = account_service.open_account(
        uow=uow,
        cipher=PersonalDataCipher(os.urandom(32)),
        id_number=parse_id_number(id_number(9000 + serial)),
        name="学员",
    ).number
    for institution in (OWN, OTHER):
        outcomes.deposit_outcome(
            uow=uow,
            institution=institution,
            account_number=number,
            facts=OutcomeFacts(
                record_id=f"SRC-{serial}",
                item_code="SRC",
                level="4",
                credits=None,
                score=Decimal(90),
                assessed_on=date(2025, 6, 30),
                setting=LearningSetting.FORMAL,
            ),
            today=ON,
        )
    return number


@pytest.fixture(scope="module")
def world(access_database: Database, principals: dict[Role, Principal]) -> World:
    registrars = {OWN: principals[Role.REGISTRAR].user_id}
    admin = principals[Role.BANK_ADMIN].user_id
    with access_database.unit_of_work() as uow:
        registrars[OTHER] = institutions.add_user(
            uow=uow, email="registrar@beta.example", role=Role.REGISTRAR, institution=OTHER
        ).id
        approved = {}
        for institution in (OWN, OTHER):
            for code, kind, levels in (
                ("SRC", ItemKind.COURSE, ("4",)),
                ("Q", ItemKind.QUALIFICATION, ("5",)),
            ):
                catalog.add_item(
                    uow=uow,
                    draft=ItemDraft(
                        institution=institution,
                        code=code,
                        kind=kind,
                        name=code,
                        framework="LOFOUC",
                        levels=levels,
                        credits=Decimal(4) if kind is ItemKind.COURSE else None,
                    ),
                    on=ON,
                )
            programme_store.create_programme(
                uow=uow,
                spec=programme_store.ProgrammeSpec(
                    code=_programme(institution),
                    institution=institution,
                    item="Q",
                    name="专业",
                    total_credits=Decimal(60),
                    components=(Component("COMP", "课程", Decimal(4), mandatory=True),),
                ),
                by="matrix",
            )
            author = registrars[institution]
            drafted = rule_store.draft_rule(
                uow=uow, institution=institution, draft=_rule(institution, "R"), user_id=author
            )
            rule_store.submit_rule(uow=uow, rule_id=drafted.id, user_id=author)
            rule_store.approve_rule(uow=uow, rule_id=drafted.id, user_id=admin)
            approved[institution] = drafted.id
        learner, consenting, stranger = (_learner(uow, serial) for serial in (1, 2, 3))
        consents.grant_consent(
            uow=uow,
            learner_id=accounts.learner_id_of(uow, consenting),
            institution=OWN,
            until=None,
            today=ON,
            now=NOW,
        )
    _WORLD[0:] = [World(registrars, admin, approved, learner, consenting, stranger)]
    return _WORLD[0]


_WORLD: list[World] = []
"""The world of the database being tried (set by the ``world`` fixture)."""


def _w() -> World:
    return _WORLD[0]


def _new_version(uow: UnitOfWork, institution: str, *, submit: bool) -> int:
    author = _w().registrars[institution]
    code = f"N{next(_serials)}"
    drafted = rule_store.draft_rule(
        uow=uow, institution=institution, draft=_rule(institution, code), user_id=author
    )
    if submit:
        rule_store.submit_rule(uow=uow, rule_id=drafted.id, user_id=author)
    return drafted.id


def _pending(uow: UnitOfWork, institution: str) -> str:
    return conversion_store.request_conversion(
        uow=uow,
        account_number=_w().learner,
        programme=_programme(institution),
        on=ON,
        requested_by="matrix",
    ).public_id


def _confirmed(uow: UnitOfWork, institution: str) -> str:
    public_id = _pending(uow, institution)
    conversion_store.confirm_conversion(uow=uow, public_id=public_id, by="matrix")
    return public_id


def _programme_spec(institution: str) -> programme_store.ProgrammeSpec:
    return programme_store.ProgrammeSpec(
        code=f"NEW-{next(_serials)}",
        institution=institution,
        item="Q",
        name="新专业",
        total_credits=Decimal(30),
    )


WITH_NOW = {"now": NOW}
DOORS = [
    Door(
        "define own programme",
        programmes.define_programme,
        lambda _: DefineProgramme(_programme_spec(OWN)),
        DRAFTERS,
    ),
    Door(
        "define another's programme",
        programmes.define_programme,
        lambda _: DefineProgramme(_programme_spec(OTHER)),
        BANK_WIDE,
    ),
    Door(
        "show a programme",
        views.show_programme,
        lambda _: ShowProgramme(_programme(OTHER)),
        EVERY_ROLE,
    ),
    Door("list programmes", views.list_programmes, lambda _: ListProgrammes(OTHER), EVERY_ROLE),
    Door(
        "drafting choices", views.show_drafting_choices, lambda _: ShowDraftingChoices(), DRAFTERS
    ),
    Door(
        "draft own rule",
        rules.draft_rule,
        lambda _: DraftRule(OWN, _rule(OWN, f"D{next(_serials)}")),
        DRAFTERS,
    ),
    Door(
        "draft another's rule",
        rules.draft_rule,
        lambda _: DraftRule(OTHER, _rule(OTHER, f"D{next(_serials)}")),
        BANK_WIDE,
    ),
    Door(
        "submit own draft",
        rules.submit_rule,
        lambda uow: SubmitRule(_new_version(uow, OWN, submit=False)),
        DRAFTERS,
    ),
    Door(
        "submit another's draft",
        rules.submit_rule,
        lambda uow: SubmitRule(_new_version(uow, OTHER, submit=False)),
        BANK_WIDE,
    ),
    Door(
        "approve own rule",
        rules.approve_rule,
        lambda uow: ApproveRule(_new_version(uow, OWN, submit=True)),
        BANK_WIDE,
    ),
    Door(
        "reject own rule",
        rules.reject_rule,
        lambda uow: RejectRule(_new_version(uow, OWN, submit=True), "不符合"),
        BANK_WIDE,
    ),
    Door(
        "retire own rule",
        rules.retire_rule,
        lambda _: RetireRule(_w().approved[OWN], ON, "停止"),
        DRAFTERS,
    ),
    Door(
        "retire another's rule",
        rules.retire_rule,
        lambda _: RetireRule(_w().approved[OTHER], ON, "停止"),
        BANK_WIDE,
    ),
    Door("show a rule", views.show_rule, lambda _: ShowRule(_w().approved[OTHER]), EVERY_ROLE),
    Door(
        "redraft own rule",
        views.show_rule_to_redraft,
        lambda _: ShowRuleToRedraft(_w().approved[OWN]),
        DRAFTERS,
    ),
    Door(
        "redraft another's rule",
        views.show_rule_to_redraft,
        lambda _: ShowRuleToRedraft(_w().approved[OTHER]),
        BANK_WIDE,
    ),
    Door(
        "retiring own rule",
        views.show_rule_to_retire,
        lambda _: ShowRuleToRetire(_w().approved[OWN]),
        DRAFTERS,
    ),
    Door(
        "retiring another's rule",
        views.show_rule_to_retire,
        lambda _: ShowRuleToRetire(_w().approved[OTHER]),
        BANK_WIDE,
    ),
    Door(
        "list another's rules", views.list_rules, lambda _: ListRules(institution=OTHER), EVERY_ROLE
    ),
    Door("the rule desk", views.show_rule_desk, lambda _: ShowRuleDesk(), EVERY_ROLE),
    Door("the approval queue", views.show_approval_queue, lambda _: ShowApprovalQueue(), BANK_WIDE),
    Door(
        "another's rule page",
        views.show_rule_page,
        lambda _: ShowRulePage(_w().approved[OTHER]),
        EVERY_ROLE,
    ),
    Door(
        "progress toward own programme",
        views.show_progress,
        lambda _: ShowProgress(_w().learner, _programme(OWN), ON),
        READERS,
        WITH_NOW,
    ),
    Door(
        "progress toward own programme, consented",
        views.show_progress,
        lambda _: ShowProgress(_w().consenting, _programme(OWN), ON),
        RECORD_READERS,
        WITH_NOW,
    ),
    Door(
        "progress toward another's programme",
        views.show_progress,
        lambda _: ShowProgress(_w().consenting, _programme(OTHER), ON),
        READERS,
        WITH_NOW,
    ),
    Door(
        "request toward own programme",
        requests.request_conversion,
        lambda _: RequestConversion(_w().learner, _programme(OWN), ON),
        BANK_WIDE,
        WITH_NOW,
    ),
    Door(
        "request toward own programme, consented",
        requests.request_conversion,
        lambda _: RequestConversion(_w().consenting, _programme(OWN), ON),
        DRAFTERS,
        WITH_NOW,
    ),
    Door(
        "request toward another's programme",
        requests.request_conversion,
        lambda _: RequestConversion(_w().consenting, _programme(OTHER), ON),
        BANK_WIDE,
        WITH_NOW,
    ),
    Door(
        "show own conversion",
        views.show_conversion,
        lambda uow: ShowConversion(_pending(uow, OWN)),
        RECORD_READERS,
    ),
    Door(
        "show another's conversion",
        views.show_conversion,
        lambda uow: ShowConversion(_pending(uow, OTHER)),
        READERS,
    ),
    Door(
        "list a learner's conversions",
        views.list_conversions,
        lambda _: ListConversions(_w().learner),
        READERS,
    ),
    Door(
        "the conversion desk",
        views.show_conversion_desk,
        lambda _: ShowConversionDesk(),
        RECORD_READERS,
    ),
    Door(
        "confirm own conversion",
        requests.confirm_conversion,
        lambda uow: ConfirmConversion(_pending(uow, OWN)),
        DRAFTERS,
    ),
    Door(
        "confirm another's conversion",
        requests.confirm_conversion,
        lambda uow: ConfirmConversion(_pending(uow, OTHER)),
        BANK_WIDE,
    ),
    Door(
        "decline own conversion",
        requests.decline_conversion,
        lambda uow: DeclineConversion(_pending(uow, OWN), "不予转换"),
        DRAFTERS,
    ),
    Door(
        "decline another's conversion",
        requests.decline_conversion,
        lambda uow: DeclineConversion(_pending(uow, OTHER), "不予转换"),
        BANK_WIDE,
    ),
    Door(
        "reverse own conversion",
        requests.reverse_conversion,
        lambda uow: ReverseConversion(_confirmed(uow, OWN), "来源撤销"),
        DRAFTERS,
    ),
    Door(
        "reverse another's conversion",
        requests.reverse_conversion,
        lambda uow: ReverseConversion(_confirmed(uow, OTHER), "来源撤销"),
        BANK_WIDE,
    ),
    Door(
        "correct transferred credit",
        requests.correct_transfers,
        lambda _: CorrectTransfers("更正", dry_run=True),
        BANK_WIDE,
    ),
]


@pytest.mark.parametrize("door", DOORS, ids=[door.name for door in DOORS])
def test_door(
    access_database: Database, principals: dict[Role, Principal], world: World, door: Door
) -> None:
    assert world is _w()
    assert let_through(access_database, principals, door) == door.allowed


def test_a_learner_reads_and_requests_for_their_own_account_only(
    access_database: Database, world: World
) -> None:
    with access_database.unit_of_work() as uow:
        learner = LearnerPrincipal(accounts.learner_id_of(uow, world.learner), world.learner)
        own = views.show_own_progress(
            ShowOwnProgress(_programme(OWN), ON, account_number=world.learner),
            principal=learner,
            uow=uow,
        )
        assert own.progress is not None
        assert own.progress.account_number == world.learner
        with pytest.raises(AccessError) as refused:
            views.show_own_progress(
                ShowOwnProgress(_programme(OWN), ON, account_number=world.stranger),
                principal=learner,
                uow=uow,
            )
        assert refused.value.code == "forbidden"
        requested = requests.request_own_conversion(
            RequestOwnConversion(_programme(OWN), ON), principal=learner, uow=uow
        )
        assert requested.account_number == world.learner
        assert requested.requested_by == f"learner:{world.learner}"
        uow.session.rollback()
