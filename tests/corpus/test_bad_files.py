"""The bad-file corpus through every door, on both databases: refused with a clear 4xx or exit 1,
nothing stored, memory bounded.

Every file of :mod:`tests.corpus.make` (not UTF-8, binary, a 1 MB line or field, JSON nested
deeply, NUL characters and lone surrogates, broken workbooks, a workbook that unpacks to 1 GiB,
one whose zip directory lies) is sent as a bulk deposit file through the API, the registrar's
upload page (a real form post with its CSRF token) and ``creditbank deposit import``, and as a
1+X results file through the API: each answer is 413 or 422 (a problem document, or the form
with the reason beside the file field) or exit 1, naming the place and the reason; no answer is
a 5xx or a traceback, and no outcome, batch, learner or result is stored. Competence standard
files with NUL, surrogates or deep nesting are refused by ``creditbank standards import``.

The server runs in this process (a uvicorn thread), so the memory the workbook bomb costs it is
this process's: its peak resident size (``VmHWM``, reset through ``/proc/self/clear_refs``
before the upload) less its resident size before. The rows limit is checked on the readers with
a small limit (a million rows through every door would only be slow).
"""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from html import unescape
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from creditbank import clock
from creditbank.accounts.files import FileFormat, read_rows
from creditbank.accounts.tables import DepositBatchRow, LearnerRow, OutcomeRow
from creditbank.accreditation.tables import StandardRow
from creditbank.cli.main import app
from creditbank.db import Database
from creditbank.errors import DomainError
from creditbank.file_limits import FileLimits, limits_of
from creditbank.institutions import service as institutions
from creditbank.xcerts.files import read_results
from creditbank.xcerts.tables import ResultRow
from tests import xcerts_world as world
from tests.conftest import LiveBank
from tests.conftest import test_settings as settings_for_tests
from tests.corpus import make
from tests.corpus.make import CASES, FILES, Case
from tests.support.pages import csrf_of, log_in, page_client
from tests.support.records import PASSWORD, build_record

PROBLEM = "application/problem+json"
REGISTRAR = "reg@jsvc.example"
MEMORY_BOUND_MB = 200
TYPES = {413: "/problems/file-too-large", 422: "/problems/invalid-file"}


@pytest.fixture(scope="session")
def large_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The large files of the corpus, made once for the session."""
    return make.make_large(tmp_path_factory.mktemp("corpus"))


def content(case: Case, large_files: dict[str, Path]) -> bytes:
    path = large_files[case.name] if case.large else FILES / case.name
    return path.read_bytes()


def path_of(case: Case, large_files: dict[str, Path]) -> Path:
    return large_files[case.name] if case.large else FILES / case.name


def stored(database: Database) -> dict[str, int]:
    """How many outcomes, batches, learners and 1+X results the bank holds."""
    with database.unit_of_work() as uow:
        return {
            table.__tablename__: uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (OutcomeRow, DepositBatchRow, LearnerRow, ResultRow)
        }


def token_client(live_bank: LiveBank, email: str) -> httpx2.Client:
    with live_bank.database.unit_of_work() as uow:
        secret = institutions.create_token(uow=uow, email=email).secret
    return httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
        timeout=60,
    )


@pytest.fixture(scope="module")
def prepared(live_bank: LiveBank) -> LiveBank:
    """JSVC with its course CAD-201 and registrar (tests.support.records), the 1+X world."""
    build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        world.build(uow, live_bank.cipher)
    return live_bank


@pytest.fixture(scope="module")
def registrar(prepared: LiveBank) -> Iterator[httpx2.Client]:
    with token_client(prepared, REGISTRAR) as client:
        yield client


def refusal_of(answer: httpx2.Response, case: Case) -> str:
    """The problem's detail, once the answer is the refusal the case calls for."""
    assert answer.status_code == case.status, (case.name, answer.status_code, answer.text[:500])
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["type"] == TYPES[case.status]
    detail: str = problem["detail"]
    assert case.says in detail, (case.name, detail)
    assert len(answer.content) < 2000
    return detail


# --- the corpus itself ---------------------------------------------------------------------------


def test_the_committed_files_are_the_corpus() -> None:
    committed = {p.name: p.read_bytes() for p in FILES.iterdir() if not p.name.startswith(".")}
    assert committed == make.small_files()
    assert {case.name for case in make.SMALL} == set(committed)


