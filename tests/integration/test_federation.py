"""Three banks on loopback move a learner end to end (`creditbank demo federation`'s library).

The national, Shanghai and Guangdong banks of :mod:`creditbank.demo.federation`, each on a
database of its own (SQLite files; PostgreSQL databases of the suite's cluster), served by
uvicorn on 127.0.0.1, so that everything between banks is real HTTP: the witnesses' cosigning,
consistency proofs, DID documents and status lists, the one-time link, the national batch. The
learner moves through the pages (logged in at Shanghai, then at Guangdong); Guangdong's officer
decides on the recognition queue's page. Built once per backend; the tests do not depend on each other's
order (each asks the witnesses itself before it reads a checkpoint).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest

from creditbank.accounts import api as accounts
from creditbank.accounts import changes
from creditbank.accounts.commands import RevokeOutcome
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.clock import today
from creditbank.credentials import api as credentials
from creditbank.demo import federation, network_stats
from creditbank.demo.federation import GUANGDONG, NATIONAL, SHANGHAI, Bank
from creditbank.ledger import api as ledger
from creditbank.ledger import notes
from creditbank.peers import api as peers
from creditbank.settings import Environment
from creditbank.stats.api import read_figure
from creditbank.stats.exchange.commands import ShowCombine
from creditbank.stats.exchange.views import show_combine
from creditbank.transfers import recognition, views
from creditbank.transfers.api import READERS, ImportStatus
from creditbank.transfers.commands import ListRecognitions, RecheckTransfers
from tests.conftest import _new_database
from tests.interop.test_node_checkpoints import node_check
from tests.support.pages import csrf_of, log_in, page_client, post_form

pytestmark = pytest.mark.own_database

LINK = re.compile(r'<p class="secret">([^<]+)</p>')
CONFLICT = 409
SEE_OTHER = 303
NOT_FOUND = 404


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def banks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Bank]]:
    """The federation, set up (as tests, without the demo bank's data) and served."""
    tmp = tmp_path_factory.mktemp("federation")
    databases = {
        spec.key: _new_database(request, request.param, tmp, initialised=True)
        for spec in federation.BANKS
    }
    sockets = {spec.key: federation.bind(0) for spec in federation.BANKS}
    urls = {key: federation.url_of(sock) for key, sock in sockets.items()}
    try:
        # no publishing thread: the tests ask the witnesses themselves, when they need them
        made = federation.banks_of(
            databases,
            urls,
            federation.generate_keys(),
            environment=Environment.TEST,
            publish_seconds=3600,
        )
        federation.prepare(made, initialise_databases=False, today=today())
        with federation.serving([(made[key], sockets[key]) for key in made]):
            yield made
    finally:
        for sock in sockets.values():
            sock.close()
        for database in databases.values():
            database.dispose()


def cosigned(banks: dict[str, Bank]) -> None:
    """Every bank's newest checkpoint cosigned by both other banks' witnesses."""
    for key, outcomes in federation.witness_round(list(banks.values())).items():
        assert all(one.cosigned for one in outcomes), (key, outcomes)


def checkpoint_of(bank: Bank) -> str:
    answer = httpx2.get(f"{bank.url}/api/v1/log/checkpoint", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def cosigners(note: str, witnesses: list[Bank]) -> list[str]:
    """The banks among ``witnesses`` whose witness's cosignature on ``note`` verifies."""
    body, _, signatures = note.partition("\n\n")
    checkpoint = notes.Checkpoint.parse(body + "\n")
    found = []
    for witness in witnesses:
        verifier = notes.CosignatureVerifier.from_verifier_key(witness.witness_key)
        for line in signatures.splitlines():
            try:
                notes.verify_cosignature(checkpoint, line, verifier)
            except notes.NoteError:
                continue
            found.append(witness.spec.key)
    return found


@pytest.fixture
def learner(banks: dict[str, Bank]) -> Iterator[dict[str, httpx2.Client]]:
    """The learner, logged in to Shanghai's and Guangdong's pages (by bank key)."""
    clients = {}
    try:
        for bank in (banks[SHANGHAI.key], banks[GUANGDONG.key]):
            client = clients[bank.spec.key] = page_client(bank.url)
            answer = log_in(client, "learner", bank.learner, federation.PASSWORD)
            assert answer.status_code == SEE_OTHER, answer.text
        yield clients
    finally:
        for client in clients.values():
            client.close()


def hand_over(
    client: httpx2.Client, *, package: bytes | None = None, url: str = ""
) -> httpx2.Response:
    """The learner hands a package (a file) or its one-time link over on the page."""
    token = csrf_of(client.get("/me/transfers").text)
    files = {"package": ("transfer.json", package or b"", "application/json")} if package else None
    return client.post("/me/transfers/import", data={"csrf_token": token, "url": url}, files=files)


def imported(bank: Bank, status: ImportStatus | None = None) -> list[views.ImportedOutcome]:
    with bank.database.unit_of_work() as uow:
        return views.list_recognitions(
            ListRecognitions(status, bank.learner), principal=bank.staff["officer"], uow=uow
        )


def now() -> datetime:
    return datetime.now(UTC)


def test_the_banks_cosign_each_others_checkpoints_and_guangdong_accepts_shanghais(
    banks: dict[str, Bank],
) -> None:
    shanghai, guangdong, national = banks[SHANGHAI.key], banks[GUANGDONG.key], banks[NATIONAL.key]
    cosigned(banks)
    for bank in banks.values():
        others = [one for one in banks.values() if one is not bank]
        note = checkpoint_of(bank)
        assert sorted(cosigners(note, others)) == sorted(o.spec.key for o in others)
        # and so says an independent implementation of signed notes and cosignatures (Node)
        checked = node_check(
            note=note,
            logKey=bank.log_key,
            witnessKeys=[one.witness_key for one in others],
            k=len(others),
        )
        assert checked["verified"], checked
        assert checked["origin"] == bank.origin
    first = checkpoint_of(shanghai)
    with guangdong.database.unit_of_work() as uow:
        accepted = peers.accept_checkpoint(uow=uow, origin=shanghai.origin, note=first)
    assert accepted.cosignatures == federation.COSIGNATURES
    # Shanghai's log grows; Guangdong takes the larger checkpoint only with a consistency
    # proof, which it asks Shanghai for over HTTP
    with shanghai.database.unit_of_work() as uow:
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution=SHANGHAI.institution,
                code=f"SH-{uuid.uuid4().hex[:8]}",
                kind=ItemKind.COURSE,
                name="新课程",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(2),
            ),
            on=date(2026, 1, 1),
        )
    cosigned(banks)
    second = checkpoint_of(shanghai)
    assert sorted(cosigners(second, [guangdong, national])) == [GUANGDONG.key, NATIONAL.key]
    with guangdong.database.unit_of_work() as uow:
        grown = peers.accept_checkpoint(uow=uow, origin=shanghai.origin, note=second)
    assert grown.size > accepted.size
    # one cosignature is not enough: without the national witness's, Guangdong refuses it
    body, _, lines = second.partition("\n\n")
    kept = [line for line in lines.splitlines() if not cosigners(body + "\n\n" + line, [national])]
    assert len(kept) == len(lines.splitlines()) - 1
    with guangdong.database.unit_of_work() as uow, pytest.raises(peers.PeerError) as refused:
        peers.accept_checkpoint(
            uow=uow, origin=shanghai.origin, note=body + "\n\n" + "\n".join(kept) + "\n"
        )
    assert refused.value.code == "too_few_cosignatures"


