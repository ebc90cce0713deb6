"""Statistics across banks: a bank's export (cells and the de-identified fact table as Parquet,
with a manifest), and the national bank's combine of three banks' exports on DuckDB, stored in
``stat_network_cells``; tampered or duplicated exports refused with nothing stored. On both
databases: three banks per backend, each its own database and log origin, built and exported
once for the module; each test rolled back on the first bank's database (the national bank)."""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import delete, func, select

from creditbank.access.policy import OPERATOR, AccessError, Principal
from creditbank.db import Database
from creditbank.institutions.model import Role
from creditbank.stats.exchange.combine import combine_stats
from creditbank.stats.exchange.commands import CombineStats, ExportStats
from creditbank.stats.exchange.engines import StatsExchangeError
from creditbank.stats.exchange.export import export_stats
from creditbank.stats.exchange.files import (
    CELLS,
    FACTS,
    MANIFEST,
    cells_schema,
    facts_schema,
)
from creditbank.stats.exchange.handlers import combine_statistics, export_statistics
from creditbank.stats.exchange.tables import (
    StatNetworkCellRow,
    StatNetworkCombineRow,
    StatNetworkSourceRow,
)
from creditbank.stats.model import month_of
from creditbank.stats.reading import read_figure
from tests.conftest import BACKENDS
from tests.stats.exchange_world import (
    INSTITUTIONS,
    ISO,
    THRESHOLD,
    Bank,
    Cell,
    Sum,
    by_place,
    make_banks,
    summed,
)

DERIVED = {"region", "institution_type"}


@pytest.fixture(scope="module", params=BACKENDS)
def banks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Bank]]:
    made = make_banks(request, request.param, tmp_path_factory)
    yield made
    for bank in made:
        bank.database.dispose()


@pytest.fixture
def national(banks: list[Bank]) -> Iterator[Database]:
    """The first bank's database, where combines are stored; rolled back after each test."""
    database = banks[0].database
    with database.pinned():  # type: ignore[attr-defined]
        yield database


def network(database: Database) -> dict[tuple[str, Cell], Sum]:
    """``stat_network_cells`` by (bank, cell)."""
    with database.unit_of_work() as uow:
        return {
            (r.bank, (r.figure, r.measure, r.scope, r.dim, r.value, r.month)): (
                r.n,
                Decimal(r.amount),
            )
            for r in uow.session.scalars(select(StatNetworkCellRow))
        }


def combines(database: Database) -> int:
    with database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(StatNetworkCombineRow)) or 0


def test_cells_parquet_holds_every_cell_with_its_bank_region_and_type(banks: list[Bank]) -> None:
    for bank in banks:
        table = pq.read_table(bank.export / CELLS)
        assert table.schema.remove_metadata().equals(cells_schema())
        assert table.schema.field("amount").type == pa.decimal128(20, 2)
        assert table.schema.field("n").type == pa.int64()
        places = INSTITUTIONS[bank.origin]
        expected = []
        for (figure, measure, scope, dim, value, month), (n, amount) in bank.cells().items():
            code = value if dim == "institution" else scope or None
            region, kind = (ISO[places[code][0]], places[code][1]) if code else (None, None)
            expected.append(
                {
                    "bank": bank.origin,
                    "figure": figure,
                    "measure": measure,
                    "scope": scope,
                    "dim": dim,
                    "value": value,
                    "month": month,
                    "n": n,
                    "amount": amount,
                    "region": region,
                    "institution_type": None if kind is None else kind.value,
                }
            )
        key = lambda row: tuple(str(row[c]) for c in cells_schema().names)  # noqa: E731
        assert sorted(table.to_pylist(), key=key) == sorted(expected, key=key)
        # sex and age bands are among the cells (aggregate counters), never in the fact table
        assert {"sex", "age"} <= set(table.column("dim").to_pylist())