def test_the_bomb_is_a_small_file_that_unpacks_to_a_gibibyte(
    large_files: dict[str, Path],
) -> None:
    bomb = large_files["bomb.xlsx"]
    assert bomb.stat().st_size < 2 * make.MIB
    with zipfile.ZipFile(bomb) as archive:
        assert sum(info.file_size for info in archive.infolist()) >= make.GIB


# --- through the doors -----------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_through_the_api(
    case: Case, registrar: httpx2.Client, prepared: LiveBank, large_files: dict[str, Path]
) -> None:
    before = stored(prepared.database)
    answer = registrar.post(
        "/api/v1/deposits/batches",
        data={"institution": "JSVC"},
        files={"file": (case.name, content(case, large_files))},
    )
    refusal_of(answer, case)
    assert stored(prepared.database) == before


def test_the_refusal_is_in_the_readers_language(
    registrar: httpx2.Client, prepared: LiveBank
) -> None:
    before = stored(prepared.database)
    answer = registrar.post(
        "/api/v1/deposits/batches",
        data={"institution": "JSVC"},
        files={"file": ("nul.jsonl", (FILES / "nul.jsonl").read_bytes())},
        headers={"Accept-Language": "zh"},
    )
    assert answer.status_code == 422
    assert answer.json()["title"] == "无法读取文件"
    assert answer.json()["detail"] == "第 2 行，name 列：含有无法存储的 NUL 字符"
    assert stored(prepared.database) == before


@pytest.fixture(scope="module")
def session_id(prepared: LiveBank) -> int:
    """A BIM beginner session at the centre, held ten days ago."""
    with token_client(prepared, world.CENTRE_REGISTRAR) as centre:
        made = centre.post(
            "/api/v1/xcerts/BIM/sessions",
            json={
                "centre": world.CENTRE,
                "level": "beginner",
                "held_on": (clock.today() - timedelta(days=10)).isoformat(),
            },
        )
    assert made.status_code == 201, made.text
    found: int = made.json()["id"]
    return found


@pytest.fixture(scope="module")
def provider(prepared: LiveBank) -> Iterator[httpx2.Client]:
    """The 1+X provider's registrar, with a token of their own (module scope, as
    ``registrar``: one token and one client for the module's uploads of results, which store
    nothing)."""
    with token_client(prepared, world.PROVIDER_REGISTRAR) as client:
        yield client


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_as_results_through_the_api(
    case: Case,
    provider: httpx2.Client,
    prepared: LiveBank,
    session_id: int,
    large_files: dict[str, Path],
) -> None:
    before = stored(prepared.database)
    answer = provider.post(
        f"/api/v1/sessions/{session_id}/results",
        data={"assessor": world.ASSESSOR},
        files={"file": (case.name, content(case, large_files))},
    )
    refusal_of(answer, case)
    assert stored(prepared.database) == before


@pytest.fixture(scope="module")
def upload_page(prepared: LiveBank) -> Iterator[httpx2.Client]:
    """The registrar signed in through the login form, once for the module (as tests/api's
    pages are: tests/api/signed_in.py); each test still takes the CSRF token from the upload
    form it posts, and a refused upload stores nothing and keeps the session."""
    with page_client(prepared.url) as client:
        assert log_in(client, "staff", REGISTRAR, PASSWORD).status_code == 303
        yield client


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_through_the_upload_page(
    case: Case, upload_page: httpx2.Client, prepared: LiveBank, large_files: dict[str, Path]
) -> None:
    before = stored(prepared.database)
    token = csrf_of(upload_page.get("/staff/batches/new").text)
    answer = upload_page.post(
        "/staff/batches",
        data={"csrf_token": token, "format": ""},
        files={"file": (case.name, content(case, large_files), "application/octet-stream")},
    )
    assert answer.status_code == case.status, (case.name, answer.status_code)
    assert answer.headers["content-type"].startswith("text/html")
    errors = re.search(
        r'<ul class="field-errors" id="file-errors">(.*?)</ul>', answer.text, re.DOTALL
    )
    assert errors is not None, answer.text[:2000]
    shown = unescape(errors.group(1))  # the form says it as a sentence (capitalised)
    assert case.says.lower() in shown.lower(), (case.name, shown)
    assert "Traceback" not in answer.text
    assert stored(prepared.database) == before


