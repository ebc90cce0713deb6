"""The credit-conversion pages over HTTP, on both databases: a registrar drafts a rule through the
form and submits it, another bank administrator approves it from the queue (the author may not),
a bad draft lists every problem and stores nothing; a learner reads their progress (what counts,
the plan and its reasons, the what-if), requests a conversion, the programme's registrar confirms
it and the learner then holds the transferred credit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest
from sqlalchemy import func, select, update

from creditbank import clock
from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.conversion import api as conversion
from creditbank.conversion.api import ConversionStatus
from creditbank.conversion.model import (
    LevelBar,
    RuleDraft,
    RuleStatus,
    SourceSpec,
    Target,
    TargetKind,
)
from creditbank.conversion.tables import RuleRow
from creditbank.db import UnitOfWork
from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import conversion_world as world
from tests.api.signed_in import SignedIn
from tests.bulk_files import id_number
from tests.conftest import TEST_HASHER, LiveBank
from tests.support.conversion_pages import (
    PASSWORD,
    drafted_id,
    section,
    text,
    theory_rule_form,
)
from tests.support.pages import csrf_of, page_client, post_form

DIPLOMA, X_PROGRAMME = world.DIPLOMA, world.X_PROGRAMME


@dataclass(frozen=True)
class Learners:
    viewer: str
    """Holds BIM-X (intermediate) and the course DRAW-100; only reads their progress."""
    requester: str
    """The same outcomes; requests a conversion that the registrar confirms."""
    reverser: str
    """The same outcomes; their confirmed conversion is reversed."""
    empty: str
    """Holds nothing."""


def open_learner(uow: UnitOfWork, live_bank: LiveBank, serial: int, *, outcomes: bool) -> str:
    """A learner with a web password; with ``outcomes``, holding BIM-X and DRAW-100."""
    number = accounts.open_account(
        uow=uow,
        cipher=live_bank.cipher,
        id_number=parse_id_number(id_number(serial)),
        name="学员",
    ).number
    if outcomes:
        world.deposit(
            uow,
            number,
            institution="BIMTEO",
            item="BIM-X",
            level="intermediate",
            record=f"X-{serial}",
        )
        world.deposit(
            uow, number, institution="SHVC", item="DRAW-100", level="4", record=f"D-{serial}"
        )
    sessions.set_learner_password(
        uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
    )
    return number


def advanced_rule() -> RuleDraft:
    """A rule no learner here satisfies: BIM-X at exactly the advanced level."""
    return RuleDraft(
        code="BIMX-ADV",
        programme=DIPLOMA,
        name="BIM 高级证书加 2 学分",
        sources=(SourceSpec(item="BIMTEO:BIM-X", level=LevelBar("1X", "advanced", "", 0)),),
        targets=(Target(TargetKind.ELECTIVE, credits=Decimal(2), category="elective"),),
        valid_from=date(2025, 9, 1),
    )


@pytest.fixture(scope="module")
def learners(live_bank: LiveBank) -> Learners:
    """The 1+X world with web passwords, two approved rules toward the diploma, four learners."""
    with live_bank.database.unit_of_work() as uow:
        users = world.build(uow)
        # with the suite's hasher (tests/conftest.py): each login verifies it cheaply, as
        # every staff login of the suite does (the production parameters cost 0.2 s of CPU each)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
        world.approved(uow, users, world.x_certificate_rule(), "SHVC")
        world.approved(uow, users, advanced_rule(), "SHVC")
        return Learners(
            viewer=open_learner(uow, live_bank, 201, outcomes=True),
            requester=open_learner(uow, live_bank, 202, outcomes=True),
            reverser=open_learner(uow, live_bank, 203, outcomes=True),
            empty=open_learner(uow, live_bank, 204, outcomes=False),
        )


@pytest.fixture(scope="module")
def signed_in(bank: str, learners: Learners) -> SignedIn:
    """The staff and the learners of these tests, each logged in once (tests/api/signed_in.py)."""
    return (
        SignedIn(bank, PASSWORD)
        .log_in("staff", world.SHVC_REGISTRAR, world.TEO_REGISTRAR, *world.ADMINS[:2])
        .log_in("learner", learners.viewer, learners.requester, learners.reverser, learners.empty)
    )


@pytest.fixture
def shvc(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(world.SHVC_REGISTRAR) as client:
        yield client


@pytest.fixture
def teo(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(world.TEO_REGISTRAR) as client:
        yield client


@pytest.fixture
def admin1(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(world.ADMINS[0]) as client:
        yield client


@pytest.fixture
def admin2(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(world.ADMINS[1]) as client:
        yield client


def rule_count(live_bank: LiveBank) -> int:
    with live_bank.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(RuleRow)) or 0


def rule_of(live_bank: LiveBank, rule_id: int) -> conversion.RuleVersion:
    with live_bank.database.unit_of_work() as uow:
        return conversion.get_rule(uow=uow, rule_id=rule_id)


# --- rules ---------------------------------------------------------------------------------------


def test_a_registrar_drafts_a_rule_through_the_form_and_submits_it(
    teo: httpx2.Client, live_bank: LiveBank
) -> None:
    form = teo.get("/staff/rules/new").text
    # the registrar drafts for their own institution's programmes only
    assert f'<option value="{X_PROGRAMME}"' in form and f'<option value="{DIPLOMA}"' not in form
    assert '<option value="THEORY"' in form and '<option value="BIM-101"' not in form
    rule_id = drafted_id(post_form(teo, "/staff/rules/new", theory_rule_form("PAGE-THEORY")))
    stored = rule_of(live_bank, rule_id)
    assert stored.status is RuleStatus.DRAFT and stored.institution == "BIMTEO"
    assert stored.author == world.TEO_REGISTRAR
    draft = stored.draft
    assert draft.sources == (SourceSpec(item="SHVC:BIM-101", kind="course"),)
    assert draft.targets == (Target(TargetKind.COMPONENT, component="THEORY"),)
    assert draft.conditions.min_score == Decimal(80) and draft.conditions.max_age_years == 5
    assert draft.conditions.settings == frozenset({"formal"})
    assert draft.name_en == "BIM-101 at 80 or more exempts the theory exam"

    page = teo.get(f"/staff/rules/{rule_id}?done=drafted").text
    assert 'id="rule-status">draft<' in page and "The draft is saved" in page
    shown = text(page)
    assert "SHVC:BIM-101" in shown and "Course" in shown
    assert "Exemption THEORY 理论考试 · 2 credits" in shown
    assert "Minimum score 80" in shown and "5 years" in shown and "Formal learning" in shown
    listing = teo.get("/staff/rules").text
    row = re.search(rf'<tr data-rule="{rule_id}".*?</tr>', listing, re.DOTALL)
    assert row is not None and 'data-status="draft"' in row.group(0)
    assert f'action="/staff/rules/{rule_id}/submit"' in row.group(0)

    submitted = post_form(teo, f"/staff/rules/{rule_id}/submit", {}, form_page="/staff/rules")
    assert submitted.status_code == 303
    assert submitted.headers["location"] == f"/staff/rules/{rule_id}?done=submitted"
    assert rule_of(live_bank, rule_id).status is RuleStatus.SUBMITTED
    page = teo.get(submitted.headers["location"]).text
    history = text(section(page, "table", "rule-history"))
    assert "drafted" in history and "submitted" in history and world.TEO_REGISTRAR in history
    assert f'action="/staff/rules/{rule_id}/submit"' not in page  # submitted once only
    # a second submission is refused with the service's message, nothing changes
    token = csrf_of(page)
    again = teo.post(f"/staff/rules/{rule_id}/submit", data={"csrf_token": token})
    assert again.status_code == 409
    assert "is submitted; it cannot become submitted" in text(again.text)


def test_another_administrator_approves_from_the_queue(
    admin2: httpx2.Client, teo: httpx2.Client, live_bank: LiveBank
) -> None:
    rule_id = drafted_id(post_form(teo, "/staff/rules/new", theory_rule_form("QUEUE-APPROVE")))
    post_form(teo, f"/staff/rules/{rule_id}/submit", {}, form_page=f"/staff/rules/{rule_id}")
    assert teo.get("/staff/rules/queue").status_code == 403  # registrars do not approve

    queue = admin2.get("/staff/rules/queue").text
    panel = section(queue, "section", f"rule-{rule_id}")
    shown = text(panel)
    assert "QUEUE-APPROVE v1" in shown and world.TEO_REGISTRAR in shown and "SHVC:BIM-101" in shown
    assert "Exemption THEORY" in shown and "Minimum score 80" in shown
    approved = post_form(
        admin2,
        f"/staff/rules/{rule_id}/approve",
        {"reason": "matches the 2025 agreement"},
        form_page="/staff/rules/queue",
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == "/staff/rules/queue?done=approved"
    after = admin2.get(approved.headers["location"]).text
    assert "The version is approved" in after and f'id="rule-{rule_id}"' not in after
    stored = rule_of(live_bank, rule_id)
    assert stored.status is RuleStatus.APPROVED
    assert (stored.history[-1].by, stored.history[-1].reason) == (
        world.ADMINS[1],
        "matches the 2025 agreement",
    )
    history = text(section(teo.get(f"/staff/rules/{rule_id}").text, "table", "rule-history"))
    assert "approved" in history and "matches the 2025 agreement" in history


def test_the_author_administrator_is_refused_by_the_four_eyes_rule(
    admin1: httpx2.Client, admin2: httpx2.Client, live_bank: LiveBank
) -> None:
    rule_id = drafted_id(post_form(admin1, "/staff/rules/new", theory_rule_form("FOUR-EYES")))
    assert rule_of(live_bank, rule_id).institution == "BIMTEO"  # the programme's institution
    post_form(admin1, f"/staff/rules/{rule_id}/submit", {}, form_page=f"/staff/rules/{rule_id}")
    refused = post_form(
        admin1, f"/staff/rules/{rule_id}/approve", {"reason": ""}, form_page="/staff/rules/queue"
    )
    assert refused.status_code == 403
    errors = text(section(refused.text, "div", "queue-errors"))
    assert "Rule FOUR-EYES v1 was drafted by you; another administrator must approve" in errors
    assert f'id="rule-{rule_id}"' in refused.text  # still in the queue
    assert rule_of(live_bank, rule_id).status is RuleStatus.SUBMITTED
    rejected_by_author = post_form(
        admin1, f"/staff/rules/{rule_id}/reject", {"reason": "x"}, form_page="/staff/rules/queue"
    )
    assert rejected_by_author.status_code == 403
    # the other administrator rejects it; a reason is needed
    no_reason = post_form(
        admin2, f"/staff/rules/{rule_id}/reject", {"reason": " "}, form_page="/staff/rules/queue"
    )
    assert no_reason.status_code == 422
    assert "Give a reason of 1 to 500 characters" in text(no_reason.text)
    assert rule_of(live_bank, rule_id).status is RuleStatus.SUBMITTED
    rejected = post_form(
        admin2,
        f"/staff/rules/{rule_id}/reject",
        {"reason": "the score condition is too low"},
        form_page="/staff/rules/queue",
    )
    assert rejected.status_code == 303
    assert rule_of(live_bank, rule_id).status is RuleStatus.REJECTED


def test_a_bad_draft_lists_every_problem_and_stores_nothing(
    teo: httpx2.Client, live_bank: LiveBank
) -> None:
    before = rule_count(live_bank)
    bad = theory_rule_form(
        "bad code!",
        name=" ",
        source_framework_1="1X",  # a framework without a level
        target_credits_1="2",  # a component and elective credits in one row
        target_credits_2="1.25",
        min_score="120",
        max_age_years="0",
        valid_from="2026-01-01",
        valid_until="2025-01-01",
    )
    refused = post_form(teo, "/staff/rules/new", bad)
    assert refused.status_code == 422, text(refused.text)
    shown = text(refused.text)
    for problem in (
        "Source row 1: choose a framework and one of its levels, or neither",
        "Target row 1: choose a component, or give elective credits; not both",
        "Enter a number with at most 1 decimals",
        "Enter a whole number of years from 1 to 100",
        "Rule code 'bad code!' must be 1-64 letters",
        "A rule needs a name",
        "A rule needs 1 to 20 targets",
        "Min_score must be between 0 and 100",
        "Valid_until 2025-01-01 is before valid_from 2026-01-01",
    ):
        assert problem in shown, problem
    # the form comes back as it was filled in
    assert 'name="code" value="bad code!"' in refused.text
    assert 'name="min_score" inputmode="decimal" value="120"' in refused.text
    assert re.search(r'<option value="1X" selected>', refused.text)
    assert re.search(r'value="formal" checked', refused.text)
    # problems only the service finds: an unknown item, a component the programme lacks
    unknown = theory_rule_form(
        "PAGE-UNKNOWN", source_item_1="NOWHERE:X", target_component_1="BIM-101"
    )
    refused = post_form(teo, "/staff/rules/new", unknown)
    assert refused.status_code == 422
    errors = text(section(refused.text, "div", "form-errors"))
    assert "Rule PAGE-UNKNOWN is not valid" in errors
    assert "Source 1: there is no catalogue item NOWHERE:X" in errors
    assert f"Programme {X_PROGRAMME} has no component BIM-101" in errors
    # a programme of another institution is not offered, and not accepted
    foreign = post_form(
        teo, "/staff/rules/new", theory_rule_form("PAGE-FOREIGN", programme=DIPLOMA)
    )
    assert foreign.status_code == 422
    assert "Choose one of the programmes you may draft rules for" in text(foreign.text)
    assert rule_count(live_bank) == before


def test_retiring_an_approved_version(
    teo: httpx2.Client, admin2: httpx2.Client, live_bank: LiveBank
) -> None:
    rule_id = drafted_id(post_form(teo, "/staff/rules/new", theory_rule_form("PAGE-RETIRE")))
    post_form(teo, f"/staff/rules/{rule_id}/submit", {}, form_page=f"/staff/rules/{rule_id}")
    assert 'id="retire-rule"' not in teo.get(f"/staff/rules/{rule_id}").text
    post_form(admin2, f"/staff/rules/{rule_id}/approve", {}, form_page="/staff/rules/queue")
    page = f"/staff/rules/{rule_id}"
    assert 'id="retire-rule"' in teo.get(page).text
    no_date = post_form(teo, f"{page}/retire", {"effective_on": "", "reason": "replaced"}, page)
    assert no_date.status_code == 422
    assert "Give the first day the rule no longer applies" in text(no_date.text)
    no_reason = post_form(teo, f"{page}/retire", {"effective_on": "2027-01-01", "reason": ""}, page)
    assert no_reason.status_code == 422
    assert 'id="reason-errors"' in no_reason.text and 'value="2027-01-01"' in no_reason.text
    assert rule_of(live_bank, rule_id).status is RuleStatus.APPROVED
    done = post_form(
        teo, f"{page}/retire", {"effective_on": "2027-01-01", "reason": "replaced by v2"}, page
    )
    assert done.status_code == 303
    stored = rule_of(live_bank, rule_id)
    assert stored.status is RuleStatus.RETIRED and stored.retired_from == date(2027, 1, 1)
    assert "Retired from 2027-01-01" in text(teo.get(page).text)


# --- a learner's progress and their conversions ------------------------------------------------


def progress_of(client: httpx2.Client, programme: str = DIPLOMA) -> str:
    response = client.get(f"/account/progress?programme={programme}")
    assert response.status_code == 200, text(response.text)
    return response.text


def test_the_learner_sees_what_counts_the_plan_and_the_what_if(
    signed_in: SignedIn, learners: Learners
) -> None:
    with signed_in.learner(learners.viewer) as client:
        start = client.get("/account/progress").text
        assert "Choose a programme" in start
        assert f'<option value="{DIPLOMA}"' in start and f'<option value="{X_PROGRAMME}"' in start
        page = progress_of(client)
        mandatory = progress_of(client, X_PROGRAMME)
    met = section(page, "table", "met")
    assert re.search(r'data-component="DRAW-100" data-transferred="0" data-pending="0"', met)
    assert "DRAW-100" in text(met) and "LOFOUC 4" in text(met) and "score 85" in text(met)
    assert 'id="credits-held">2<' in page and 'id="credits-planned">4<' in page
    assert "6 of 60 credits" in text(section(page, "dd", "credits-with-plan"))
    # the plan: BIM-101 exempted; BIM-102 passed over because the per-item cap leaves no room
    grants = text(section(page, "table", "plan-grants"))
    assert "BIMX-INT v1" in grants and "Exemption BIM-101" in grants
    # the sources named by item, institution and date, never by their ids
    assert re.search(
        r"Rule BIMX-INT v1 exempts BIM-101 \(4(\.0)? credits\) for \S[^;()]* \(BIMTEO, \d{4}-\d\d-\d\d\)",
        grants,
    )
    assert not re.search(r"[0-9a-f]{32}", text(section(page, "section", "plan")))
    passed = text(section(page, "ul", "passed-over"))
    assert re.search(
        r"The per_source_item cap leaves no room for BIM-102 \(3(\.0)? credits\)", passed
    )
    # the what-if: each rule, whether it applies and why
    what_if = section(page, "table", "what-if")
    assert re.search(r'data-rule="BIMX-INT" data-applicable="1"', what_if)
    assert re.search(r'data-rule="BIMX-ADV" data-applicable="0"', what_if)
    assert "No outcome matches source 1 (BIMTEO:BIM-X 1X:advanced)" in text(what_if)
    row = re.search(r'<tr data-rule="BIMX-INT".*?</tr>', what_if, re.DOTALL)
    assert row is not None
    applicable = text(row.group(0))
    assert re.search(r"yes 7 credits .*Would exempt BIM-101 \(4(\.0)? credits\)", applicable)
    # what is missing: BIM-102 (optional); the X programme's two mandatory components
    missing = section(page, "ul", "missing")
    assert re.search(r'<li data-component="BIM-102">', missing)
    # its English name, which the catalogue holds for the component's item (not "BIM 应用")
    assert "BIM-102 BIM applications" in text(missing)
    missing = section(mandatory, "ul", "missing")
    assert re.search(r'<li data-component="THEORY" class="mandatory"><strong>', missing)
    assert re.search(r'<li data-component="PRACTICE" class="mandatory">', missing)
    assert 'data-applicable="1"' not in mandatory  # the learner holds no BIM-101 outcome
    assert "No approved rule converts anything more for you toward this programme now" in mandatory
    assert 'id="request-conversion"' in page and 'id="request-conversion"' not in mandatory


def timeline_shows_transferred_credit(signed_in: SignedIn, number: str, public_id: str) -> None:
    """The learner's timeline says what the conversion deposited: credits toward the programme,
    under which rule, exempting which component, in Chinese and in English."""
    for language, words in (
        ("en", "4.0 credits transferred toward programme"),
        ("zh", "转换学分 4.0 学分，计入专业"),
    ):
        with signed_in.learner(number, language) as client:
            timeline = client.get("/me").text
        found = re.search(
            rf'<div class="transfer" data-conversion="{public_id}">(.*?)</div>', timeline
        )
        assert found is not None
        credit = found.group(1)
        assert words in text(credit) and "BIMX-INT" in text(credit) and "BIM-101" in text(credit)


def assert_reasons_name_the_sources(html: str) -> None:
    """The grants' reasons name their source outcomes by item, institution and date, never by
    their ids."""
    reasons = " ".join(re.findall(r'<td class="reason">(.*?)</td>', html, re.DOTALL))
    assert re.search(r"credits\) for \S[^;()]* \(BIMTEO, \d{4}-\d\d-\d\d\)", reasons)
    assert not re.search(r"[0-9a-f]{32}", reasons)


def test_a_learner_requests_a_conversion_and_the_registrar_confirms_it(
    signed_in: SignedIn,
    learners: Learners,
    shvc: httpx2.Client,
    teo: httpx2.Client,
    live_bank: LiveBank,
) -> None:
    with signed_in.learner(learners.requester) as client:
        requested = post_form(
            client,
            "/account/conversions",
            {"programme": DIPLOMA},
            form_page=f"/account/progress?programme={DIPLOMA}",
        )
        assert requested.status_code == 303
        location = requested.headers["location"]
        found = re.fullmatch(
            rf"/account/progress\?programme={DIPLOMA}&requested=([0-9a-f]{{32}})", location
        )
        assert found is not None, location
        public_id = found.group(1)
        page = client.get(location).text
        assert re.search(
            r"Your request of \d{4}-\d\d-\d\d is pending: SHVC confirms or declines it\.",
            text(page),
        )
        panel = section(page, "section", f"conversion-{public_id}")
        assert 'data-status="pending"' in panel and "BIMX-INT v1" in text(panel)
        assert re.search(r'data-component="BIM-101" data-transferred="1" data-pending="1"', page)
        # nothing is left to convert: the 409 is shown on the page, nothing is stored
        again = post_form(
            client, "/account/conversions", {"programme": DIPLOMA}, form_page=location
        )
        assert again.status_code == 409
        assert (
            f"No approved rule converts anything more toward {DIPLOMA} for this learner now"
            in text(section(again.text, "div", "request-errors"))
        )
    with live_bank.database.unit_of_work() as uow:
        mine = conversion.list_conversions(uow=uow, account_number=learners.requester)
        assert [c.public_id for c in mine] == [public_id]  # the refused request stored nothing
        stored = conversion.get_conversion(uow=uow, public_id=public_id)
    assert stored.requested_by == f"learner:{learners.requester}"

    # only the programme's institution sees and decides it
    assert f'id="conversion-{public_id}"' not in teo.get("/staff/conversions").text
    token = csrf_of(teo.get("/staff/conversions").text)
    assert (
        teo.post(f"/staff/conversions/{public_id}/confirm", data={"csrf_token": token}).status_code
        == 403
    )
    listing = shvc.get("/staff/conversions").text
    waiting = listing.split('id="waiting"', 1)[1].split('id="decided"', 1)[0]
    panel = text(section(waiting, "section", f"conversion-{public_id}"))
    assert learners.requester in panel and "BIMX-INT v1" in panel and "Exemption BIM-101" in panel
    assert re.search(r"Rule BIMX-INT v1 exempts BIM-101 \(4(\.0)? credits\)", panel)
    assert_reasons_name_the_sources(waiting)
    no_reason = post_form(
        shvc, f"/staff/conversions/{public_id}/decline", {"reason": ""}, "/staff/conversions"
    )
    assert no_reason.status_code == 422
    assert "Give a reason of 1 to 500 characters" in text(no_reason.text)
    confirmed = post_form(shvc, f"/staff/conversions/{public_id}/confirm", {}, "/staff/conversions")
    assert confirmed.status_code == 303
    after = shvc.get(confirmed.headers["location"]).text
    assert "The conversion is confirmed" in after
    decided = after.split('id="decided"', 1)[1]
    assert f'data-conversion="{public_id}" data-status="confirmed"' in decided
    assert f'action="/staff/conversions/{public_id}/reverse"' in decided
    twice = post_form(shvc, f"/staff/conversions/{public_id}/confirm", {}, "/staff/conversions")
    assert twice.status_code == 409 and "is confirmed; it cannot be confirmed" in text(twice.text)

    with signed_in.learner(learners.requester) as client:
        page = progress_of(client)
    met = section(page, "table", "met")
    assert re.search(r'data-component="BIM-101" data-transferred="1" data-pending="0"', met)
    assert "transferred credit" in text(met)
    assert 'id="credits-held">6<' in page
    assert 'data-status="confirmed"' in section(page, "section", f"conversion-{public_id}")

    timeline_shows_transferred_credit(signed_in, learners.requester, public_id)


def test_a_registrar_reverses_a_confirmed_conversion(
    signed_in: SignedIn, learners: Learners, shvc: httpx2.Client, live_bank: LiveBank
) -> None:
    with live_bank.database.unit_of_work() as uow:
        public_id = conversion.request_conversion(
            uow=uow,
            account_number=learners.reverser,
            programme=DIPLOMA,
            on=clock.today(),
            requested_by=f"learner:{learners.reverser}",
        ).public_id
        conversion.confirm_conversion(uow=uow, public_id=public_id, by=world.SHVC_REGISTRAR)
    path = f"/staff/conversions/{public_id}/reverse"
    refused = post_form(shvc, path, {"reason": ""}, "/staff/conversions")
    assert refused.status_code == 422
    reversed_ = post_form(
        shvc, path, {"reason": "the certificate was forged"}, "/staff/conversions"
    )
    assert reversed_.status_code == 303
    with live_bank.database.unit_of_work() as uow:
        assert (
            conversion.get_conversion(uow=uow, public_id=public_id).status
            is ConversionStatus.REVERSED
        )
    with signed_in.learner(learners.reverser) as client:
        page = progress_of(client)
    assert 'data-component="BIM-101"' not in section(page, "table", "met")
    panel = text(section(page, "section", f"conversion-{public_id}"))
    assert "reversed" in panel and "the certificate was forged" in panel


def test_a_learner_reads_only_their_own_progress(
    bank: str, signed_in: SignedIn, learners: Learners
) -> None:
    with signed_in.learner(learners.empty) as client:
        own = client.get(f"/account/progress?programme={DIPLOMA}&account={learners.empty.lower()}")
        assert own.status_code == 200 and "No component of this programme is met yet" in own.text
        other = client.get(f"/account/progress?programme={DIPLOMA}&account={learners.viewer}")
        assert other.status_code == 403
        assert "a learner may read only their own account" in text(other.text).lower()
        assert "BIMX-INT v1" not in other.text
        # the request always is for the learner's own account: nothing to convert for them
        token = csrf_of(own.text)
        refused = client.post(
            "/account/conversions",
            data={"csrf_token": token, "programme": DIPLOMA, "account_number": learners.viewer},
        )
        assert refused.status_code == 409
    with page_client(bank) as anonymous:
        redirected = anonymous.get("/account/progress")
        assert redirected.status_code == 303
        assert redirected.headers["location"].startswith("/login?next=")
    with signed_in.staff(world.SHVC_REGISTRAR) as registrar:
        assert registrar.get("/account/progress").status_code == 403
    with signed_in.learner(learners.viewer) as client:
        assert client.get("/staff/rules").status_code == 403
        assert client.get("/staff/conversions").status_code == 403


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pages_render_in_each_language(
    signed_in: SignedIn, learners: Learners, language: str
) -> None:
    lang = 'lang="zh-CN"' if language == "zh" else 'lang="en"'
    with signed_in.staff(world.ADMINS[1], language) as admin:
        for path in (
            "/staff/rules",
            "/staff/rules/queue",
            "/staff/rules/new",
            "/staff/conversions",
        ):
            response = admin.get(path)
            assert response.status_code == 200, path
            assert response.headers["content-language"] == language and lang in response.text
            assert ("工作台" if language == "zh" else ">Desk<") in response.text
        rules = admin.get("/staff/rules").text
        assert "BIMX-INT" in rules
        # a level's code with its name, in the page's language
        assert ("1X advanced 高级" if language == "zh" else "1X advanced Advanced") in text(rules)
    with signed_in.learner(learners.viewer, language) as client:
        response = client.get(f"/account/progress?programme={DIPLOMA}")
        assert response.status_code == 200 and lang in response.text
        assert ("我的学习成果" if language == "zh" else "My progress") in response.text
        assert "BIMX-INT v1" in response.text
        if language == "en":
            assert "What could count" in response.text and "Suggested plan" in response.text
