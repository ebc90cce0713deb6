"""The peer banks' pages over HTTP, both databases: the administrators' trust list in the console
(propose with the form, a refusal shown on the page with every problem, approve by ANOTHER
administrator, remove with a reason; auditors read without forms; other staff 403), and the
public page of the bank's peers and witness, in Chinese and English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx2
import pytest

from creditbank.institutions import service
from creditbank.institutions.model import InstitutionType, Role
from tests.api.signed_in import SignedIn
from tests.conftest import LiveBank
from tests.peer_logs import PeerLog, peer_fields
from tests.support.pages import page_client, post_form

PASSWORD = "correct horse battery"
ADMIN1, ADMIN2, AUDITOR, REGISTRAR = (
    "admin1@bank.example",
    "admin2@bank.example",
    "auditor@bank.example",
    "reg@shou.example",
)
POST_FORM = re.compile(r'<form method="post" action="([^"]+)"')
HOME = "/console/peers"


@pytest.fixture(scope="module")
def signed_in(bank: str, live_bank: LiveBank) -> SignedIn:
    with live_bank.database.unit_of_work() as uow:
        service.add_institution(
            uow=uow, code="SHOU", name="上海开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        for email, role, institution in (
            (ADMIN1, Role.BANK_ADMIN, None),
            (ADMIN2, Role.BANK_ADMIN, None),
            (AUDITOR, Role.AUDITOR, None),
            (REGISTRAR, Role.REGISTRAR, "SHOU"),
        ):
            service.add_user(
                uow=uow, email=email, role=role, institution=institution, password=PASSWORD
            )
    return SignedIn(bank, PASSWORD).log_in("staff", ADMIN1, ADMIN2, AUDITOR, REGISTRAR)


@pytest.fixture
def admin1(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(ADMIN1) as client:
        yield client


@pytest.fixture
def admin2(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff(ADMIN2) as client:
        yield client


def _form(log: PeerLog, **changes: object) -> dict[str, str]:
    fields = peer_fields(log, **changes)
    form = {name: str(value or "") for name, value in fields.items()}
    for name in ("frameworks", "item_kinds", "institutions"):
        form[name] = " ".join(fields[name])  # type: ignore[arg-type]
    return form


def _row(html: str, peer_id: str) -> str:
    found = re.search(rf'<tr data-peer="{peer_id}".*?</tr>', html, re.DOTALL)
    assert found is not None, html
    return found.group(0)


def test_propose_approve_remove_with_the_console(
    admin1: httpx2.Client, admin2: httpx2.Client
) -> None:
    log = PeerLog("bank-a.example/log")
    added = post_form(admin1, HOME, _form(log))
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{HOME}?done=added"
    page = admin1.get(added.headers["location"]).text
    assert "Another bank administrator must approve it" in page
    peer_id = re.search(r'<tr data-peer="(\d+)" data-status="proposed"', page)
    assert peer_id is not None, page
    row = _row(page, peer_id.group(1))
    assert log.origin in row
    assert "SHOU" in row
    # the proposer may not approve: the page again, 403, the reason named
    refused = post_form(admin1, f"{HOME}/{peer_id.group(1)}/approve", {}, form_page=HOME)
    assert refused.status_code == 403
    assert "four eyes" in refused.text
    approved = post_form(admin2, f"{HOME}/{peer_id.group(1)}/approve", {}, form_page=HOME)
    assert (approved.status_code, approved.headers["location"]) == (303, f"{HOME}?done=approved")
    row = _row(admin2.get(HOME).text, peer_id.group(1))
    assert 'data-status="approved"' in row
    assert ADMIN1 in row
    assert ADMIN2 in row
    removed = post_form(
        admin1, f"{HOME}/{peer_id.group(1)}/remove", {"reason": "agreement ended"}, form_page=HOME
    )
    assert removed.status_code == 303
    row = _row(admin1.get(HOME).text, peer_id.group(1))
    assert 'data-status="removed"' in row
    assert "agreement ended" in row


def test_a_bad_proposal_is_shown_again_with_its_problems(admin1: httpx2.Client) -> None:
    log = PeerLog("bank-b.example/log")
    refused = post_form(
        admin1, HOME, _form(log, did="nonsense", item_kinds=["spaceship"], valid_from="")
    )
    assert refused.status_code == 422
    assert "Give the first day of the agreement" in refused.text
    bad = post_form(admin1, HOME, _form(log, did="nonsense", item_kinds=["spaceship"]))
    assert bad.status_code == 422
    assert "DID must look like did:web:bank.example" in bad.text
    assert "spaceship&#39; is not a kind of catalogue item" in bad.text
    assert 'value="nonsense"' in bad.text  # what was typed stays
    assert 'id="no-peers"' in bad.text


def test_auditors_read_other_staff_are_refused(signed_in: SignedIn) -> None:
    with signed_in.staff(AUDITOR) as auditor:
        page = auditor.get(HOME)
        assert page.status_code == 200
        assert 'id="read-only"' in page.text
        assert POST_FORM.findall(page.text) == ["/logout"]
        assert 'id="no-forks"' in page.text
    with signed_in.staff(REGISTRAR) as registrar:
        assert registrar.get(HOME).status_code == 403
        refused = post_form(
            registrar, HOME, _form(PeerLog("bank-c.example/log")), form_page="/staff/deposit"
        )
        assert refused.status_code == 403


@pytest.mark.parametrize(
    ("language", "words"), [("zh", "互认学分银行"), ("en", "Peer banks")], ids=["zh", "en"]
)
def test_the_public_page_of_peers(
    bank: str, admin1: httpx2.Client, admin2: httpx2.Client, language: str, words: str
) -> None:
    log = PeerLog("bank-d.example/log")
    post_form(admin1, HOME, _form(log))
    peer_id = re.search(r'<tr data-peer="(\d+)"', admin1.get(HOME).text)
    assert peer_id is not None
    with page_client(bank, language) as anyone:
        before = anyone.get("/peers")
        assert before.status_code == 200
        assert 'id="no-peers"' in before.text  # proposed is not trusted yet
        post_form(admin2, f"{HOME}/{peer_id.group(1)}/approve", {}, form_page=HOME)
        page = anyone.get("/peers")
        assert words in page.text
        assert f'data-origin="{log.origin}"' in page.text
        assert 'id="witness-key"' in page.text
        assert "/api/v1/trust-list" in page.text
