"""What happens after deposit in the demo: PJVC's records verified, revoked and corrected; the
hotel diploma's conversion rules, and a confirmed conversion for a learner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditbank.accounts import api as accounts
from creditbank.accounts import lifecycle
from creditbank.accounts.model import OutcomeFacts
from creditbank.catalog.model import ItemKind
from creditbank.conversion import api as conversion
from creditbank.conversion.model import (
    Caps,
    Component,
    Conditions,
    ConversionError,
    LevelBar,
    RuleDraft,
    SourceSpec,
    Target,
    TargetKind,
)
from creditbank.db import UnitOfWork
from creditbank.demo.common import DemoError
from creditbank.institutions import api as institution_api
from creditbank.messages import msg


def later_facts(uow: UnitOfWork, today: date) -> tuple[int, str]:
    """What happens to records after deposit, shown on a few of PJVC's: verified by its assessor,
    corrected (superseded) or revoked by its registrar. Returns the corrections deposited and
    the account of the first learner with a corrected record."""
    users = _user_ids(uow, "registrar@pjvc.example", "assessor@pjvc.example")
    pjvc = institution_api.institution_id(uow=uow, code="PJVC")
    public_ids = accounts.first_outcomes_of(uow=uow, institution_id=pjvc, limit=300)
    for public_id in public_ids[0:200:10]:
        lifecycle.verify_outcome(
            uow=uow,
            public_id=public_id,
            user_id=users["assessor@pjvc.example"],
            reason="与学院教务系统成绩单核对一致",
        )
    for public_id in public_ids[201:204]:
        lifecycle.revoke_outcome(
            uow=uow,
            public_id=public_id,
            user_id=users["registrar@pjvc.example"],
            reason="重复登记：该成绩已由补考记录取代",
        )
    corrections, learners = 0, []
    for public_id in public_ids[211:214]:
        old = lifecycle.get_outcome(uow=uow, public_id=public_id).outcome
        lifecycle.supersede_outcome(
            uow=uow,
            public_id=public_id,
            facts=OutcomeFacts(
                record_id=f"{old.record_id}-C1",
                item_code=old.item_code,
                level=old.level.level.code,
                credits=old.credits,
                score=min(Decimal(100), (old.score or Decimal(60)) + 5),
                assessed_on=old.assessed_on,
                setting=old.setting,
            ),
            reason="成绩录入有误，按阅卷复核结果更正",
            user_id=users["registrar@pjvc.example"],
            today=today,
        )
        corrections += 1
        learners.append(old.account_number)
    return corrections, learners[0]


HOTEL_PROGRAMME = "PJVC-HOTEL-DIP"


def _user_ids(uow: UnitOfWork, *emails: str) -> dict[str, int]:
    """The user ids of these staff users, by e-mail."""
    return {email: institution_api.principal_for(uow=uow, email=email).user_id for email in emails}


def conversion_rules(uow: UnitOfWork, today: date) -> None:
    """PJVC's hotel management diploma as a programme credits convert into, with two rules its
    registrar drafted and the bank's administrator approved (seed 004: an X certificate
    replaces course credits, capped)."""
    users = _user_ids(uow, "registrar@pjvc.example", "admin@creditbank.example")
    conversion.create_programme(
        uow=uow,
        spec=conversion.ProgrammeSpec(
            code=HOTEL_PROGRAMME,
            institution="PJVC",
            item="DIP-HOTEL",
            name="酒店管理与数字化运营专业（专科）",
            name_en="Hotel Management and Digital Operations (diploma)",
            total_credits=Decimal(120),
            components=(
                Component(
                    "HM101", "前厅服务与管理", Decimal(3), "core", mandatory=True, item="HM101"
                ),
                Component(
                    "HM204", "餐饮服务与管理", Decimal(3), "core", mandatory=True, item="HM204"
                ),
                Component("TR150", "旅游大数据应用", Decimal(2), "core", item="TR150"),
            ),
            category_credits={"core": Decimal(8), "elective": Decimal(10)},
            caps=Caps(per_source_item=Decimal(6), programme_share=Decimal("0.333")),
        ),
        by="registrar@pjvc.example",
    )
    intermediate = LevelBar("1X", "intermediate", "", 0)
    for draft in (
        RuleDraft(
            code="X-INTERMEDIATE-ELECTIVE",
            programme=HOTEL_PROGRAMME,
            name="1+X 证书中级及以上折算选修学分",
            name_en="An X certificate at intermediate or higher counts as elective credits",
            sources=(SourceSpec(kind="x_certificate", level=intermediate, at_least=True),),
            targets=(Target(TargetKind.ELECTIVE, credits=Decimal(4), category="elective"),),
            conditions=Conditions(max_age_years=5),
            valid_from=date(today.year - 1, 9, 1),
        ),
        RuleDraft(
            code="X-ANY-TR150",
            programme=HOTEL_PROGRAMME,
            name="1+X 证书免修旅游大数据应用",
            name_en="An X certificate exempts Applied Tourism Big Data",
            sources=(SourceSpec(kind="x_certificate"),),
            targets=(Target(TargetKind.COMPONENT, component="TR150"),),
            conditions=Conditions(min_score=Decimal(60)),
            valid_from=date(today.year - 1, 9, 1),
        ),
    ):
        rule = conversion.draft_rule(
            uow=uow, institution="PJVC", draft=draft, user_id=users["registrar@pjvc.example"]
        )
        conversion.submit_rule(uow=uow, rule_id=rule.id, user_id=users["registrar@pjvc.example"])
        conversion.approve_rule(uow=uow, rule_id=rule.id, user_id=users["admin@creditbank.example"])


def confirmed_conversion(uow: UnitOfWork, *, learner: str, today: date) -> int:
    """One conversion toward PJVC's hotel diploma, requested and confirmed by its registrar:
    for the demo learner if an X certificate of theirs converts, else for the first learner
    whose does. Its grants become transferred credit toward the programme (never the course
    they exempt). Returns the outcomes deposited."""
    holders = accounts.holders_of_kind(uow=uow, kind=ItemKind.X_CERTIFICATE, limit=100)
    registrar = "registrar@pjvc.example"
    for number in dict.fromkeys([learner, *holders]):
        try:
            proposed = conversion.request_conversion(
                uow=uow,
                account_number=number,
                programme=HOTEL_PROGRAMME,
                on=today,
                requested_by=registrar,
            )
        except ConversionError:
            continue  # nothing of this learner's converts
        confirmed = conversion.confirm_conversion(
            uow=uow, public_id=proposed.public_id, by=registrar
        )
        return len(confirmed.grants)
    raise DemoError("demo_rejected", msg("no demo learner holds an X certificate that converts"))
