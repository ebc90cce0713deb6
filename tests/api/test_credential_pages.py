"""The credential pages over HTTP, on both databases.

The verifier page (``/verify``) is public: a genuine credential (JSON-LD, JWT, pasted, uploaded
or in the link) gets a plain ✓ with who issued it and what it is; a tampered one a ✗ whose
reason is the broken signature; garbage a clear answer, never an error; a CLR each credential's
own verdict; a credential of a revoked outcome fails its status. A learner downloads their own
credentials and whole record (and nobody else's), and shares them: the share link's page
offers each credential and the set as a CLR, and they verify through ``POST /api/v1/verify``;
once the link is revoked or has expired, it and its downloads answer 404.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank import clock
from creditbank.accounts import api as accounts
from creditbank.consents import service as consents
from creditbank.consents.tables import ShareRow
from creditbank.credentials import issuing
from creditbank.institutions import service as institutions
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.support.pages import csrf_of, page_client, post_form
from tests.support.records import NAME, PASSWORD, Record, build_record

CHECKS = ["syntax", "schema", "issuer_key", "signature", "validity", "status", "ledger"]
ISSUER = "江苏某职业技术学院"


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    return build_record(live_bank.database, live_bank.cipher)


@pytest.fixture
def visitor(bank: str) -> Iterator[httpx2.Client]:
    """Anyone, not logged in, reading English pages."""
    with page_client(bank) as client:
        yield client


@pytest.fixture(scope="module")
def signed_in(bank: str, record: Record) -> SignedIn:
    """The two learners, each logged in once (tests/api/signed_in.py)."""
    return SignedIn(bank, PASSWORD).log_in("learner", record.account, record.other_account)


def issued(live: LiveBank, outcome_id: str, fmt: str = "ob3") -> issuing.Issued:
    """The outcome's credential, as the bank issues it."""
    with live.database.unit_of_work() as uow:
        return issuing.issue(uow=uow, outcome_id=outcome_id, fmt=fmt, now=datetime.now(UTC))


def signed(live: LiveBank, outcome_id: str) -> dict[str, Any]:
    document = issued(live, outcome_id).document
    assert document is not None
    return document


def api_verdict(bank: str, body: str | bytes) -> dict[str, Any]:
    """What ``POST /api/v1/verify`` answers about ``body``."""
    answer = httpx2.post(f"{bank}/api/v1/verify", content=body, timeout=30)
    assert answer.status_code == 200, answer.text
    verdict: dict[str, Any] = answer.json()
    return verdict


def text(html: str) -> str:
    """The page's text: tags removed, entities decoded, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def verdict_of(html: str) -> str:
    """The main verdict's section (up to the credentials inside a record, if any)."""
    found = re.search(r'<section class="verdict[^"]*" data-verified="[a-z]+" id="verdict">', html)
    assert found is not None, "no verdict on the page"
    rest = html[found.start() :]
    end = rest.find('id="verdict-parts"')
    return rest if end < 0 else rest[:end]


def verified(html: str) -> bool:
    found = re.search(r'data-verified="(true|false)" id="verdict"', html)
    assert found is not None, "no verdict on the page"
    return found.group(1) == "true"


def checks(html: str) -> dict[str, str]:
    """Each check of the main verdict and its result (the last one of a check repeated)."""
    return dict(re.findall(r'data-check="(\w+)" data-result="(\w+)"', verdict_of(html)))