def test_the_fact_table_is_de_identified_and_small_rows_suppressed(banks: list[Bank]) -> None:
    for bank in banks:
        table = pq.read_table(bank.export / FACTS)
        assert table.schema.remove_metadata().equals(facts_schema())
        assert not {"sex", "age", "account", "learner", "person"} & set(table.schema.names)
        expected: dict[tuple[object, ...], Sum] = {}
        for fact in bank.facts:
            dims = fact.dims
            key = (
                fact.figure,
                fact.measure,
                month_of(fact.at),
                fact.institution,
                *(dims.get(d) for d in ("level", "certificate", "setting", "kind", "peer")),
                dims.get("cohort"),
                dims.get("after"),
            )
            n, amount = expected.get(key, (0, Decimal(0)))
            expected[key] = (n + fact.count, amount + fact.amount)
        rows = table.to_pylist()
        assert len(rows) == len(expected)
        names = ("level", "certificate", "setting", "kind", "peer", "cohort", "after")
        suppressed = 0
        for row in rows:
            key = (row["figure"], row["measure"], row["month"], row["institution"])
            n, amount = expected[(*key, *(row[name] for name in names))]
            if n < THRESHOLD:
                suppressed += 1
                assert (row["count"], row["amount"], row["suppressed"]) == (None, None, True)
            else:
                assert (row["count"], row["amount"], row["suppressed"]) == (n, amount, False)
            if row["institution"] is not None:
                region, kind = INSTITUTIONS[bank.origin][row["institution"]]
                assert (row["region"], row["institution_type"]) == (ISO[region], kind.value)
        assert 0 < suppressed < len(rows)  # the seeded facts give both kinds of row


def test_the_manifest_names_each_file_with_its_rows_and_sha256(banks: list[Bank]) -> None:
    for bank in banks:
        manifest = json.loads((bank.export / MANIFEST).read_text("utf-8"))
        assert manifest["origin"] == bank.origin
        assert manifest["threshold"] == THRESHOLD
        assert manifest["schema_version"] == 1
        for name in (CELLS, FACTS):
            data = (bank.export / name).read_bytes()
            assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
            assert manifest["files"][name]["rows"] == pq.read_metadata(bank.export / name).num_rows


def test_a_combine_gives_each_bank_its_own_figures_and_the_network_their_sum(
    banks: list[Bank], national: Database
) -> None:
    with national.unit_of_work() as uow:
        report = combine_stats(uow, [bank.export for bank in banks])
    stored = network(national)
    for bank in banks:
        own = {k: v for (b, k), v in stored.items() if b == bank.origin and k[3] not in DERIVED}
        assert own == bank.cells()
    total = {k: v for (b, k), v in stored.items() if b == "" and k[3] not in DERIVED}
    assert total == summed(banks)
    assert total != banks[0].cells()  # the sum is more than one bank's
    for column, dim in enumerate(("region", "institution_type")):
        assert {k: v for k, v in stored.items() if k[1][3] == dim} == by_place(banks, column)
    assert report.engine == "duckdb"
    assert report.cells == len(stored)
    assert [b.origin for b in report.banks] == [bank.origin for bank in banks]
    years: dict[tuple[str, str, str, int], Sum] = {}
    for bank in banks:
        for (figure, measure, scope, dim, _v, month), (n, amount) in bank.cells().items():
            if scope == "" and dim == "all":
                key = (bank.origin, figure, measure, month // 100)
                n0, amount0 = years.get(key, (0, Decimal(0)))
                years[key] = (n0 + n, amount0 + amount)
    assert {(y.bank, y.figure, y.measure, y.year): (y.n, y.amount) for y in report.years} == years
    with national.unit_of_work() as uow:
        sources = uow.session.scalars(select(StatNetworkSourceRow)).all()
        manifests = {
            bank.origin: hashlib.sha256((bank.export / MANIFEST).read_bytes()).hexdigest()
            for bank in banks
        }
        assert {s.origin: s.manifest_sha256 for s in sources} == manifests
        assert {s.origin: s.threshold for s in sources} == dict.fromkeys(manifests, THRESHOLD)


def test_a_combine_replaces_the_previous_one(banks: list[Bank], national: Database) -> None:
    with national.unit_of_work() as uow:
        combine_stats(uow, [bank.export for bank in banks])
    with national.unit_of_work() as uow:
        combine_stats(uow, [banks[2].export, banks[1].export])
    stored = network(national)
    assert {bank for bank, _ in stored} == {"", banks[1].origin, banks[2].origin}
    total = {k: v for (b, k), v in stored.items() if b == "" and k[3] not in DERIVED}
    assert total == summed(banks[1:])
    assert combines(national) == 2


def _rewrite_manifest(directory: Path, name: str) -> None:
    """Make the manifest name ``name`` as it is now (a tamperer who also edits the manifest)."""
    manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    data = (directory / name).read_bytes()
    manifest["files"][name] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "rows": pq.read_metadata(directory / name).num_rows,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest), "utf-8")