def make_package(client: httpx2.Client, to: Bank, form: str) -> httpx2.Response:
    """The learner's "move my record" form at Shanghai: a file, or a one-time link."""
    return post_form(
        client, "/me/transfers/package", {"to": to.origin, "form": form}, "/me/transfers"
    )


def standing_at(bank: Bank) -> list[str]:
    with bank.database.unit_of_work() as uow:
        return accounts.standing_outcome_ids(uow=uow, account_number=bank.learner)


def recognise(bank: Bank, one: views.ImportedOutcome) -> views.ImportedOutcome:
    """The officer recognises ``one`` from the recognition queue's page."""
    with page_client(bank.url) as officer:
        answer = log_in(officer, "staff", bank.spec.email("officer"), federation.PASSWORD)
        assert answer.status_code == SEE_OTHER, answer.text
        queue = officer.get("/staff/recognitions")
        assert f"/staff/recognitions/{one.public_id}/decide" in queue.text
        decided = officer.post(
            f"/staff/recognitions/{one.public_id}/decide",
            data={"csrf_token": csrf_of(queue.text), "decision": "recognise"},
        )
        assert decided.status_code == SEE_OTHER, decided.text
    (found,) = [o for o in imported(bank, None) if o.public_id == one.public_id]
    return found


def logged_decision(bank: Bank, one: views.ImportedOutcome) -> Mapping[str, object]:
    """The record of the decision on ``one`` in ``bank``'s log."""
    with bank.database.unit_of_work() as uow:
        assert ledger.receipt_of(
            uow=uow, kind=ledger.LogKind.RECOGNITION_DECIDED, record_id=one.public_id
        )
        return READERS[(ledger.LogKind.RECOGNITION_DECIDED, 2)](uow, [one.public_id])[one.public_id]