def _said(result: object) -> str:
    """A CLI run's output, its line wrapping undone."""
    return " ".join(str(getattr(result, "output", "")).split())


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_through_the_cli(
    case: Case, live_cli: CliRunner, prepared: LiveBank, large_files: dict[str, Path]
) -> None:
    before = stored(prepared.database)
    path = path_of(case, large_files)
    result = live_cli.invoke(app, ["deposit", "import", str(path), "--institution", "JSVC"])
    assert result.exit_code == 1, (result.output, repr(result.exception))
    assert isinstance(result.exception, SystemExit)  # a message and exit 1, no traceback
    said = _said(result)
    assert case.says in said and "Traceback" not in said, said
    assert stored(prepared.database) == before


# --- the bomb's cost in memory -------------------------------------------------------------------


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(key)


class PeakMeter:
    """The peak resident size of this process from now on, in MB: the kernel's own peak
    (``VmHWM``, reset through ``/proc/self/clear_refs``) or, where that cannot be reset, the
    highest ``VmRSS`` seen by a thread that looks every millisecond."""

    def __init__(self) -> None:
        self.start = _status_mb("VmRSS")
        self._highest = self.start
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.001):
            self._highest = max(self._highest, _status_mb("VmRSS"))

    def growth(self) -> float:
        """How far the peak rose above the resident size at the start."""
        if self._sampler is None:
            return _status_mb("VmHWM") - self.start
        time.sleep(0.01)
        return max(self._highest, _status_mb("VmRSS")) - self.start

    def close(self) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()


WORKBOOKS = (
    "bomb.xlsx",
    "lying-directory.xlsx",
    "many-shared-strings.xlsx",
    "big-workbook-part.xlsx",
)


@pytest.mark.parametrize("name", WORKBOOKS)
def test_the_bomb_costs_the_server_little_memory(
    name: str, registrar: httpx2.Client, prepared: LiveBank, large_files: dict[str, Path]
) -> None:
    content = large_files[name].read_bytes()
    meter = PeakMeter()
    try:
        answer = registrar.post(
            "/api/v1/deposits/batches",
            data={"institution": "JSVC"},
            files={"file": (name, content)},
        )
        growth = meter.growth()
        print(f"server memory growth under {name}: {growth:.1f} MB")  # noqa: T201 - the figure
        assert answer.status_code == make.LARGE[name][0].status
        assert growth < MEMORY_BOUND_MB
        # the meter sees growth: 64 MB more than the process holds now (it may hold less than
        # at the start: memory the request used is given back), each page touched, raise the
        # peak by that much
        held = _status_mb("VmRSS") - meter.start
        ballast = bytearray(64 * 1024 * 1024)
        for offset in range(0, len(ballast), 4096):
            ballast[offset] = 1
        assert meter.growth() >= held + 60
        del ballast
    finally:
        meter.close()


# --- competence standard files (CLI) ---------------------------------------------------------


STANDARDS = (
    ("nul.json", b'{"code": "S\\u0000", "units": []}', "nul.json.code: a NUL character"),
    ("surrogate.json", b'{"code": "S", "name": "\\udc80"}', "surrogate.json.name: a lone UTF-16"),
    ("deep.json", b'{"units": ' + b"[" * 5000 + b"]" * 5000 + b"}", "JSON nested deeper"),
    ("deep.toml", b"units = " + b"[" * 5000 + b"]" * 5000 + b"\n", "deep.toml: nested too deeply"),
    ("gbk.toml", 'name = "张三"\n'.encode("gbk"), "gbk.toml is not UTF-8 text (byte 8)"),
)


@pytest.mark.parametrize("standard", STANDARDS, ids=[s[0] for s in STANDARDS])
def test_standard_files_through_the_cli(
    standard: tuple[str, bytes, str], cli: CliRunner, database: Database, tmp_path: Path
) -> None:
    name, data, says = standard
    path = tmp_path / name
    path.write_bytes(data)
    result = cli.invoke(app, ["standards", "import", str(path), "--as", "admin@bank.example"])
    assert result.exit_code == 1, (result.output, repr(result.exception))
    assert isinstance(result.exception, SystemExit)
    said = _said(result)
    assert says in said and "Traceback" not in said, said
    with database.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(StandardRow)) == 0