def _flip_a_byte(dirs: list[Path]) -> tuple[list[Path], Path]:
    path = dirs[0] / CELLS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return dirs, path


def _twice(dirs: list[Path]) -> tuple[list[Path], Path]:
    return [*dirs, dirs[0]], dirs[0]


def _no_manifest(dirs: list[Path]) -> tuple[list[Path], Path]:
    (dirs[1] / MANIFEST).unlink()
    return dirs, dirs[1] / MANIFEST


def _no_facts(dirs: list[Path]) -> tuple[list[Path], Path]:
    (dirs[1] / FACTS).unlink()
    return dirs, dirs[1] / FACTS


def _another_banks_cells(dirs: list[Path]) -> tuple[list[Path], Path]:
    shutil.copyfile(dirs[1] / CELLS, dirs[0] / CELLS)
    _rewrite_manifest(dirs[0], CELLS)
    return dirs, dirs[0] / CELLS


def _other_columns(dirs: list[Path]) -> tuple[list[Path], Path]:
    path = dirs[0] / CELLS
    pq.write_table(pq.read_table(path).drop_columns(["region"]), path)
    _rewrite_manifest(dirs[0], CELLS)
    return dirs, path


TAMPERS: dict[str, tuple[Callable[[list[Path]], tuple[list[Path], Path]], str]] = {
    "a byte changed": (_flip_a_byte, "its sha256 is not the one its manifest names"),
    "one bank twice": (_twice, "are both exports of bank-a.test/log"),
    "no manifest": (_no_manifest, "missing"),
    "no fact table": (_no_facts, "missing"),
    "another bank's cells": (_another_banks_cells, "holds rows of a bank other than"),
    "other columns": (_other_columns, "its columns are not those of schema version 1"),
}


@pytest.mark.parametrize("tamper", TAMPERS)
def test_a_bad_export_is_refused_naming_the_file_and_nothing_is_stored(
    banks: list[Bank], national: Database, tmp_path: Path, tamper: str
) -> None:
    with national.unit_of_work() as uow:
        combine_stats(uow, [banks[1].export])
    before = network(national)
    dirs = [shutil.copytree(bank.export, tmp_path / str(n)) for n, bank in enumerate(banks)]
    change, problem = TAMPERS[tamper]
    dirs, named = change(dirs)
    with pytest.raises(StatsExchangeError) as refused, national.unit_of_work() as uow:
        combine_stats(uow, dirs)
    assert refused.value.code == "invalid_stats_export"
    [found] = [p.render() for p in refused.value.problems]
    assert str(named) in found
    assert problem in found
    assert network(national) == before
    assert combines(national) == 1


def test_an_unknown_engine_is_refused_naming_the_engines(
    banks: list[Bank], national: Database
) -> None:
    with pytest.raises(StatsExchangeError) as refused, national.unit_of_work() as uow:
        combine_stats(uow, [banks[0].export], engine="hive")
    assert refused.value.code == "unknown_stats_engine"
    assert "duckdb, spark" in refused.value.render()
    assert combines(national) == 0


def test_an_export_where_nothing_can_be_written_is_refused_naming_the_directory(
    national: Database, tmp_path: Path
) -> None:
    occupied = tmp_path / "a-file"
    occupied.write_text("not a directory", "utf-8")
    with pytest.raises(StatsExchangeError) as refused, national.unit_of_work() as uow:
        export_stats(uow, occupied / "export", suppress_below=THRESHOLD, sources=[])
    assert refused.value.code == "stats_directory_unwritable"
    assert str(occupied / "export") in refused.value.render()