def deposit_at(bank: Bank, leaf_index: int) -> tuple[str, str]:
    """The outcome of ``bank``'s learner deposited at ``leaf_index``, and its leaf hash."""
    with bank.database.unit_of_work() as uow:
        for outcome_id in bank.outcomes:
            deposit = ledger.receipt_of(
                uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=outcome_id
            )
            if deposit is not None and deposit.leaf_index == leaf_index:
                return outcome_id, base64.b64encode(deposit.leaf_hash).decode()
    raise AssertionError(leaf_index)


def test_a_learner_moves_from_shanghai_to_guangdong(
    banks: dict[str, Bank], learner: dict[str, httpx2.Client]
) -> None:
    shanghai, guangdong = banks[SHANGHAI.key], banks[GUANGDONG.key]
    at_shanghai, at_guangdong = learner[SHANGHAI.key], learner[GUANGDONG.key]
    cosigned(banks)  # the learner's outcomes are in a checkpoint both witnesses cosigned
    made = make_package(at_shanghai, guangdong, "file")
    assert made.status_code == 200, made.text
    package = made.content
    moved = json.loads(package)
    assert (moved["from"], moved["to"]) == (shanghai.origin, guangdong.origin)
    assert len(moved["outcomes"]) == len(shanghai.outcomes)
    assert federation.LEARNER_NAME not in package.decode()
    assert federation.learner_id_number() not in package.decode()

    handed = hand_over(at_guangdong, package=package)
    assert handed.status_code == SEE_OTHER, handed.text
    pending = imported(guangdong)
    assert len(pending) == len(shanghai.outcomes)
    assert {(one.status, one.source) for one in pending} == {
        (ImportStatus.PENDING, shanghai.origin)
    }
    assert standing_at(guangdong) == []

    # the officer recognises one, at the level Guangdong's terms map LOFOUC 4 to; logged at
    # Guangdong with Shanghai's origin and the leaf hash of the deposit there
    first = min(pending, key=lambda one: one.leaf_index)
    decided = recognise(guangdong, first)
    assert decided.status is ImportStatus.RECOGNISED
    assert (decided.recognised_by, decided.target_framework, decided.target_level) == (
        GUANGDONG.institution,
        "GDLEQF",
        "4",
    )
    assert standing_at(guangdong) == [decided.outcome]
    source_outcome, leaf_hash = deposit_at(shanghai, first.leaf_index)
    logged = logged_decision(guangdong, first)
    assert (logged["bank"], logged["source"], logged["source_leaf_hash"]) == (
        guangdong.origin,
        shanghai.origin,
        leaf_hash,
    )

    # the same package again: replayed; a new one (a one-time link) of the same outcomes:
    # already imported; the link, fetched once by Guangdong, is gone
    again = hand_over(at_guangdong, package=package)
    assert again.status_code == CONFLICT
    assert "handed over here before" in again.text
    found = LINK.search(make_package(at_shanghai, guangdong, "link").text)
    assert found is not None
    link = found.group(1).strip()
    assert link.startswith(shanghai.url)
    twice = hand_over(at_guangdong, url=link)
    assert twice.status_code == CONFLICT
    assert "were imported from" in twice.text
    assert httpx2.get(link, timeout=10).status_code == NOT_FOUND
    assert len(imported(guangdong, None)) == len(shanghai.outcomes)

    # a revocation at Shanghai reaches Guangdong when it checks again
    with shanghai.database.unit_of_work() as uow:
        changes.revoke_outcome(
            RevokeOutcome(source_outcome, "awarded in error"),
            principal=shanghai.staff["registrar"],
            uow=uow,
        )
    with guangdong.database.unit_of_work() as uow:
        rechecked = recognition.recheck_transfers(
            RecheckTransfers(shanghai.origin),
            principal=guangdong.staff["officer"],
            uow=uow,
            now=now(),
        )
    assert (rechecked.revoked, rechecked.unobtainable) == ([first.public_id], 0)
    assert standing_at(guangdong) == []
    statuses = {one.public_id: one.status for one in imported(guangdong, None)}
    assert statuses.pop(first.public_id) is not ImportStatus.RECOGNISED
    assert set(statuses.values()) == {ImportStatus.PENDING}


def counted(national: Bank, **question: str) -> int | None:
    """What the national bank's public figures answer (its threshold is 1: nothing hidden)."""
    answer = httpx2.get(f"{national.url}/api/v1/national/counts", params=question, timeout=10)
    assert answer.status_code == 200, answer.text
    count: int | None = answer.json()["total"]["count"]
    return count


