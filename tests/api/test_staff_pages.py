"""The staff's pages over HTTP: depositing one outcome, bulk files, finding a learner."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date

import httpx2
import pytest
from sqlalchemy import func, select

from creditbank.accounts import intake, uploads
from creditbank.accounts import service as accounts
from creditbank.accounts.commands import UploadForCheck
from creditbank.accounts.files import FileFormat
from creditbank.accounts.model import parse_id_number
from creditbank.accounts.tables import OutcomeRow, PersonalDataAccessRow
from creditbank.file_limits import FileLimits
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.web.pages import batches
from tests.api.signed_in import SignedIn
from tests.bulk_files import csv_bytes, id_number, row
from tests.conftest import LiveBank
from tests.intake_files import chinese_csv
from tests.support.pages import csrf_of, post_form
from tests.support.records import PASSWORD, Record, build_record


@pytest.fixture(scope="module")
def record(live_bank: LiveBank) -> Record:
    built = build_record(live_bank.database, live_bank.cipher)
    with live_bank.database.unit_of_work() as uow:
        for email, role, institution in (
            ("assessor@jsvc.example", Role.ASSESSOR, "JSVC"),
            ("admin@bank.example", Role.BANK_ADMIN, None),
        ):
            institutions.add_user(
                uow=uow, email=email, role=role, institution=institution, password=PASSWORD
            )
    return built


@pytest.fixture(scope="module")
def signed_in(bank: str, record: Record) -> SignedIn:
    """The staff and the learner of these tests, each logged in once (tests/api/signed_in.py)."""
    return SignedIn(bank, PASSWORD).log_in("staff", *STAFF).log_in("learner", record.account)


STAFF = ("reg@jsvc.example", "reg@other-u.example", "assessor@jsvc.example", "admin@bank.example")


@pytest.fixture
def registrar(signed_in: SignedIn) -> Iterator[httpx2.Client]:
    with signed_in.staff("reg@jsvc.example") as client:
        yield client


def outcome_count(live_bank: LiveBank) -> int:
    with live_bank.database.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(OutcomeRow)) or 0


def field_errors(html: str, field: str) -> str:
    found = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', html, re.DOTALL)
    return found.group(1) if found else ""


GOOD = {
    "item_code": "CAD-201",
    "level": "5",
    "credits": "2.5",
    "score": "90",
    "assessed_on": "2026-06-30",
    "setting": "formal",
}


def test_the_desk(registrar: httpx2.Client) -> None:
    desk = registrar.get("/staff").text
    assert "reg@jsvc.example" in desk and "Jiangsu Vocational College" in desk
    assert "No batches yet." in desk or 'id="batches"' in desk
    form = registrar.get("/staff/deposit").text
    assert re.search(r'<option value="CAD-201"', form) and re.search(r'<option value="ELEC"', form)
    assert re.search(r'name="record_id" value="WEB-\d{8}-[0-9A-F]{6}"', form)


def test_deposit_into_an_account(
    registrar: httpx2.Client, record: Record, live_bank: LiveBank
) -> None:
    before = outcome_count(live_bank)
    done = post_form(
        registrar,
        "/staff/deposit",
        {**GOOD, "account_number": record.account.lower(), "record_id": "WEB-1"},
    )
    assert done.status_code == 201, done.text
    assert "Outcome deposited" in done.text and record.account in done.text
    assert "LOFOUC 5" in done.text and "2.5" in done.text
    assert outcome_count(live_bank) == before + 1
    again = post_form(
        registrar,
        "/staff/deposit",
        {**GOOD, "account_number": record.account, "record_id": "WEB-1"},
    )
    assert again.status_code == 200 and "nothing changed" in again.text
    assert outcome_count(live_bank) == before + 1


def test_deposit_for_a_new_learner_opens_their_account(
    registrar: httpx2.Client, live_bank: LiveBank
) -> None:
    done = post_form(
        registrar,
        "/staff/deposit",
        {**GOOD, "id_number": id_number(900), "name": "孙八", "record_id": "WEB-NEW-1"},
    )
    assert done.status_code == 201 and "one was opened" in done.text
    number = re.search(r'id="deposited-account">(CB\d{12})<', done.text)
    assert number is not None
    with live_bank.database.unit_of_work() as uow:
        found = accounts.find_account(
            uow=uow, cipher=live_bank.cipher, id_number=parse_id_number(id_number(900))
        )
    assert found == number.group(1)
    assert id_number(900) not in done.text and "孙八" not in done.text


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"account_number": "CB12"}, "account_number", "is not an account number"),
        ({"account_number": "CB000000000000"}, "account_number", "There is no account"),
        ({"account_number": ""}, "account_number", "identity number and name"),
        ({"account_number": "", "id_number": "310104199003071230"}, "id_number", "check digit"),
        ({"item_code": ""}, "item_code", "Choose an item"),
        ({"level": "9"}, "level", "is awarded at 4, 5, not at 9"),
        ({"credits": "4"}, "credits", "exceed the 3.0 the item carries"),
        ({"credits": "1.25"}, "credits", "at most 1 decimals"),
        ({"score": "101"}, "score", "between 0 and 100"),
        ({"assessed_on": "2999-01-01"}, "assessed_on", "is in the future"),
        ({"assessed_on": "30/06/2024"}, "assessed_on", "a date like"),
        ({"record_id": "C-1", "level": "4"}, "record_id", "was deposited with other facts"),
    ],
)
def test_problems_sit_next_to_their_fields_and_nothing_is_saved(
    registrar: httpx2.Client,
    record: Record,
    live_bank: LiveBank,
    *,
    changes: dict[str, str],
    field: str,
    reason: str,
) -> None:
    before = outcome_count(live_bank)
    form = {**GOOD, "account_number": record.account, "record_id": "WEB-BAD", **changes}
    refused = post_form(registrar, "/staff/deposit", form)
    assert refused.status_code == 422, refused.text
    assert reason in field_errors(refused.text, field), refused.text
    assert f'id="{field}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert outcome_count(live_bank) == before
    # what was typed is kept
    for name in ("credits", "score"):
        assert f'name="{name}" inputmode="decimal" value="{form[name]}"' in refused.text


def test_a_late_refusal_leaves_no_new_account_behind(
    registrar: httpx2.Client, live_bank: LiveBank
) -> None:
    # a new learner, and a record id the college already used with other facts
    form = {**GOOD, "id_number": id_number(901), "name": "周九", "record_id": "C-1"}
    refused = post_form(registrar, "/staff/deposit", form)
    assert refused.status_code == 422
    assert "was deposited with other facts" in field_errors(refused.text, "record_id")
    with live_bank.database.unit_of_work() as uow:
        assert (
            accounts.find_account(
                uow=uow, cipher=live_bank.cipher, id_number=parse_id_number(id_number(901))
            )
            is None
        )


def test_only_an_institution_s_registrars_deposit(signed_in: SignedIn, record: Record) -> None:
    for email in ("assessor@jsvc.example", "admin@bank.example"):
        with signed_in.staff(email) as client:
            assert client.get("/staff").status_code == 200
            assert client.get("/staff/deposit").status_code == 403
            token = csrf_of(client.get("/staff").text)
            refused = client.post(
                "/staff/deposit",
                data={**GOOD, "csrf_token": token, "account_number": record.account},
            )
            assert refused.status_code == 403
    with signed_in.learner(record.account) as learner:
        assert learner.get("/staff/deposit").status_code == 403


def upload(client: httpx2.Client, name: str, content: bytes) -> httpx2.Response:
    token = csrf_of(client.get("/staff/batches/new").text)
    return client.post(
        "/staff/batches",
        data={"csrf_token": token, "format": ""},
        files={"file": (name, content, "application/octet-stream")},
    )


def checked(client: httpx2.Client, answer: httpx2.Response) -> tuple[str, str]:
    """The upload's page an upload was sent to (in-process, its check is done by then): its
    URL and text."""
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert re.fullmatch(r"/staff/uploads/[0-9a-f]{32}", location)
    page = client.get(location)
    assert page.status_code == 200
    assert "Refresh" not in page.headers  # checked: no more refreshing
    return location, page.text


def deposit_checked(client: httpx2.Client, location: str) -> httpx2.Response:
    token = csrf_of(client.get(location).text)
    return client.post(f"{location}/deposit", data={"csrf_token": token})


def test_bulk_upload_is_checked_shown_then_deposited_once(
    registrar: httpx2.Client, live_bank: LiveBank
) -> None:
    before = outcome_count(live_bank)
    good = [row(n, item_code="CAD-201", level="4", record_id=f"B-{n}") for n in range(1, 4)]
    location, page = checked(registrar, upload(registrar, "term.csv", chinese_csv(good)))
    assert outcome_count(live_bank) == before  # checked, nothing deposited
    assert "Every row is good" in page and 'id="upload-rows">3<' in page
    preview = page[page.index('id="upload-preview"') :]
    assert id_number(1) not in page and id_number(1)[:4] + "*" * 10 + id_number(1)[-4:] in preview
    assert "学员1" in preview and "2024-06-30" in preview and "身份证号码" in preview
    done = deposit_checked(registrar, location)
    assert done.status_code == 303 and done.headers["location"] == location
    report = registrar.get(location)
    assert report.status_code == 303  # deposited: the upload's page sends on to the batch
    batch = registrar.get(report.headers["location"]).text
    assert 'id="batch-deposited">3<' in batch and "the outcomes are deposited" in batch
    assert outcome_count(live_bank) == before + 3
    again = deposit_checked_again(registrar, location)
    assert again.status_code == 303 and outcome_count(live_bank) == before + 3


def deposit_checked_again(client: httpx2.Client, location: str) -> httpx2.Response:
    """The Deposit button pressed again (the form as it was before the first press)."""
    token = csrf_of(client.get("/staff/batches/new").text)
    return client.post(f"{location}/deposit", data={"csrf_token": token})


def test_a_file_with_problems_shows_each_by_line_and_cannot_be_deposited(
    registrar: httpx2.Client, live_bank: LiveBank
) -> None:
    before = outcome_count(live_bank)
    bad = [row(10, record_id="B-10"), row(11, record_id="B-11", level="7", score="120")]
    bad.append(row(12, record_id="B-12", id_number="3.10104E+17"))
    location, page = checked(registrar, upload(registrar, "bad.csv", csv_bytes(bad)))
    assert "Problems found: 3. Nothing can be deposited" in page and 'id="deposit-form"' not in page
    lines = re.findall(r"<tr><td>(\d+)</td><td class=\"code\">(\w+)</td>", page)
    assert sorted(lines) == [("3", "level"), ("3", "score"), ("4", "id_number")]
    assert "stored the identity number as a number" in page and "3.10104" not in page
    assert id_number(11) not in page
    refused = deposit_checked_again(registrar, location)
    assert refused.status_code == 409 and "Only a file checked without a problem" in refused.text
    assert outcome_count(live_bank) == before
    unknown = upload(registrar, "notes.txt", b"hello")
    assert unknown.status_code == 422 and "say which format" in field_errors(unknown.text, "file")
    header = upload(registrar, "h.csv", "记录编号,颜色\r\n".encode())
    assert header.status_code == 422 and "Unknown column 颜色" in field_errors(header.text, "file")


def test_the_upload_form_offers_the_templates(registrar: httpx2.Client) -> None:
    form = registrar.get("/staff/batches/new").text
    assert 'href="/staff/batches/template?format=xlsx"' in form
    workbook = registrar.get("/staff/batches/template?format=xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-disposition"] == 'attachment; filename="deposits-jsvc.xlsx"'
    text = registrar.get("/staff/batches/template?format=csv")
    assert text.content.startswith("\ufeff记录编号".encode())


def test_the_deposit_button_needs_its_csrf_token_and_the_own_institution(
    registrar: httpx2.Client, signed_in: SignedIn, live_bank: LiveBank
) -> None:
    location, _ = checked(
        registrar, upload(registrar, "one.csv", csv_bytes([row(30, record_id="B-30")]))
    )
    assert registrar.post(f"{location}/deposit", data={}).status_code == 403
    with signed_in.staff("reg@other-u.example") as other:
        assert other.get(location).status_code == 403
        token = csrf_of(other.get("/staff").text)
        assert other.post(f"{location}/deposit", data={"csrf_token": token}).status_code == 403
    assert registrar.get("/staff/uploads/" + "0" * 32).status_code == 404
    assert registrar.get(location).status_code == 200  # still there, not deposited


def test_another_institution_cannot_read_the_report(
    registrar: httpx2.Client, signed_in: SignedIn
) -> None:
    location, _ = checked(
        registrar, upload(registrar, "one.csv", csv_bytes([row(20, record_id="B-20", level="4")]))
    )
    assert deposit_checked(registrar, location).status_code == 303
    batch = registrar.get(location).headers["location"]
    assert registrar.get(batch).status_code == 200
    with signed_in.staff("reg@other-u.example") as other:
        assert other.get(batch).status_code == 403


def test_finding_a_learner_is_audited(
    registrar: httpx2.Client, record: Record, live_bank: LiveBank, signed_in: SignedIn
) -> None:
    def audited() -> int:
        with live_bank.database.unit_of_work() as uow:
            return uow.session.scalar(select(func.count()).select_from(PersonalDataAccessRow)) or 0

    before = audited()
    no_purpose = post_form(
        registrar, "/staff/lookup", {"id_number": record.id_number, "purpose": ""}
    )
    assert (
        no_purpose.status_code == 422
        and "say why" in field_errors(no_purpose.text, "purpose").lower()
    )
    missing = post_form(
        registrar, "/staff/lookup", {"id_number": id_number(999), "purpose": "deposit the term"}
    )
    assert missing.status_code == 200 and "has no account for this identity number" in missing.text
    assert audited() == before
    found = post_form(
        registrar,
        "/staff/lookup",
        {"id_number": record.id_number, "purpose": "deposit the spring term"},
    )
    assert found.status_code == 200
    assert f'id="found-account">{record.account}<' in found.text and "张晓梅" in found.text
    assert audited() == before + 1
    with signed_in.learner(record.account) as learner:
        trail = learner.get("/me/access").text
    assert "deposit the spring term" in trail and "reg@jsvc.example" in trail
    with signed_in.staff("assessor@jsvc.example") as assessor:
        assert assessor.get("/staff/lookup").status_code == 403


def test_a_larger_file_is_checked_and_deposited_after_the_answer(
    registrar: httpx2.Client, live_bank: LiveBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file counts as large here: its check and its deposit run as background tasks
    (in-process, before the client gets the answer; under a server, after it)."""
    monkeypatch.setattr(batches, "INLINE_BYTES", 0)
    before = outcome_count(live_bank)
    rows = [row(n, record_id=f"L-{n}") for n in range(40, 43)]
    location, page = checked(registrar, upload(registrar, "large.csv", csv_bytes(rows)))
    assert "Every row is good" in page and outcome_count(live_bank) == before
    assert deposit_checked(registrar, location).status_code == 303
    assert registrar.get(location).status_code == 303
    assert outcome_count(live_bank) == before + 3