def post_verify(
    client: httpx2.Client,
    credential: str = "",
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx2.Response:
    """Send the verifier's form as the browser does (with the CSRF token of the page)."""
    token = csrf_of(client.get("/verify").text)
    return client.post("/verify", data={"csrf_token": token, "credential": credential}, files=files)


# --- the verifier -------------------------------------------------------------------------------


def test_the_verifier_is_public_and_linked_from_every_page(visitor: httpx2.Client) -> None:
    assert 'href="/verify"' in visitor.get("/").text
    page = visitor.get("/verify")
    assert page.status_code == 200
    assert 'id="verify-form"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert 'id="verdict"' not in page.text
    refused = visitor.post("/verify", data={"credential": "{}"})  # no CSRF token
    assert refused.status_code == 403 and 'id="verdict"' not in refused.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "Verify a credential" in text(page.text)


def test_a_genuine_credential_is_said_to_be_genuine(
    visitor: httpx2.Client, live_bank: LiveBank, record: Record
) -> None:
    document = signed(live_bank, record.outcomes["C-3"])
    page = post_verify(visitor, json.dumps(document, ensure_ascii=False))
    assert page.status_code == 200
    assert verified(page.text)
    shown = text(verdict_of(page.text))
    assert "✓ This credential is genuine and valid" in shown
    assert f"Issued by {ISSUER} did:web:localhost%3A8000:institutions:JSVC" in shown
    assert "What it is Open Badge: 计算机辅助设计" in shown
    assert "Achievement 计算机辅助设计 (Course)" in shown
    assert "LOFOUC (version 1) 5" in shown
    assert "Credits earned 3 credits" in shown and "Awarded on 2025-01-10" in shown
    issued = datetime.fromisoformat(document["validFrom"]).astimezone(clock.BANK_TIMEZONE)
    assert f"Valid from {issued:%Y-%m-%d %H:%M}" in shown  # the bank's time, not UTC's
    assert "<details" in page.text and "How it was checked" in shown
    assert "Read as: JSON-LD with a Data Integrity proof" in shown
    assert checks(page.text) == dict.fromkeys(CHECKS, "passed")
    assert "Signature ✓ Passed The eddsa-rdfc-2022 signature is valid" in shown
    assert "Bank's ledger ✓ Passed The record is entry" in shown
    for secret in (record.account, record.id_number, NAME):
        assert secret not in page.text


def test_a_jwt_verifies_pasted_uploaded_or_in_a_link(
    visitor: httpx2.Client, live_bank: LiveBank, record: Record
) -> None:
    token = issued(live_bank, record.outcomes["B-1"], "jwt").jwt
    assert token is not None
    pasted = post_verify(visitor, f"\n  {token}\n")
    assert verified(pasted.text) and "Read as: JWT (VC-JOSE)" in text(pasted.text)
    assert "建筑信息模型（BIM）职业技能等级证书" in text(pasted.text)
    uploaded = post_verify(
        visitor, files={"file": ("badge.jwt", token.encode(), "application/octet-stream")}
    )
    assert uploaded.status_code == 200 and verified(uploaded.text)
    linked = visitor.get("/verify", params={"credential": token})
    assert linked.status_code == 200 and verified(linked.text)
    assert f">{token}</textarea>" in linked.text  # the form holds what was checked
    document = json.dumps(signed(live_bank, record.outcomes["C-1"])).encode()
    as_file = post_verify(
        visitor, files={"file": ("credential.json", document, "application/json")}
    )
    assert verified(as_file.text)
    assert checks(as_file.text) == dict.fromkeys(CHECKS, "passed")


def test_a_tampered_credential_fails_on_its_signature(
    visitor: httpx2.Client, live_bank: LiveBank, record: Record
) -> None:
    document = copy.deepcopy(signed(live_bank, record.outcomes["C-2"]))
    document["credentialSubject"]["creditsEarned"] = 30
    page = post_verify(visitor, json.dumps(document))
    assert page.status_code == 200
    assert not verified(page.text)
    shown = text(verdict_of(page.text))
    assert "✗ This credential could not be verified" in shown
    reason = re.search(r'<p class="verdict-reason">(.*?)</p>', page.text, re.DOTALL)
    assert reason is not None
    assert text(reason.group(1)) == (
        "The credential has been altered, or it was not signed by its issuer "
        "The signature does not match: the credential was changed after signing, "
        "or signed with another key"
    )
    assert checks(page.text)["signature"] == "failed"
    assert checks(page.text)["syntax"] == checks(page.text)["issuer_key"] == "passed"
    assert "Signature ✗ Failed" in shown
    assert "none of it can be relied on" in shown  # the 30 credits are only a claim


def test_garbage_gets_a_clear_answer_not_an_error(visitor: httpx2.Client) -> None:
    page = post_verify(visitor, "hello, I am certainly a diploma")
    assert page.status_code == 200 and not verified(page.text)
    shown = text(verdict_of(page.text))
    assert "This is not a credential that can be read" in shown
    assert "Neither JSON nor a compact JWT" in shown
    assert checks(page.text) == {"syntax": "failed"}
    assert ">hello, I am certainly a diploma</textarea>" in page.text

    not_a_credential = post_verify(visitor, '{"name": "my diploma"}')
    assert not_a_credential.status_code == 200 and not verified(not_a_credential.text)
    assert "The first @context must be the VC base context" in text(not_a_credential.text)

    picture = post_verify(
        visitor, files={"file": ("badge.png", b"\x89PNG\r\n\x1a\n\x00\xff", "image/png")}
    )
    assert picture.status_code == 200 and not verified(picture.text)

    nothing = post_verify(visitor, "   ")
    assert nothing.status_code == 422 and 'id="verdict"' not in nothing.text
    errors = re.search(r'<ul class="field-errors" id="credential-errors">(.*?)</ul>', nothing.text)
    assert errors is not None and "Paste a credential or choose its file" in errors.group(1)
    empty_file = post_verify(visitor, files={"file": ("empty.json", b"", "application/json")})
    assert empty_file.status_code == 422 and 'id="verdict"' not in empty_file.text
    assert "The file is empty" in text(empty_file.text)
    too_big = b"{" + b" " * (5 * 1024 * 1024) + b"}"
    big_file = post_verify(visitor, files={"file": ("big.json", too_big, "application/json")})
    assert big_file.status_code == 422 and "The file is larger than 5 MiB" in text(big_file.text)
    # a form sent with no file chosen: the pasted text is what is checked
    no_file = post_verify(
        visitor, "not a credential", files={"file": ("", b"", "application/octet-stream")}
    )
    assert no_file.status_code == 200 and not verified(no_file.text)


def test_a_record_lists_each_credential_with_its_own_verdict(
    visitor: httpx2.Client, live_bank: LiveBank, record: Record
) -> None:
    now = datetime.now(UTC)
    with live_bank.database.unit_of_work() as uow:
        standing = accounts.standing_outcome_ids(uow=uow, account_number=record.account)
        clr = issuing.issue_clr(uow=uow, account_number=record.account, outcome_ids=None, now=now)
    page = post_verify(visitor, json.dumps(clr, ensure_ascii=False))
    assert page.status_code == 200 and verified(page.text)
    shown = text(verdict_of(page.text))
    assert "What it is Comprehensive Learner Record: 学习成果档案" in shown
    assert "学分银行 Credit Bank" in shown
    assert "Achievement" not in shown and "Credits earned" not in shown  # those are the parts'
    parts = re.findall(r'<li class="verdict-part" data-verified="(true|false)">', page.text)
    assert parts == ["true"] * len(standing)
    assert "The credentials in this record" in text(page.text)

    clr["credentialSubject"]["verifiableCredential"][0]["name"] = "Forged name"
    forged = post_verify(visitor, json.dumps(clr, ensure_ascii=False))
    assert not verified(forged.text)
    parts = re.findall(r'<li class="verdict-part" data-verified="(true|false)">', forged.text)
    assert parts == ["false"] + ["true"] * (len(standing) - 1)


def test_the_credential_of_a_revoked_outcome_fails_its_status(
    signed_in: SignedIn, visitor: httpx2.Client, live_bank: LiveBank, record: Record
) -> None:
    outcome_id = record.outcomes["E-3"]
    document = signed(live_bank, outcome_id)
    with live_bank.database.unit_of_work() as uow:
        users = institutions.users_by_id(uow=uow, user_ids=range(1, 100)).values()
        registrar = next(user for user in users if user.email == "reg@jsvc.example")
        accounts.revoke_outcome(
            uow=uow, public_id=outcome_id, user_id=registrar.id, reason="issued in error"
        )
    page = post_verify(visitor, json.dumps(document))
    assert not verified(page.text)
    assert checks(page.text)["status"] == "failed"
    assert checks(page.text)["signature"] == "passed"
    assert "The issuer has revoked or suspended this credential" in text(page.text)
    with signed_in.learner(record.account) as client:
        refused = client.get(f"/me/outcomes/{outcome_id}/credential.json")
        assert refused.status_code == 404
        assert outcome_id not in client.get("/me/credentials").text


def test_the_verifier_speaks_chinese_and_english(
    bank: str, live_bank: LiveBank, record: Record
) -> None:
    document = json.dumps(signed(live_bank, record.outcomes["C-3"]), ensure_ascii=False)
    with page_client(bank, "zh") as chinese:
        page = post_verify(chinese, document)
        assert page.status_code == 200 and verified(page.text)
        assert '<html lang="zh-CN">' in page.text
        assert "资历框架" in page.text  # the navigation, translated
        assert ISSUER in text(page.text)
        english = chinese.get("/verify", params={"lang": "en"})
        assert '<html lang="en">' in english.text and "Verify a credential" in english.text


# --- the learner's own credentials --------------------------------------------------------------


def test_a_learner_downloads_their_credentials_and_record(
    signed_in: SignedIn, bank: str, record: Record, live_bank: LiveBank
) -> None:
    with signed_in.learner(record.account) as client:
        assert 'href="/me/credentials"' in client.get("/me").text
        page = client.get("/me/credentials")
        assert page.status_code == 200
        with live_bank.database.unit_of_work() as uow:
            standing = accounts.standing_outcome_ids(uow=uow, account_number=record.account)
        listed = re.findall(r'<tr data-outcome="([0-9a-f]+)">', page.text)
        assert sorted(listed) == sorted(standing)

        outcome_id = record.outcomes["C-1"]
        document = client.get(f"/me/outcomes/{outcome_id}/credential.json")
        assert document.status_code == 200
        assert document.headers["content-type"].startswith("application/vc+ld+json")
        assert document.headers["content-disposition"] == (
            f'attachment; filename="credential-{outcome_id}.json"'
        )
        body = document.text
        for secret in (record.account, record.id_number, NAME):
            assert secret not in body
        assert api_verdict(bank, body)["verified"] is True
        assert json.loads(body) == signed(live_bank, outcome_id)  # the same bytes every time

        token = client.get(f"/me/outcomes/{outcome_id}/credential.jwt")
        assert token.status_code == 200
        assert token.headers["content-type"].startswith("application/vc+jwt")
        assert "attachment" in token.headers["content-disposition"]
        assert api_verdict(bank, token.text.strip())["verified"] is True

        whole = client.get("/me/record.json")
        assert whole.status_code == 200 and "attachment" in whole.headers["content-disposition"]
        verdict = api_verdict(bank, whole.content)
        assert verdict["verified"] is True and len(verdict["credentials"]) == len(standing)
        assert verdict["types"] == ["VerifiableCredential", "ClrCredential"]


def test_nobody_downloads_another_learner_s_credentials(
    signed_in: SignedIn, visitor: httpx2.Client, record: Record
) -> None:
    outcome_id = record.outcomes["C-1"]
    anonymous = visitor.get(f"/me/outcomes/{outcome_id}/credential.json")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    assert visitor.get("/me/record.json").status_code == 303
    with signed_in.learner(record.other_account) as other:
        for suffix in ("json", "jwt"):
            refused = other.get(f"/me/outcomes/{outcome_id}/credential.{suffix}")
            assert refused.status_code == 404, suffix
            assert "Learning outcome not found" in refused.text
        assert other.get("/me/outcomes/not-an-outcome/credential.json").status_code == 404
        nothing = other.get("/me/credentials")
        assert nothing.status_code == 200 and 'id="no-credentials"' in nothing.text
        empty = other.get("/me/record.json")
        assert empty.status_code == 422 and "Invalid choice of outcomes" in empty.text


# --- sharing them -------------------------------------------------------------------------------


def shares(live: LiveBank) -> int:
    with live.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(ShareRow)) or 0