def test_the_national_bank_counts_shanghais_references(banks: dict[str, Bank]) -> None:
    shanghai, national = banks[SHANGHAI.key], banks[NATIONAL.key]
    (sent,) = federation.send_to_national(banks)[SHANGHAI.key]
    assert sent.references == len(shanghai.outcomes)
    # (a revocation at Shanghai, if the learner's test ran first, is withdrawn in the batch)
    standing = set(standing_at(shanghai))
    assert sent.withdrawals == len(shanghai.outcomes) - len(standing)
    assert counted(national, bank=shanghai.origin) == len(standing)
    for (code, *_), outcome in zip(federation.COURSES, shanghai.outcomes, strict=True):
        item = f"{SHANGHAI.institution}/{code}"
        assert counted(national, bank=shanghai.origin, item=item) == int(outcome in standing)
    guangdong = banks[GUANGDONG.key]
    assert counted(national, bank=guangdong.origin) == len(standing_at(guangdong))


def test_guangdong_verifies_a_credential_shanghai_issued(banks: dict[str, Bank]) -> None:
    """Guangdong's public verifier checks a credential of Shanghai, its trusted peer: the key
    from Shanghai's DID document, the status from Shanghai's lists, and the receipt recomputed
    from the credential against Shanghai's newest checkpoint, cosigned by the witnesses Guangdong
    trusts (its own and the national bank's), all fetched from Shanghai over HTTP."""
    shanghai, guangdong = banks[SHANGHAI.key], banks[GUANGDONG.key]
    with shanghai.database.unit_of_work() as uow:
        outcome = accounts.standing_outcome_ids(uow=uow, account_number=shanghai.learner)[0]
        document = credentials.issue(
            uow=uow, outcome_id=outcome, fmt="ob3", now=datetime.now(UTC)
        ).document
    assert document is not None
    cosigned(banks)  # the credential's deposit is in a checkpoint both witnesses cosigned

    def verified_at(bank: Bank, credential: object) -> dict[str, object]:
        answer = httpx2.post(
            f"{bank.url}/api/v1/verify",
            json=credential,
            headers={"Accept-Language": "en"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        verdict: dict[str, object] = answer.json()
        return verdict

    verdict = verified_at(guangdong, document)
    checks = {c["check"]: (c["result"], c["code"]) for c in verdict["checks"]}  # type: ignore[attr-defined]
    assert verdict["verified"], verdict
    assert checks["issuer_key"][0] == checks["signature"][0] == checks["status"][0] == "passed"
    assert checks["ledger"][0] == "passed", checks["ledger"]
    altered = json.loads(json.dumps(document))
    altered["credentialSubject"]["creditsEarned"] = 99
    failed = {
        c["check"]: c["code"]
        for c in verified_at(guangdong, altered)["checks"]  # type: ignore[attr-defined]
        if c["result"] == "failed"
    }
    assert failed == {"signature": "bad_signature", "ledger": "commitment_mismatch"}


def test_the_national_bank_shows_the_regional_banks_statistics_combined(
    banks: dict[str, Bank],
) -> None:
    """Set up, the federation has combined Shanghai's and Guangdong's exported statistics at the
    national bank (DuckDB); combined again now (other tests may have deposited since), the
    national bank's figures by bank are each regional bank's own, and its page names both."""
    national = banks[NATIONAL.key]
    regional = {banks[key].origin: banks[key] for key in (SHANGHAI.key, GUANGDONG.key)}
    with national.database.unit_of_work() as uow:
        prepared = show_combine(ShowCombine(), principal=None, uow=uow)
    assert prepared is not None
    assert prepared.engine == "duckdb"
    assert {bank.origin for bank in prepared.banks} == set(regional)
    report = network_stats.combine_regional_banks(banks, national=NATIONAL.key)
    assert {bank.origin for bank in report.banks} == set(regional)
    for name in ("accounts", "outcomes"):
        with national.database.unit_of_work() as uow:
            by_bank = read_figure(uow, figure=name, by="bank", suppress_below=1, source="network")
        own = {}
        for origin, bank in regional.items():
            with bank.database.unit_of_work() as uow:
                own[origin] = dict(
                    read_figure(uow, figure=name, by="all", suppress_below=1).total.counts
                )
        assert {row.value: dict(row.counts) for row in by_bank.rows} == {
            origin: counts for origin, counts in own.items() if any(counts.values())
        }, name
    assert by_bank.total.counts["deposited"] == sum(c["deposited"] or 0 for c in own.values()) > 0
    page = httpx2.get(f"{national.url}/stats/network", params={"lang": "en"}, timeout=10)
    assert page.status_code == 200
    assert all(f'data-origin="{origin}"' in page.text for origin in regional)
