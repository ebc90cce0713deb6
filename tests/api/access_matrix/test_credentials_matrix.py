"""Who may do what over HTTP with verifiable credentials and signing keys: every role against
every endpoint, on own, other and no institution; and the public endpoints, open to anyone.

The expected table is written out here by hand, not derived from the policy,
so that a change to the policy that opens or closes a door fails this test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx2
import pytest

from creditbank import clock
from creditbank.accounts import outcomes
from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.credentials import issuing, signing
from creditbank.db import Database
from creditbank.institutions.model import Role
from tests.api.access_matrix.support import (
    ADMIN,
    OTHER,
    OWN,
    REGISTRAR,
    Kept,
    World,
    facts,
    run_matrix,
)
from tests.bulk_files import id_number
from tests.conftest import LiveBank


@dataclass(frozen=True)
class Credentials:
    """Fresh credentials and spare keys to act on, one per call, made through the services; a
    learner with one outcome of OWN's, for the learner's record."""

    database: Database
    world: World
    account: str
    outcome: str

    def credential(self, owner: str) -> str:
        """A new outcome of ``owner``'s, exported as a credential: the credential's id."""
        outcome = self.world.make_outcome(owner)
        with self.database.unit_of_work() as uow:
            return issuing.issue(
                uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC)
            ).credential_id

    def badge(self, owner: str) -> dict[str, object]:
        """A new outcome of ``owner``'s as a signed Open Badge."""
        outcome = self.world.make_outcome(owner)
        with self.database.unit_of_work() as uow:
            document = issuing.issue(
                uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC)
            ).document
        assert document is not None
        return document

    def spare_key(self, owner: str) -> str:
        """A new key of ``owner``'s (an institution or ``bank``) with a newer one after it, which
        goes on signing whatever happens to the spare: the spare's name."""
        now = datetime.now(UTC)
        with self.database.unit_of_work() as uow:
            spare = signing.generate_key(uow=uow, owner=owner, now=now)
            signing.generate_key(uow=uow, owner=owner, now=now)
        return spare.name


@pytest.fixture(scope="module")
def credentials(live_bank: LiveBank, world: World) -> Credentials:
    with live_bank.database.unit_of_work() as uow:
        account = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(9000)),
            name="档案学员",
        ).number
        outcome = outcomes.deposit_outcome(
            uow=uow,
            institution=OWN,
            account_number=account,
            facts=facts("CLR-1"),
            today=clock.today(),
        ).outcome.public_id
    return Credentials(live_bank.database, world, account, outcome)


# (endpoint, owner) -> roles that succeed; every other role gets 403.
EXPECTED: dict[tuple[str, str], set[Role]] = {
    # verifiable credentials. The owner is the outcome's or the credential's issuer, or whose
    # keys they are ("none": the bank's own); the learner's record is the bank's ("none").
    # Verifying, DID documents and status lists are public: see
    # test_public_credential_endpoints_answer_anyone.
    ("export credential", "own"): {ADMIN, REGISTRAR},
    ("export credential", "other"): {ADMIN},
    ("export learner record", "none"): {ADMIN},
    ("change credential status", "own"): {ADMIN, REGISTRAR},
    ("change credential status", "other"): {ADMIN},
    ("list keys", "own"): {ADMIN, REGISTRAR},
    ("list keys", "other"): {ADMIN},
    ("list keys", "none"): {ADMIN},
    ("register key", "own"): {ADMIN, REGISTRAR},
    ("register key", "other"): {ADMIN},
    ("register key", "none"): {ADMIN},
    ("rotate keys", "own"): {ADMIN, REGISTRAR},
    ("rotate keys", "other"): {ADMIN},
    ("rotate keys", "none"): {ADMIN},
    ("mark key compromised", "own"): {ADMIN, REGISTRAR},
    ("mark key compromised", "other"): {ADMIN},
    ("mark key compromised", "none"): {ADMIN},
}


def call(
    client: httpx2.Client, endpoint: str, owner: str, made: Credentials, kept: Kept
) -> httpx2.Response:
    """The row's request, on an outcome, a credential or a spare key made for it and kept until
    a call succeeds."""
    code = {"own": OWN, "other": OTHER, "none": ""}[owner]
    return call_on_credentials(client, endpoint, code, made, kept)


def call_on_credentials(
    client: httpx2.Client, endpoint: str, code: str, made: Credentials, kept: Kept
) -> httpx2.Response:
    if endpoint == "export credential":
        outcome = kept.get(("outcome", code), lambda: made.world.make_outcome(code))
        return client.get(f"/api/v1/outcomes/{outcome}/credential")
    if endpoint == "export learner record":
        return client.get(f"/api/v1/learners/{made.account}/clr", params={"outcomes": made.outcome})
    if endpoint == "change credential status":
        return client.post(
            f"/api/v1/credentials/{kept.get(('credential', code), lambda: made.credential(code))}"
            "/status",
            json={"purpose": "suspension", "reason": "matrix"},
        )
    return call_on_keys(client, endpoint, code or "bank", made, kept)


def call_on_keys(
    client: httpx2.Client, endpoint: str, owner: str, made: Credentials, kept: Kept
) -> httpx2.Response:
    keys = f"/api/v1/institutions/{owner}/keys"
    if endpoint == "list keys":
        return client.get(keys)
    if endpoint == "register key":
        return client.post(keys, json={})
    if endpoint == "rotate keys":
        return client.post(f"{keys}/rotate")
    assert endpoint == "mark key compromised", endpoint
    return client.post(
        f"{keys}/{kept.get(('key', owner), lambda: made.spare_key(owner))}/compromised",
        json={"since": "2024-01-01T00:00:00Z"},
    )


def test_the_whole_matrix(
    by_role: dict[Role | None, httpx2.Client], credentials: Credentials
) -> None:
    kept = Kept()
    run_matrix(
        EXPECTED,
        by_role,
        lambda client, endpoint, owner, _serial: call(client, endpoint, owner, credentials, kept),
        kept=kept,
    )


def test_public_credential_endpoints_answer_anyone(
    anonymous: httpx2.Client, credentials: Credentials
) -> None:
    """Anyone may check a credential: the verifier, the DID documents and the status lists
    answer without a token."""
    badge = credentials.badge(OWN)
    verdict = anonymous.post("/api/v1/verify", json=badge)
    assert verdict.status_code == 200, verdict.text
    assert verdict.json()["verified"] is True, verdict.text
    statuses = badge["credentialStatus"]
    assert isinstance(statuses, list)
    for path in (
        "/.well-known/did.json",
        f"/institutions/{OWN}/did.json",
        *(urlsplit(entry["statusListCredential"]).path for entry in statuses),
    ):
        answer = anonymous.get(path)
        assert answer.status_code == 200, (path, answer.text)