def test_the_handlers_are_the_bank_administrators(
    banks: list[Bank], national: Database, tmp_path: Path
) -> None:
    auditor = Principal(1, "audit@bank.example", Role.AUDITOR, None)
    with national.unit_of_work() as uow, pytest.raises(AccessError):
        export_statistics(ExportStats(tmp_path), principal=auditor, uow=uow, suppress_below=10)
    assert not any(tmp_path.iterdir())
    with national.unit_of_work() as uow:
        exported = export_statistics(
            ExportStats(tmp_path / "out"), principal=OPERATOR, uow=uow, suppress_below=5
        )
    assert (exported.origin, exported.threshold) == (banks[0].origin, 5)
    assert exported.rows[CELLS] == len(banks[0].cells())
    command = CombineStats((exported.directory, banks[2].export))
    with national.unit_of_work() as uow, pytest.raises(AccessError):
        combine_statistics(command, principal=auditor, uow=uow, spark_master="local[1]")
    with national.unit_of_work() as uow:
        report = combine_statistics(command, principal=OPERATOR, uow=uow, spark_master="local[1]")
    assert [b.origin for b in report.banks] == [banks[0].origin, banks[2].origin]
    total = {k: v for (b, k), v in network(national).items() if b == "" and k[3] not in DERIVED}
    assert total == summed([banks[0], banks[2]])


def test_two_combines_at_once_run_one_after_the_other(banks: list[Bank]) -> None:
    """Two combines from real threads, each in a transaction of its own on a database nobody
    pins (the second bank's, whose network tables no other test reads): both are recorded, and
    the cells are all of one of them, never a mixture."""
    database = banks[1].database
    asked = {"all three": banks, "two": banks[1:]}
    start = threading.Barrier(len(asked))
    failures: list[BaseException] = []

    def combine(which: list[Bank]) -> None:
        try:
            start.wait()
            with database.unit_of_work() as uow:
                combine_stats(uow, [bank.export for bank in which])
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=combine, args=(which,)) for which in asked.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    stored = network(database)
    last = next(
        which
        for which in asked.values()
        if {b for b, _ in stored} == {"", *(b.origin for b in which)}
    )
    total = {k: v for (b, k), v in stored.items() if b == "" and k[3] not in DERIVED}
    assert total == summed(last)
    for bank in last:
        own = {k: v for (b, k), v in stored.items() if b == bank.origin and k[3] not in DERIVED}
        assert own == bank.cells()
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(StatNetworkCombineRow)) == 2
        uow.session.execute(delete(StatNetworkSourceRow))
        uow.session.execute(delete(StatNetworkCombineRow))
        uow.session.execute(delete(StatNetworkCellRow))


def test_the_network_is_read_back_through_read_figure_by_bank_region_and_month(
    banks: list[Bank], national: Database
) -> None:
    with national.unit_of_work() as uow:
        combine_stats(uow, [bank.export for bank in banks])
    expected_by_bank = {
        bank.origin: sum(
            n
            for (figure, measure, scope, dim, _v, _m), (n, _a) in bank.cells().items()
            if (figure, measure, scope, dim) == ("outcomes", "deposited", "", "all")
        )
        for bank in banks
    }
    expected_by_region: dict[str, int] = {}
    for (who, (figure, measure, scope, _dim, value, _m)), (n, _a) in by_place(banks, 0).items():
        if who == "" and (figure, measure, scope) == ("outcomes", "deposited", ""):
            expected_by_region[value] = expected_by_region.get(value, 0) + n
    assert expected_by_region
    assert set(expected_by_region) <= {"CN-GD", "CN-SH", "CN-JS"}
    with national.unit_of_work() as uow:

        def read(by: str) -> dict[str, int | None]:
            table = read_figure(uow, figure="outcomes", by=by, suppress_below=1, source="network")
            assert table.total.counts["deposited"] == sum(expected_by_bank.values())
            return {row.value: row.counts["deposited"] for row in table.rows}

        assert read("bank") == {k: v for k, v in expected_by_bank.items() if v}
        assert {k: v for k, v in read("region").items() if k} == expected_by_region
        assert sum(v or 0 for v in read("month").values()) == sum(expected_by_bank.values())
        in_2026 = sum(
            n
            for (figure, measure, scope, dim, _v, month), (n, _a) in summed(banks).items()
            if (figure, measure, scope, dim) == ("outcomes", "deposited", "", "all")
            and month // 100 == 2026
        )
        year = read_figure(
            uow, figure="outcomes", by="year", start="2026", suppress_below=1, source="network"
        )
        assert [(row.value, row.counts["deposited"]) for row in year.rows] == [("2026", in_2026)]
