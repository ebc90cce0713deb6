"""The composition root: builds the database, runs migrations, wires the app.

Entry points (``creditbank serve``, ``uvicorn creditbank.bootstrap:app_from_env``,
the tests) come through here, so wiring happens in exactly one place.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from creditbank.accounts import api as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.lifecycle import WITHDRAWN_HOOKS
from creditbank.accreditation import api as accreditation
from creditbank.clock import today
from creditbank.conversion import api as conversion
from creditbank.credentials import signing as credentials
from creditbank.credentials.resolver import FOREIGN_RESOLVERS
from creditbank.db import Database, UnitOfWork
from creditbank.frameworks import service as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger.keys import LogKeys, Witness, load_log_keys, read_key_file
from creditbank.ledger.service import LOG_KEYS
from creditbank.ledger.verify import Reader, ReaderKey, Unlogged
from creditbank.ledger.witnessing import WITNESS_SOURCES
from creditbank.peers import checkpoints as peers
from creditbank.sessions import service as web_sessions
from creditbank.settings import Settings, get_settings
from creditbank.stats import api as stats
from creditbank.transfers import api as transfers
from creditbank.transfers import foreign as peer_credentials
from creditbank.xcerts import api as xcerts

if TYPE_CHECKING:
    from creditbank.demo.service import DemoReport


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` that needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("creditbank") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def migrate(database: Database) -> None:
    """Bring the schema to the newest migration."""
    url = make_url(database.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True, slots=True)
class InitReport:
    frameworks_added: list[str]
    crosswalks_added: list[str]
    demo: DemoReport | None = None


def initialise(database: Database, *, demo_cipher: PersonalDataCipher | None = None) -> InitReport:
    """Migrate and install the built-in frameworks; given ``demo_cipher``, load the demo bank
    too (its learners' personal data sealed with that cipher).

    Idempotent: running it twice adds nothing the second time.
    """
    migrate(database)
    with database.unit_of_work() as uow:
        report = frameworks.install_builtin_frameworks(uow=uow)
        log_what_predates_the_log(uow)
    demo = None
    if demo_cipher is not None:
        from creditbank.demo.service import load_demo  # noqa: PLC0415 - Faker only when asked

        demo = load_demo(database=database, cipher=demo_cipher, today=today())
    return InitReport(report.frameworks_added, report.crosswalks_added, demo)


def log_keys_of(settings: Settings) -> LogKeys:
    """The ledger's keys as ``settings`` name them (the development key if none is set)."""
    private_key = None
    if settings.log_key is not None:
        private_key = settings.log_key.get_secret_value()
    elif settings.log_key_file is not None:
        private_key = read_key_file(settings.log_key_file)
    witnesses = []
    for line in settings.log_witnesses:
        url, _, verifier_key = line.strip().partition(" ")
        witnesses.append(Witness(verifier_key=verifier_key.strip(), url=url))
    return load_log_keys(
        origin=settings.log_origin,
        private_key=private_key,
        past_verifier_keys=tuple(settings.log_past_keys),
        witnesses=tuple(witnesses),
    )


def peer_settings_of(settings: Settings) -> peers.PeerSettings:
    """The witness of peers' logs and the cosignatures a peer's checkpoint needs: the witness
    key from ``CREDITBANK_WITNESS_KEY``, else derived from the log's signing key (the public
    development witness when the log has the development key)."""
    if settings.witness_key is not None:
        signer = peers.witness_signer(settings.witness_key.get_secret_value())
    else:
        private_key = None
        if settings.log_key is not None:
            private_key = settings.log_key.get_secret_value()
        elif settings.log_key_file is not None:
            private_key = read_key_file(settings.log_key_file)
        signer = peers.derived_witness(settings.log_origin, private_key)
    return peers.PeerSettings(
        witness=signer,
        cosignatures_required=settings.peer_cosignatures_required,
        public_url=settings.public_url,
    )


STATISTICS_SOURCES = (
    accounts.account_facts,
    accounts.outcome_facts,
    accounts.cohort_learner_facts,
    conversion.conversion_facts,
    accreditation.accreditation_facts,
    xcerts.xcert_facts,
    transfers.recognition_facts,
)
"""What ``creditbank stats rebuild`` counts again: each area's facts, read from its rows."""


def wire(database: Database, settings: Settings) -> Database:
    """Give ``database``'s units of work what the services need from ``settings``."""
    stats.FACT_SOURCES[:] = STATISTICS_SOURCES
    database.session_info[stats.SUPPRESS_BELOW] = settings.stats_suppress_below
    database.session_info[LOG_KEYS] = log_keys_of(settings)
    database.session_info[WITHDRAWN_HOOKS] = (conversion.source_withdrawn,)
    database.session_info[institutions.USER_DISABLED_HOOKS] = (web_sessions.end_staff_sessions,)
    database.session_info[credentials.KEY_VAULT] = credentials.KeyVault(
        base64.b64decode(settings.data_key.get_secret_value())
    )
    database.session_info[credentials.PUBLIC_URL] = settings.public_url
    database.session_info[peers.PEER_SETTINGS] = peer_settings_of(settings)
    database.session_info[WITNESS_SOURCES] = (peers.peer_witnesses,)
    database.session_info[FOREIGN_RESOLVERS] = (peer_credentials.peer_resolver,)
    return database


def open_database(settings: Settings | None = None) -> Database:
    """The bank's database, wired (the ledger's keys)."""
    settings = settings or get_settings()
    return wire(Database(settings.database_url, echo=settings.sql_echo), settings)


def ledger_readers() -> tuple[dict[ReaderKey, Reader], list[Unlogged]]:
    """For ``log verify``: each business area's readers of the facts it logs, and its check
    for facts missing from the log."""
    from creditbank.accounts import records  # noqa: PLC0415
    from creditbank.accreditation import records as accreditation_records  # noqa: PLC0415
    from creditbank.alignments import records as alignment_records  # noqa: PLC0415
    from creditbank.alliances import records as alliance_records  # noqa: PLC0415
    from creditbank.catalog import records as catalog_records  # noqa: PLC0415
    from creditbank.conversion import records as conversion_records  # noqa: PLC0415
    from creditbank.credentials import records as credential_records  # noqa: PLC0415
    from creditbank.frameworks import records as framework_records  # noqa: PLC0415
    from creditbank.institutions import records as institution_records  # noqa: PLC0415
    from creditbank.peers import records as peer_records  # noqa: PLC0415
    from creditbank.transfers import api as transfers  # noqa: PLC0415

    readers: dict[ReaderKey, Reader] = {
        **records.READERS,
        **framework_records.READERS,
        **conversion_records.READERS,
        **accreditation_records.READERS,
        **institution_records.READERS,
        **catalog_records.READERS,
        **credential_records.READERS,
        **peer_records.READERS,
        **transfers.READERS,
        **alliance_records.READERS,
        **alignment_records.READERS,
    }
    return readers, [
        records.unlogged,
        framework_records.unlogged,
        conversion_records.unlogged,
        accreditation_records.unlogged,
        institution_records.unlogged,
        catalog_records.unlogged,
        credential_records.unlogged,
        peer_records.unlogged,
        transfers.unlogged,
        alliance_records.unlogged,
        alignment_records.unlogged,
    ]


def log_what_predates_the_log(uow: UnitOfWork) -> int:
    """Log the version now of every institution, catalogue item, grant, signing key and
    programme made before they were facts of record (a bank upgraded past migration 0018; ADR
    0017): how many facts. Idempotent: what is logged is not logged again."""
    from creditbank.catalog import records as catalog_records  # noqa: PLC0415
    from creditbank.conversion import records as conversion_records  # noqa: PLC0415
    from creditbank.credentials import records as credential_records  # noqa: PLC0415
    from creditbank.institutions import records as institution_records  # noqa: PLC0415

    return (
        institution_records.catch_up(uow)
        + catalog_records.catch_up(uow)
        + credential_records.catch_up(uow)
        + conversion_records.catch_up(uow)
    )


def build_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The application for ``settings`` (default: from the environment)."""
    from creditbank.web.app import create_app  # noqa: PLC0415 - keeps the CLI's import light

    settings = settings or get_settings()
    database = wire(database, settings) if database else open_database(settings)
    return create_app(settings=settings, database=database)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory creditbank.bootstrap:app_from_env``."""
    return build_app()
