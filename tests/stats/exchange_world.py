"""Banks with statistics, for the tests of export and combine (tests/stats/test_exchange.py,
test_spark.py): each bank a database of its own (a copy of the migrated template) with its own
log origin, institutions (region, type) and facts tallied through ``stats.api.tally``, exported
once into a directory of its own.

A bank's facts are drawn from a seeded generator (the same every run): accounts with sex and age
bands, outcomes with settings, kinds, levels and credits, accreditation decisions with days,
recognition by peer, cohorts; counts from 1 to 14, so that some rows of the fact table fall
below the threshold of 10 and some do not. Its rebuild source yields the same facts without sex
and age (as a real source does): the export's fact table is counted from it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select

from creditbank.db import Database, UnitOfWork
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType
from creditbank.ledger.keys import load_log_keys
from creditbank.ledger.service import LOG_KEYS
from creditbank.stats.api import Fact, tally
from creditbank.stats.exchange.export import export_stats
from creditbank.stats.tables import StatCellRow
from tests.conftest import _new_database

THRESHOLD = 10
INSTITUTIONS = {
    # code: (region, type); GDVTC is at two banks (an institution code is national)
    "bank-a.test/log": {
        "GDVTC": ("广东", InstitutionType.HIGHER_VOCATIONAL_COLLEGE),
        "SZU": ("广东", InstitutionType.UNIVERSITY),
        "CAD-GD": ("广东", InstitutionType.ACCREDITATION_CENTRE),
    },
    "bank-b.test/log": {
        "SHOU": ("上海市", InstitutionType.OPEN_UNIVERSITY),
        "GDVTC": ("广东省", InstitutionType.HIGHER_VOCATIONAL_COLLEGE),
    },
    "bank-c.test/log": {
        "JSTS": ("江苏", InstitutionType.TECHNICAL_SCHOOL),
        "NJU": ("江苏", InstitutionType.UNIVERSITY),
    },
}
ORIGINS = tuple(INSTITUTIONS)
ISO = {"广东": "CN-GD", "广东省": "CN-GD", "上海市": "CN-SH", "江苏": "CN-JS"}
"""The regions as the figures group them (ISO 3166-2), however a bank wrote them."""
Cell = tuple[str, str, str, str, str, int]
"""(figure, measure, scope, dim, value, month)."""
Sum = tuple[int, Decimal]
_K = TypeVar("_K")


@dataclass
class Bank:
    origin: str
    database: Database
    facts: list[Fact]
    export: Path

    def source(self, _uow: UnitOfWork) -> Iterator[Fact]:
        """The bank's rebuild source: its facts as the records hold them (no sex, no age)."""
        for fact in self.facts:
            dims = {k: v for k, v in fact.dims.items() if k not in {"sex", "age"}}
            yield Fact(
                fact.figure,
                fact.measure,
                fact.at,
                fact.institution,
                dims,
                fact.count,
                fact.amount,
            )

    def cells(self) -> dict[Cell, Sum]:
        """The bank's ``stat_cells``, as stored."""
        with self.database.unit_of_work() as uow:
            return {
                (r.figure, r.measure, r.scope, r.dim, r.value, r.month): (r.n, Decimal(r.amount))
                for r in uow.session.scalars(select(StatCellRow))
            }


def facts_of(origin: str, seed: int) -> list[Fact]:
    """A bank's facts, the same every run for the same seed."""
    draw = random.Random(seed)  # noqa: S311 - test data, not secrets
    codes = sorted(INSTITUTIONS[origin])
    months = [date(2025, 11, 3), date(2025, 12, 9), date(2026, 1, 15)]
    facts: list[Fact] = []
    for _ in range(40):
        at, code, count = draw.choice(months), draw.choice(codes), draw.randint(1, 14)
        kind = draw.randrange(5)
        if kind == 0:
            dims = {"sex": draw.choice(["female", "male"]), "age": draw.choice(["<20", "20-29"])}
            facts.append(Fact("accounts", "opened", at, code, dims, count))
        elif kind == 1:
            dims = {
                "setting": draw.choice(["formal", "non_formal"]),
                "kind": draw.choice(["course", "x_certificate"]),
                "level": draw.choice(["CQF@1:4", "CQF@1:5"]),
            }
            amount = Decimal(draw.randint(1, 40)) / 2 * count
            facts.append(Fact("outcomes", "deposited", at, code, dims, count, amount))
        elif kind == 2:
            days = Decimal(draw.randint(5, 60) * count)
            facts.append(
                Fact("accreditation", "decided", at, code, {"level": "CQF@1:4"}, count, days)
            )
        elif kind == 3:
            peer = draw.choice([o for o in ORIGINS if o != origin])
            facts.append(Fact("recognition", "recognised", at, None, {"peer": peer}, count))
        else:
            dims = {"cohort": str(at.year), "after": draw.choice(["1", "2"])}
            facts.append(Fact("cohorts", "converted", at, None, dims, count))
    return facts


def make_bank(
    request: pytest.FixtureRequest, backend: str, tmp: Path, origin: str, seed: int
) -> Bank:
    """A bank at ``origin`` with its institutions and facts tallied, exported into ``tmp``."""
    database = _new_database(request, backend, tmp)
    database.session_info[LOG_KEYS] = load_log_keys(origin=origin, private_key=None)
    facts = facts_of(origin, seed)
    with database.unit_of_work() as uow:
        for code, (region, kind) in INSTITUTIONS[origin].items():
            institutions.add_institution(
                uow=uow, code=code, name=f"{code} 学院", type=kind, region=region
            )
        tally(uow, facts)
    bank = Bank(origin, database, facts, tmp / "export")
    with database.unit_of_work() as uow:
        export_stats(uow, bank.export, suppress_below=THRESHOLD, sources=[bank.source])
    return bank


def make_banks(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> list[Bank]:
    """The three banks of :data:`INSTITUTIONS`, each exported."""
    return [
        make_bank(request, backend, tmp_path_factory.mktemp(f"bank{n}"), origin, seed=n)
        for n, origin in enumerate(ORIGINS)
    ]


def _add(into: dict[_K, Sum], key: _K, n: int, amount: Decimal) -> None:
    n0, amount0 = into.get(key, (0, Decimal(0)))
    into[key] = (n0 + n, amount0 + amount)


def summed(banks: list[Bank]) -> dict[Cell, Sum]:
    """The cells of ``banks`` added up, cell by cell: what the network's total must be."""
    total: dict[Cell, Sum] = {}
    for bank in banks:
        for key, (n, amount) in bank.cells().items():
            _add(total, key, n, amount)
    return total


def by_place(banks: list[Bank], column: int) -> dict[tuple[str, Cell], Sum]:
    """Each bank's cells of dim ``institution`` summed by the institution's region (``column``
    0) or type (1), as cells of dim ``region`` / ``institution_type``, by (bank, cell); the
    network's under bank ""."""
    dim = ("region", "institution_type")[column]
    found: dict[tuple[str, Cell], Sum] = {}
    for bank in banks:
        places = INSTITUTIONS[bank.origin]
        for (figure, measure, scope, d, value, month), (n, amount) in bank.cells().items():
            if d == "institution":
                region, kind = places[value]
                place = ISO[region] if column == 0 else kind.value
                key = (figure, measure, scope, dim, place, month)
                _add(found, (bank.origin, key), n, amount)
                _add(found, ("", key), n, amount)
    return found