def test_a_file_being_checked_shows_the_rows_read_and_refreshes(
    registrar: httpx2.Client, live_bank: LiveBank
) -> None:
    with live_bank.database.unit_of_work() as uow:
        principal = institutions.principal_for(uow=uow, email="reg@jsvc.example")
        check = intake.upload_for_check(
            UploadForCheck("big.csv", FileFormat.CSV, io.BytesIO(csv_bytes([row(50)]))),
            principal=principal,
            uow=uow,
            database=live_bank.database,
            cipher=live_bank.cipher,
            today=date(2026, 11, 22),
            limits=FileLimits(),
        )
    uploads.PROGRESS[check.upload_id] = 2000  # as a check running in this process tells it
    try:
        page = registrar.get(f"/staff/uploads/{check.upload_id}")
    finally:
        uploads.PROGRESS.pop(check.upload_id, None)
    location = f"/staff/uploads/{check.upload_id}"
    assert page.status_code == 200
    assert page.headers["Refresh"] == f"{batches.REFRESH_SECONDS}; url={location}"
    assert 'data-status="checking"' in page.text and "2000 rows read so far" in page.text
    assert 'id="deposit-form"' not in page.text and 'id="upload-preview"' not in page.text
    assert 'id="upload-stalled"' not in page.text
    # no check of it runs in this process: perhaps elsewhere, perhaps on a server that stopped
    assert 'id="upload-stalled"' in registrar.get(location).text
    refused = deposit_checked(registrar, location)
    assert refused.status_code == 409  # not checked yet: nothing to deposit
    assert refused.headers["Refresh"].endswith(f"url={location}")  # not the form's URL