def make_share(client: httpx2.Client, outcome_ids: list[str]) -> str:
    """Make a share link on the learner's page: the link."""
    made = post_form(client, "/me/shares", {"outcome": outcome_ids, "label": "for BuildCo"})
    assert made.status_code == 200, text(made.text)
    link = re.search(r'<p class="secret" id="share-link">([^<]+)</p>', made.text)
    assert link is not None
    return link.group(1)


def test_a_shared_credential_downloads_and_verifies_until_the_link_is_revoked(
    signed_in: SignedIn, bank: str, record: Record, live_bank: LiveBank
) -> None:
    chosen = [record.outcomes["C-3"], record.outcomes["B-1"]]
    with signed_in.learner(record.account) as client:
        link = make_share(client, chosen)
        with httpx2.Client(timeout=30, headers={"Accept-Language": "en"}) as verifier:
            page = verifier.get(link)
            assert page.status_code == 200
            for secret in (record.account, record.id_number, "电工职业资格"):
                assert secret not in page.text
            assert "Computer-aided design" in page.text and "建筑信息模型" in page.text
            downloads = re.findall(r'href="(/shared/[^"]+/credentials/[0-9a-f]+\.json)"', page.text)
            assert len(downloads) == len(chosen)
            for path in downloads:
                credential = verifier.get(bank + path)
                assert credential.status_code == 200
                assert "attachment" in credential.headers["content-disposition"]
                assert record.account not in credential.text
                assert api_verdict(bank, credential.content)["verified"] is True
            whole = verifier.get(f"{link}/record.json")
            assert whole.status_code == 200
            verdict = api_verdict(bank, whole.content)
            assert verdict["verified"] is True and len(verdict["credentials"]) == len(chosen)

            listing = client.get("/me/shares").text
            share = re.search(r'action="/me/shares/([0-9a-f]+)/revoke"', listing)
            assert share is not None
            revoked = client.post(
                f"/me/shares/{share.group(1)}/revoke", data={"csrf_token": csrf_of(listing)}
            )
            assert revoked.status_code == 303
            assert verifier.get(link).status_code == 404
            assert verifier.get(bank + downloads[0]).status_code == 404
            assert verifier.get(f"{link}/record.json").status_code == 404


