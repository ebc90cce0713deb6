"""Importing a transfer package of a learner's outcomes from a peer bank, verification included.

    python -m benchmarks.transfer_import [--outcomes 200] [--samples 3] [--sqlite-template FILE]

Two banks on SQLite in this process (copies of ``--sqlite-template``, or new migrated files,
with the built-in frameworks), each with its own log origin and key: bank A holds a learner's
OUTCOMES outcomes (each with its credential issued), B trusts A (four eyes) and B's witness has
cosigned A's checkpoint. A makes the learner's package for B (untimed); each sample times B's
whole import through ``transfers.importing.import_transfer`` in a unit of work: the package's
shape, A's trust, A's signature, the nonce, the learner's identity hash, every credential
verified (its Data Integrity proof, A's key from A's DID document, A's status lists), A's
checkpoint accepted (its cosignature, consistency), every receipt checked against it, and the
outcomes stored (then rolled back, so each sample imports the same outcomes afresh). B reads A's
DID documents and status lists through a fetch answered by A's own handlers (no socket: what is
timed is B's work, not a network).

The floor in the same run: the raw Ed25519 verification of OUTCOMES signatures (one per
outcome, over each credential's canonical bytes). The target (issue 18): under 5 s for 200
outcomes. Prints the samples, their mean, the ratio to the raw verifications, and the load
average.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks.conversion import LoadWatch
from benchmarks.databases import add_sqlite_template_argument, sqlite_database
from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts_api
from creditbank.accounts import outcomes, service
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.model import LearningSetting, OutcomeFacts, parse_id_number
from creditbank.bootstrap import initialise, peer_settings_of, wire
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.credentials import api as credentials
from creditbank.credentials import views as credential_views
from creditbank.credentials.commands import ShowDidDocument, ShowStatusList
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.ledger import notes
from creditbank.ledger.witnessing import ask_witnesses
from creditbank.peers import trust, witnessing
from creditbank.peers.commands import AddPeer, ApprovePeer, WitnessCheckpoint
from creditbank.settings import Environment, Settings
from creditbank.transfers import importing, packages
from creditbank.transfers.commands import ImportTransfer, MakeTransferPackage

TARGET_SECONDS = 5.0
IDENTITY = "310104199001010011"


def _settings(url: str, host: str) -> Settings:
    origin = f"{host}/log"
    private, _ = notes.generate_key(origin)
    return Settings(
        environment=Environment.TEST,
        database_url=url,
        secret_key="b" * 40,
        data_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        log_origin=origin,
        log_key=private,
        public_url=f"https://{host}",
    )


def _bank(folder: Path, name: str, template: Path | None) -> tuple[Database, Settings]:
    url = sqlite_database(folder / f"{name}.db", template)
    settings = _settings(url, f"{name}.bench.example")
    database = Database(url)
    initialise(database)
    wire(database, settings)
    return database, settings


def _cipher(settings: Settings) -> PersonalDataCipher:
    return PersonalDataCipher.from_base64(settings.data_key.get_secret_value())


def _admins(database: Database) -> tuple[Principal, Principal]:
    with database.unit_of_work() as uow:
        for n in (1, 2):
            institutions.add_user(uow=uow, email=f"admin{n}@bench.example", role=Role.BANK_ADMIN)
        return (
            institutions.principal_for(uow=uow, email="admin1@bench.example"),
            institutions.principal_for(uow=uow, email="admin2@bench.example"),
        )


def _trust(database: Database, peer: Settings, witness_key: str) -> None:
    first, second = _admins(database)
    host = urlsplit(peer.public_url).netloc
    assert peer.log_key is not None
    signer = notes.Signer.from_private_key(peer.log_key.get_secret_value())
    with database.unit_of_work() as uow:
        trust.add_peer(
            AddPeer(
                origin=peer.log_origin,
                log_key=signer.verifier_key(),
                did=f"did:web:{host}",
                url=peer.public_url,
                witness_url=f"{peer.public_url}/witness",
                witness_key=witness_key,
                frameworks=("LOFOUC",),
                item_kinds=("course",),
                institutions=("SHOU",),
                valid_from=date(2020, 1, 1),
            ),
            principal=first,
            uow=uow,
        )
    with database.unit_of_work() as uow:
        trust.approve_peer(ApprovePeer(peer.log_origin), principal=second, uow=uow)


def _learner(database: Database, settings: Settings) -> LearnerPrincipal:
    with database.unit_of_work() as uow:
        number = service.open_account(
            uow=uow, cipher=_cipher(settings), id_number=parse_id_number(IDENTITY), name="学员"
        ).number
        found = accounts_api.find_learner(uow=uow, account_number=number)
        assert found is not None
        return LearnerPrincipal(found.id, found.account_number)


def _outcomes(database: Database, learner: LearnerPrincipal, count: int) -> list[str]:
    with database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="SHOU", name="上海开放大学", type=InstitutionType.OPEN_UNIVERSITY
        )
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="SHOU",
                code="SH-101",
                kind=ItemKind.COURSE,
                name="课程",
                framework="LOFOUC",
                levels=("4",),
                credits=Decimal(3),
            ),
            on=date(2025, 1, 1),
        )
        made = [
            outcomes.deposit_outcome(
                uow=uow,
                institution="SHOU",
                account_number=learner.account_number,
                facts=OutcomeFacts(
                    record_id=f"B-{n:05d}",
                    item_code="SH-101",
                    level="4",
                    credits=Decimal(3),
                    score=Decimal(80),
                    assessed_on=date(2025, 6, 30),
                    setting=LearningSetting.FORMAL,
                ),
                today=date(2026, 12, 1),
            ).outcome.public_id
            for n in range(count)
        ]
    with database.unit_of_work() as uow:
        for outcome_id in made:
            credentials.issue(uow=uow, outcome_id=outcome_id, fmt="ob3", now=datetime.now(UTC))
    return made


def _fetcher(database: Database, settings: Settings) -> Callable[[str], bytes]:
    """A's DID documents and status lists, answered by A's own handlers (as its routes do)."""
    base = settings.public_url
    prefix = f"{base}/api/v1/credentials/status/"

    def fetch(url: str) -> bytes:
        with database.unit_of_work() as uow:
            if url == f"{base}/.well-known/did.json":
                document = credential_views.show_did_document(
                    ShowDidDocument("bank"), principal=None, uow=uow
                )
            elif url.startswith(f"{base}/institutions/") and url.endswith("/did.json"):
                code = url.removeprefix(f"{base}/institutions/").removesuffix("/did.json")
                document = credential_views.show_did_document(
                    ShowDidDocument(code), principal=None, uow=uow
                )
            elif url.startswith(prefix):
                list_id, _, purpose = url.removeprefix(prefix).partition("/")
                document = credential_views.show_status_list(
                    ShowStatusList(int(list_id), purpose),
                    principal=None,
                    uow=uow,
                    now=datetime.now(UTC),
                )
            else:
                message = f"not found: {url}"
                raise OSError(message)
        return json.dumps(document).encode()

    return fetch


def _witnessed(a: Database, b: Database) -> None:
    """B's witness cosigns A's newest checkpoint (the request handed to B's handler)."""

    def post(url: str, body: bytes) -> tuple[int, bytes]:
        del url
        with b.unit_of_work() as uow:
            line = witnessing.witness_checkpoint(WitnessCheckpoint(body), principal=None, uow=uow)
        return 200, line

    done = ask_witnesses(a, post=post)
    assert done, "A has no witness"
    assert all(one.cosigned for one in done), done


def run(
    folder: Path, count: int, samples: int, template: Path | None
) -> tuple[list[float], list[float], float]:
    """Seconds of each import of COUNT outcomes (wall, and CPU of this process), and of COUNT
    raw Ed25519 verifications."""
    a, a_settings = _bank(folder, "a", template)
    b, b_settings = _bank(folder, "b", template)
    b_witness = peer_settings_of(b_settings).witness.verifier().verifier_key()
    a_witness = peer_settings_of(a_settings).witness.verifier().verifier_key()
    a_settings = a_settings.model_copy(
        update={"log_witnesses": [f"{b_settings.public_url}/witness {b_witness}"]}
    )
    wire(a, a_settings)
    _trust(b, a_settings, a_witness)
    _trust(a, b_settings, b_witness)
    at_a, at_b = _learner(a, a_settings), _learner(b, b_settings)
    made = _outcomes(a, at_a, count)
    _witnessed(a, b)
    with a.unit_of_work() as uow:
        package = packages.make_transfer_package(
            MakeTransferPackage(at_a.account_number, b_settings.log_origin, tuple(made)),
            principal=at_a,
            uow=uow,
            now=datetime.now(UTC),
            cipher=_cipher(a_settings),
        ).package
    text = json.dumps(package)
    fetch = _fetcher(a, a_settings)
    took: list[float] = []
    cpu: list[float] = []
    for _ in range(samples):
        with b.unit_of_work() as uow:
            started, cpu_started = time.perf_counter(), time.process_time()
            transfer = importing.import_transfer(
                ImportTransfer(at_b.account_number, package=text),
                principal=at_b,
                uow=uow,
                now=datetime.now(UTC),
                cipher=_cipher(b_settings),
                fetch=fetch,
            )
            took.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            assert len(transfer.outcomes) == count
            uow.session.rollback()
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    messages = [
        json.dumps(one["credential"], sort_keys=True).encode() for one in package["outcomes"]
    ]
    signed = [(key.sign(message), message) for message in messages]
    started = time.perf_counter()
    for signature, message in signed:
        public.verify(signature, message)
    raw = time.perf_counter() - started
    a.dispose()
    b.dispose()
    return took, cpu, raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outcomes", type=int, default=200, help="outcomes in the package")
    parser.add_argument("--samples", type=int, default=3, help="timed imports")
    add_sqlite_template_argument(parser)
    arguments = parser.parse_args(argv)
    watch = LoadWatch()
    watch.start()
    with tempfile.TemporaryDirectory() as folder:
        took, cpu, raw = run(
            Path(folder), arguments.outcomes, arguments.samples, arguments.sqlite_template
        )
    mean = statistics.fmean(took)
    print("| operation | samples s (wall) | mean s (wall) | mean s (CPU) |")
    print("|---|---|---|---|")
    print(
        f"| import {arguments.outcomes} outcomes (verified, SQLite) | "
        f"{', '.join(f'{t:.3f}' for t in took)} | {mean:.3f} | {statistics.fmean(cpu):.3f} |"
    )
    print(f"| raw Ed25519 verify x{arguments.outcomes} | {raw:.4f} | {raw:.4f} | |")
    verdict = "under" if mean < TARGET_SECONDS else "OVER"
    print(
        f"\nratio: importing takes {mean / raw:.0f} times verifying the {arguments.outcomes} "
        f"signatures raw; mean {mean:.2f} s, {verdict} the {TARGET_SECONDS:.0f} s target"
    )
    print(f"load average {watch.stop()}", file=sys.stderr)


if __name__ == "__main__":
    main()
