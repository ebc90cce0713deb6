"""Transcript read for one learner among many outcomes: p50 and p99 latency (issue 3).

    python -m benchmarks.transcript [--outcomes 10000000] [--backend both|sqlite|postgresql]

For each backend, on a fresh database with the built-in frameworks, one institution and one
course, the bank is filled with OUTCOMES outcomes spread over OUTCOMES / 20 learners (Shanghai's
bank holds 77.34 million outcomes in 3.85 million accounts: 20 each). The outcomes are written
by the database itself (``generate_series`` / a recursive CTE), learner by learner interleaved
(outcome ``g`` belongs to learner ``g mod L``), so one learner's outcomes lie scattered over the
whole table as they would after years of deposits.

Then, for SAMPLES learners drawn at random (fixed seed), three reads of the first transcript
page (up to 100 outcomes), each timed on its own:

- **raw**: the one SELECT a hand-written reader would send (account number -> learner ->
  outcomes joined with their catalogue items, in deposit order), on a DBAPI connection.
- **service**: ``outcomes.transcript`` in its own unit of work, as a request handler calls it.
- **HTTP**: ``GET /api/v1/accounts/{number}/outcomes`` to the app served by uvicorn in its
  own process on loopback (bearer token check, policy, JSON), with a bank administrator's
  token, over one keep-alive connection.

Prints p50 and p99 of each, and service and HTTP as ratios of raw.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import text
from tests.bulk_files import add_college_with_course

from benchmarks.databases import Databases, add_server_argument, databases_of
from creditbank.accounts import outcomes
from creditbank.accounts.model import ACCOUNT_PREFIX, luhn_digit
from creditbank.accounts.tables import LearnerRow
from creditbank.bootstrap import initialise
from creditbank.db import Database, bulk_insert
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role

PER_LEARNER = 20
SEED = 20261122


def account_number(serial: int) -> str:
    body = f"{serial:011d}"
    return f"{ACCOUNT_PREFIX}{body}{luhn_digit(body)}"


def fill(database: Database, total: int) -> tuple[int, float]:
    """Learners and ``total`` outcomes; returns the number of learners and the seconds taken."""
    started = time.perf_counter()
    learners = max(1, total // PER_LEARNER)
    with database.unit_of_work() as uow:
        session = uow.session
        institution_id = session.execute(text("SELECT id FROM institutions")).scalar_one()
        item_id = session.execute(text("SELECT id FROM catalog_items")).scalar_one()
        level_id = session.execute(
            text("SELECT framework_level_id FROM catalog_item_levels")
        ).scalar_one()
        now = datetime.now(UTC)
        for start in range(0, learners, 100_000):
            rows = [
                {
                    "id": serial + 1,
                    "account_number": account_number(serial),
                    "opened_at": now,
                    "opened_by_institution_id": institution_id,
                }
                for serial in range(start, min(start + 100_000, learners))
            ]
            bulk_insert(session, LearnerRow, rows)
        values = {"n": total, "learners": learners, "inst": institution_id}
        values |= {"item": item_id, "level": level_id, "now": now}
        if database.engine.dialect.name == "postgresql":
            session.execute(
                text(
                    "INSERT INTO outcomes (public_id, learner_id, institution_id, record_id,"
                    " item_id, framework_level_id, credits, score, assessed_on, setting,"
                    " deposited_at)"
                    " SELECT md5(g::text), g % :learners + 1, :inst, 'R-' || g, :item, :level,"
                    " 3.0, 80, date '2015-01-01' + (g % 3650), 'formal', :now"
                    " FROM generate_series(0, :n - 1) AS g"
                ),
                values,
            )
            session.execute(text("SELECT setval('learners_id_seq', :learners)"), values)
        else:
            session.execute(
                text(
                    "WITH RECURSIVE g(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM g"
                    " WHERE x < :n - 1)"
                    " INSERT INTO outcomes (public_id, learner_id, institution_id, record_id,"
                    " item_id, framework_level_id, credits, score, assessed_on, setting,"
                    " deposited_at)"
                    " SELECT printf('%032x', x), x % :learners + 1, :inst, 'R-' || x, :item,"
                    " :level, 3.0, 80, date('2015-01-01', '+' || (x % 3650) || ' days'),"
                    " 'formal', :now FROM g"
                ),
                values,
            )
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return learners, time.perf_counter() - started


RAW_QUERY = (
    "SELECT o.*, c.code, c.kind, c.name, c.name_en FROM outcomes o"
    " JOIN catalog_items c ON c.id = o.item_id"
    " WHERE o.learner_id = (SELECT id FROM learners WHERE account_number = {param})"
    " ORDER BY o.id LIMIT 101"
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(database: Database, url: str, learners: int, samples: int) -> dict[str, list[float]]:
    chooser = random.Random(SEED)  # noqa: S311 - choosing sample learners, not secrets
    numbers = [account_number(chooser.randrange(learners)) for _ in range(samples)]
    with database.unit_of_work() as uow:
        institutions.add_user(uow=uow, email="bench@bank.example", role=Role.BANK_ADMIN)
        token = institutions.create_token(uow=uow, email="bench@bank.example").secret
    server, base_url = serve(url)
    client = httpx.Client(base_url=base_url)
    headers = {"Authorization": f"Bearer {token}"}
    postgres = database.engine.dialect.name == "postgresql"
    raw = database.engine.raw_connection()
    cursor = raw.cursor()
    query = RAW_QUERY.format(param="%s" if postgres else "?")
    times: dict[str, list[float]] = {"raw": [], "service": [], "http": []}

    def raw_read(number: str) -> None:
        cursor.execute(query, (number,))
        assert len(cursor.fetchall()) == PER_LEARNER
        raw.commit()

    def service_read(number: str) -> None:
        with database.unit_of_work() as uow:
            page = outcomes.transcript(uow=uow, account_number=number, limit=100)
        assert len(page.outcomes) == PER_LEARNER

    def http_read(number: str) -> None:
        response = client.get(f"/api/v1/accounts/{number}/outcomes", headers=headers)
        assert response.status_code == 200, response.text
        assert len(response.json()["outcomes"]) == PER_LEARNER

    for number in numbers[:20]:  # warm the caches and the connection pool
        raw_read(number)
        service_read(number)
        http_read(number)
    for number in numbers:
        times["raw"].append(timed(lambda n=number: raw_read(n)))
        times["service"].append(timed(lambda n=number: service_read(n)))
        times["http"].append(timed(lambda n=number: http_read(n)))
    raw.close()
    client.close()
    server.terminate()
    server.wait()
    return times


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The bank served by uvicorn in its own process (as in production), and its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "CREDITBANK_DATABASE_URL": url,
        "CREDITBANK_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and app
        [
            sys.executable,
            *("-m", "uvicorn", "--factory", "creditbank.bootstrap:app_from_env"),
            *("--port", str(port), "--log-level", "warning"),
        ],
        env=environment,
    )
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:  # /healthz: /openapi.json cost the server 1-3 s of CPU to build, never timed here
            httpx.get(f"{base_url}/healthz")
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return server, base_url


def run(backend: str, total: int, samples: int, workdir: Path, databases: Databases) -> str:
    if backend == "sqlite":
        url = databases.sqlite(workdir / "transcript.db")
    else:
        url = databases.postgresql("transcript")
    database = Database(url)
    initialise(database)
    with database.unit_of_work() as uow:
        add_college_with_course(uow)
    learners, fill_seconds = fill(database, total)
    times = measure(database, url, learners, samples)
    database.dispose()
    raw50, raw99 = percentiles(times["raw"])
    cells = [backend, f"{total:,}", f"{learners:,}", f"{raw50:.2f} / {raw99:.2f} ms"]
    for name in ("service", "http"):
        p50, p99 = percentiles(times[name])
        cells.append(f"{p50:.2f} / {p99:.2f} ms ({p50 / raw50:.1f}x / {p99 / raw99:.1f}x)")
    cells.append(f"{fill_seconds:.0f} s")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outcomes", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    add_server_argument(parser)
    arguments = parser.parse_args()
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    header = (
        "database",
        "outcomes",
        "learners",
        "raw p50 / p99",
        "service p50 / p99 (x raw)",
        "HTTP p50 / p99 (x raw)",
        "fill time",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments)
        for backend in backends:
            print(run(backend, arguments.outcomes, arguments.samples, Path(folder), databases))


if __name__ == "__main__":
    main()
