"""The learner's pages over HTTP: the timeline, the audit trail, consents, share links."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest

from creditbank.accounts import service as accounts
from creditbank.institutions import service as institutions
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, post_form
from tests.support.records import NAME, PASSWORD, Record, build_record


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    return build_record(live_bank.database, live_bank.cipher)


@pytest.fixture(scope="module")
def signed_in(bank: str, record: Record) -> SignedIn:
    """The two learners, each logged in once (tests/api/signed_in.py)."""
    return SignedIn(bank, PASSWORD).log_in("learner", record.account, record.other_account)


@pytest.fixture
def learner(signed_in: SignedIn, record: Record) -> Iterator[httpx2.Client]:
    with signed_in.learner(record.account) as client:
        yield client


def api_client(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url, headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )


def test_the_timeline_is_grouped_by_level_highest_first(
    learner: httpx2.Client, record: Record
) -> None:
    page = learner.get("/me")
    assert page.status_code == 200
    html = page.text
    assert NAME in html and record.id_number in html and record.account in html
    levels = re.findall(r'data-framework="([^"]+)" data-level="([^"]+)"', html)
    assert levels == [
        ("1X", "intermediate"),
        ("LOFOUC", "5"),
        ("LOFOUC", "4"),
        ("NVQC", "2"),  # NVQC ranks level 2 above level 3
        ("NVQC", "3"),
    ]
    order = re.findall(r'data-outcome="([0-9a-f]+)"', html)
    ids = record.outcomes
    assert order == [ids["B-1"], ids["C-3"], ids["C-2"], ids["C-1"], ids["E-2"], ids["E-3"]]
    assert "Outcomes: 6 · credits in all: 8.5" in html
    assert "2.5 credits" in html and "score 88.5" in html and "Non-formal learning" in html


def test_pages_in_chinese(signed_in: SignedIn, record: Record) -> None:
    with signed_in.learner(record.account, "zh") as client:
        html = client.get("/me").text
    assert "我的学习成果" in html and "非正规学习" in html and "成果：6 · 累计学分：8.5" in html


def test_each_learner_sees_only_their_own_account(signed_in: SignedIn, record: Record) -> None:
    with signed_in.learner(record.other_account) as other:
        html = other.get("/me").text
        assert "钱七" in html and NAME not in html and record.id_number not in html
        assert "No outcomes have been deposited" in html


def test_the_audit_trail_lists_every_staff_access(
    learner: httpx2.Client, record: Record, live_bank: LiveBank
) -> None:
    assert "No member of staff has opened" in learner.get("/me/access").text
    with live_bank.database.unit_of_work() as uow:
        staff = institutions.users_by_id(uow=uow, user_ids=range(1, 100))
        reg = next(u for u in staff.values() if u.email == "reg@jsvc.example")
        accounts.read_personal_data(
            uow=uow,
            cipher=live_bank.cipher,
            number=record.account,
            user_id=reg.id,
            purpose="checking the name on a certificate",
        )
    page = learner.get("/me/access").text
    row = re.search(r'<table id="access-log">.*?</table>', page, re.DOTALL)
    assert row is not None
    assert "reg@jsvc.example" in row.group(0) and "JSVC" in row.group(0)
    assert "checking the name on a certificate" in row.group(0) and "Registrar" in row.group(0)


def test_consent_opens_the_record_to_an_institution_until_withdrawn(
    learner: httpx2.Client, record: Record, live_bank: LiveBank
) -> None:
    other_u = api_client(live_bank, "reg@other-u.example")
    transcript = f"/api/v1/accounts/{record.account}/outcomes"
    assert other_u.get(transcript).json()["outcomes"] == []
    granted = post_form(learner, "/me/consents", {"institution": "other-u", "until": ""})
    assert granted.status_code == 303
    page = learner.get(granted.headers["location"]).text
    assert "Consent granted." in page
    assert re.search(r'data-institution="OTHER-U" data-status="active"', page)
    assert len(other_u.get(transcript).json()["outcomes"]) == 6
    consent = re.search(r'action="/me/consents/(\d+)/withdraw"', page)
    assert consent is not None
    withdrawn = learner.post(
        f"/me/consents/{consent.group(1)}/withdraw", data={"csrf_token": csrf_of(page)}
    )
    assert withdrawn.status_code == 303
    page = learner.get("/me/consents").text
    assert re.search(r'data-institution="OTHER-U" data-status="withdrawn"', page)
    assert other_u.get(transcript).json()["outcomes"] == []
    other_u.close()


def test_consent_form_errors_sit_next_to_their_fields(learner: httpx2.Client) -> None:
    unknown = post_form(learner, "/me/consents", {"institution": "NOWHERE", "until": ""})
    assert unknown.status_code == 422
    errors = re.search(r'<ul class="field-errors" id="institution-errors">(.*?)</ul>', unknown.text)
    assert errors is not None and "There is no institution NOWHERE" in errors.group(1)
    past = post_form(learner, "/me/consents", {"institution": "OTHER-U", "until": "2020-01-01"})
    assert past.status_code == 422
    assert re.search(r'id="until-errors"><li>The end date 2020-01-01 has passed', past.text)
    assert 'value="2020-01-01"' in past.text  # what was typed is kept
    bad = post_form(learner, "/me/consents", {"institution": "OTHER-U", "until": "soon"})
    assert bad.status_code == 422 and "Enter a date like 2024-06-30" in bad.text


def test_nobody_withdraws_another_learner_s_consent(signed_in: SignedIn, record: Record) -> None:
    with signed_in.learner(record.account) as owner:
        post_form(owner, "/me/consents", {"institution": "TEO-BIM"})
        found = re.search(r'action="/me/consents/(\d+)/withdraw"', owner.get("/me/consents").text)
        assert found is not None
    with signed_in.learner(record.other_account) as other:
        token = csrf_of(other.get("/me/consents").text)
        refused = other.post(f"/me/consents/{found.group(1)}/withdraw", data={"csrf_token": token})
        assert refused.status_code == 404 and "Consent not found" in refused.text


def test_a_share_link_shows_only_what_was_chosen(
    learner: httpx2.Client, record: Record, bank: str
) -> None:
    chosen = [record.outcomes["C-3"], record.outcomes["B-1"]]
    made = post_form(learner, "/me/shares", {"outcome": chosen, "label": "job at BuildCo"})
    assert made.status_code == 200
    link = re.search(r'<p class="secret" id="share-link">([^<]+)</p>', made.text)
    assert link is not None and link.group(1).startswith(f"{bank}/shared/")
    with httpx2.Client(timeout=10, headers={"Accept-Language": "en"}) as verifier:
        shown = verifier.get(link.group(1))
    assert shown.status_code == 200
    assert shown.headers["referrer-policy"] == "no-referrer"
    assert f"Learning outcomes shared by {NAME}" in shown.text
    # in English: the English name where the catalogue holds one
    assert "Computer-aided design" in shown.text and "建筑信息模型" in shown.text
    assert sorted(re.findall(r'data-outcome="([0-9a-f]+)"', shown.text)) == sorted(chosen)
    for secret in (record.id_number, record.account, "电工职业资格", "Log out"):
        assert secret not in shown.text
    listing = learner.get("/me/shares").text
    assert "job at BuildCo" in listing and 'class="views">1<br>' in listing
    share = re.search(r'action="/me/shares/([0-9a-f]+)/revoke"', listing)
    assert share is not None
    revoked = learner.post(
        f"/me/shares/{share.group(1)}/revoke", data={"csrf_token": csrf_of(listing)}
    )
    assert revoked.status_code == 303
    with httpx2.Client(timeout=10) as verifier:
        gone = verifier.get(link.group(1))
    assert gone.status_code == 404 and NAME not in gone.text


def test_share_form_errors(learner: httpx2.Client, record: Record) -> None:
    nothing = post_form(learner, "/me/shares", {"label": "x"})
    assert nothing.status_code == 422 and 'id="outcome-errors"' in nothing.text
    foreign = post_form(learner, "/me/shares", {"outcome": "f" * 32})
    assert foreign.status_code == 422 and "Only your own outcomes can be shared" in foreign.text
    long_note = post_form(
        learner, "/me/shares", {"outcome": record.outcomes["C-1"], "label": "x" * 101}
    )
    assert long_note.status_code == 422 and 'id="label-errors"' in long_note.text


def test_unknown_share_links_say_so(bank: str) -> None:
    with httpx2.Client(base_url=bank, timeout=10, headers={"Accept-Language": "en"}) as client:
        response = client.get("/shared/not-a-token")
    assert response.status_code == 404 and "This link does not work" in response.text