def test_an_expired_share_link_answers_404(bank: str, record: Record, live_bank: LiveBank) -> None:
    long_ago = clock.today() - timedelta(days=40)
    with live_bank.database.unit_of_work() as uow:
        made = consents.create_share(
            uow=uow,
            learner_id=record.learner_id,
            outcomes=[record.outcomes["C-3"]],
            label="old",
            until=long_ago + timedelta(days=10),
            today=long_ago,
            now=datetime.now(UTC) - timedelta(days=40),
        )
    with httpx2.Client(base_url=bank, timeout=10, headers={"Accept-Language": "en"}) as verifier:
        assert verifier.get(f"/shared/{made.token}").status_code == 404
        downloads = (
            f"/shared/{made.token}/record.json",
            f"/shared/{made.token}/credentials/{record.outcomes['C-3']}.json",
        )
        for path in downloads:
            assert verifier.get(path).status_code == 404, path


def test_another_learner_cannot_revoke_a_share_link(signed_in: SignedIn, record: Record) -> None:
    with signed_in.learner(record.account) as owner:
        link = make_share(owner, [record.outcomes["C-1"]])
        share = re.search(r'action="/me/shares/([0-9a-f]+)/revoke"', owner.get("/me/shares").text)
        assert share is not None
    with signed_in.learner(record.other_account) as other:
        token = csrf_of(other.get("/me/shares").text)
        refused = other.post(f"/me/shares/{share.group(1)}/revoke", data={"csrf_token": token})
        assert refused.status_code == 404
    with httpx2.Client(timeout=10) as verifier:
        assert verifier.get(link).status_code == 200


def test_a_share_link_without_an_outcome_is_refused_and_nothing_is_made(
    signed_in: SignedIn, record: Record, live_bank: LiveBank
) -> None:
    before = shares(live_bank)
    with signed_in.learner(record.account) as client:
        refused = post_form(client, "/me/shares", {"label": "nothing chosen"})
    assert refused.status_code == 422
    errors = re.search(r'<ul class="field-errors" id="outcome-errors">(.*?)</ul>', refused.text)
    assert errors is not None and "Choose at least one outcome to share" in errors.group(1)
    assert shares(live_bank) == before