# --- the readers' limits -------------------------------------------------------------------------


def _refusal(read: Callable[[], Iterable[object]]) -> DomainError:
    with pytest.raises(DomainError) as raised:
        list(read())
    return raised.value


@pytest.mark.parametrize("file_format", list(FileFormat))
def test_rows_beyond_the_limit_are_refused(file_format: FileFormat) -> None:
    rows = [make.good_values(n) for n in range(1, 7)]
    data = {
        FileFormat.CSV: make.csv_text(rows).encode(),
        FileFormat.JSONL: make.jsonl_text(rows).encode(),
        FileFormat.XLSX: make.workbook_bytes({"xl/worksheets/sheet1.xml": make.sheet_xml(rows)}),
    }[file_format]
    six, five = FileLimits(max_rows=6), FileLimits(max_rows=5)
    assert len(list(read_rows(io.BytesIO(data), file_format, six))) == len(rows)
    refused = _refusal(lambda: read_rows(io.BytesIO(data), file_format, five))
    assert (refused.code, refused.render()) == ("file_too_large", "the file holds more than 5 rows")
    assert len(read_results(io.BytesIO(data), file_format, six)[1]) == len(rows)
    refused = _refusal(lambda: read_results(io.BytesIO(data), file_format, five)[1])
    assert (refused.code, refused.render()) == ("file_too_large", "the file holds more than 5 rows")


def test_each_limit_is_a_setting() -> None:
    settings = settings_for_tests("sqlite://").model_copy(
        update={
            "file_xlsx_max_bytes": 1000,
            "file_max_rows": 2,
            "file_max_shared_strings": 3,
            "file_max_field_chars": 4,
            "file_max_line_bytes": 5,
            "file_max_json_depth": 6,
        }
    )
    assert limits_of(settings) == FileLimits(1000, 2, 3, 4, 5, 6)
    line = make.csv_text([make.good_values(1)]).encode()
    refused = _refusal(lambda: read_rows(io.BytesIO(line), FileFormat.CSV, limits_of(settings)))
    assert refused.render() == "line 1 is longer than 5 bytes"
    workbook = make.workbook_bytes({"xl/worksheets/sheet1.xml": make.sheet_xml([])})
    refused = _refusal(
        lambda: read_rows(io.BytesIO(workbook), FileFormat.XLSX, limits_of(settings))
    )
    assert refused.render() == "the workbook unpacks to more than 1000 bytes"


def test_shared_strings_and_their_length_are_counted_before_openpyxl_reads_them() -> None:
    rows = [make.good_values(1), make.good_values(2)]
    workbook = make.workbook_bytes(make.shared_parts(rows))
    assert len(list(read_rows(io.BytesIO(workbook), FileFormat.XLSX))) == 2
    few = FileLimits(max_shared_strings=12)
    refused = _refusal(lambda: read_rows(io.BytesIO(workbook), FileFormat.XLSX, few))
    assert refused.render() == "the workbook holds more than 12 shared strings"
    short = FileLimits(max_field_chars=10)
    refused = _refusal(lambda: read_rows(io.BytesIO(workbook), FileFormat.XLSX, short))
    assert refused.render() == "shared string 8: more than 10 characters"  # "assessed_on"


def test_a_large_sheet_without_dimensions_is_read_whole() -> None:
    """Streaming writers (openpyxl's write-only mode among them) state no dimensions, and
    openpyxl then reads a sheet to its end before giving a row: a good sheet past the cap on
    parts read whole (8 MiB) is read, not refused, once its rows are counted and bounded."""
    rows = [make.good_values(n, name="学" * 300) for n in range(1, 10_001)]
    sheet = make.sheet_xml(rows)
    assert "<dimension" not in sheet
    assert len(sheet.encode()) > 8 * 1024 * 1024
    workbook = make.workbook_bytes({"xl/worksheets/sheet1.xml": sheet})
    read = list(read_rows(io.BytesIO(workbook), FileFormat.XLSX))
    assert len(read) == len(rows)
    assert read[-1][1]["name"] == "学" * 300
    refused = _refusal(
        lambda: read_rows(io.BytesIO(workbook), FileFormat.XLSX, FileLimits(max_rows=9_999))
    )
    assert refused.render() == "the file holds more than 9999 rows"
