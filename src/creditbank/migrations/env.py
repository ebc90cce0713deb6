"""Alembic environment: migrations run against the connection creditbank hands over.

``creditbank.bootstrap.migrate`` passes an open connection in
``config.attributes["connection"]``; the ``alembic`` command line (alembic.ini
at the repository root) falls back to ``CREDITBANK_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from creditbank.accounts import tables as _accounts_tables  # noqa: F401
from creditbank.accreditation import tables as _accreditation_tables  # noqa: F401
from creditbank.alignments import tables as _alignments_tables  # noqa: F401
from creditbank.alliances import tables as _alliances_tables  # noqa: F401
from creditbank.catalog import tables as _catalog_tables  # noqa: F401
from creditbank.consents import tables as _consents_tables  # noqa: F401
from creditbank.conversion import tables as _conversion_tables  # noqa: F401
from creditbank.credentials import tables as _credentials_tables  # noqa: F401
from creditbank.db import Base, make_engine
from creditbank.evidence import tables as _evidence_tables  # noqa: F401
from creditbank.frameworks import tables as _frameworks_tables  # noqa: F401 - registers tables
from creditbank.institutions import tables as _institutions_tables  # noqa: F401
from creditbank.jobs import tables as _jobs_tables  # noqa: F401
from creditbank.joint import tables as _joint_tables  # noqa: F401
from creditbank.ledger import tables as _ledger_tables  # noqa: F401
from creditbank.national import tables as _national_tables  # noqa: F401
from creditbank.occupations import tables as _occupations_tables  # noqa: F401
from creditbank.peers import tables as _peers_tables  # noqa: F401
from creditbank.sessions import tables as _sessions_tables  # noqa: F401
from creditbank.settings import get_settings
from creditbank.skills import tables as _skills_tables  # noqa: F401
from creditbank.stats import tables as _stats_tables  # noqa: F401
from creditbank.stats.exchange import tables as _stats_exchange_tables  # noqa: F401
from creditbank.transfers import tables as _transfers_tables  # noqa: F401
from creditbank.xcerts import tables as _xcerts_tables  # noqa: F401

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.begin() as new_connection:
        _run(new_connection)
    engine.dispose()


if context.is_offline_mode():
    msg = "offline (SQL script) migrations are not supported; run against a database"
    raise SystemExit(msg)
run_migrations_online()
