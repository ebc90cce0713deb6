"""What the accreditation page tests share: the accreditation world with web passwords, a
learner and staff logged in, applications taken through the service as far as a state, and
reading the pages' text."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from itertools import count

import httpx2
from sqlalchemy import func, select, update

from creditbank import clock
from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.accreditation import applications, assessment, decisions, filing
from creditbank.accreditation.model import Decision
from creditbank.accreditation.tables import ApplicationRow
from creditbank.evidence.tables import EvidenceFileRow, EvidenceUploadRow
from creditbank.institutions.tables import UserRow
from creditbank.sessions import service as sessions
from tests import accreditation_world as world
from tests.bulk_files import id_number
from tests.conftest import TEST_HASHER, LiveBank
from tests.support.pages import csrf_of, log_in, page_client

PASSWORD = "correct horse battery"
STATEMENT = "在地铁站做了三年站务员，负责客运服务与投诉处理。"
UNIT_CHOICE = f"{world.STANDARD}/1/{world.UNIT}"
_serial = count(500)


@dataclass(frozen=True)
class Scene:
    live: LiveBank
    users: dict[str, int]


def build_scene(live_bank: LiveBank) -> Scene:
    """The accreditation world, every staff user with a web password."""
    with live_bank.database.unit_of_work() as uow:
        built = world.build(uow, live_bank.cipher)
        # with the suite's hasher (tests/conftest.py): each login verifies it cheaply, as
        # every staff login of the suite does (the production parameters cost 0.2 s of CPU each)
        uow.session.execute(update(UserRow).values(password_hash=TEST_HASHER.hash(PASSWORD)))
    return Scene(live_bank, built.users)


def new_learner(scene: Scene) -> str:
    """A learner with a web password: their account number."""
    with scene.live.database.unit_of_work() as uow:
        number = accounts.open_account(
            uow=uow,
            cipher=scene.live.cipher,
            id_number=parse_id_number(id_number(next(_serial))),
            name="学员",
        ).number
        sessions.set_learner_password(
            uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
        )
    return number


@contextmanager
def staff(bank: str, email: str, language: str = "en") -> Iterator[httpx2.Client]:
    with page_client(bank, language) as client:
        assert log_in(client, "staff", email, PASSWORD).status_code == 303
        yield client


@contextmanager
def learner(bank: str, number: str, language: str = "en") -> Iterator[httpx2.Client]:
    with page_client(bank, language) as client:
        assert log_in(client, "learner", number, PASSWORD).status_code == 303
        yield client


def text(html: str) -> str:
    """The page's text: tags removed, entities decoded, white space collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, tag: str, element_id: str) -> str:
    found = re.search(rf'<{tag}[^>]* id="{element_id}".*?</{tag}>', html, re.DOTALL)
    assert found is not None, f"no <{tag} id={element_id}>"
    return found.group(0)


def pdf(label: str) -> bytes:
    """A small PDF, different for each label."""
    return world.PDF + f"% {label} {next(_serial)}\n".encode()


def post(
    client: httpx2.Client,
    path: str,
    data: dict[str, str],
    form_page: str,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx2.Response:
    """Send a form (multipart when it has files) with the CSRF token of the page it is on."""
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={"csrf_token": token, **data}, files=files)


def application_form(**changes: str) -> dict[str, str]:
    return {
        "unit": UNIT_CHOICE,
        "centre": world.CENTRE,
        "setting": "informal",
        "taught_by": "",
        "statement": STATEMENT,
        "evidence_name_1": "单位出具的工作证明",
        **changes,
    }


def apply_on_the_page(client: httpx2.Client, content: bytes | None = None) -> str:
    """File an application through the form: its id."""
    response = post(
        client,
        "/account/accreditations/new",
        application_form(),
        "/account/accreditations/new",
        files={"evidence_file_1": ("letter.pdf", content or pdf("letter"), "application/pdf")},
    )
    assert response.status_code == 303, text(response.text)
    found = re.fullmatch(
        r"/account/accreditations/([0-9a-f]{32})\?done=applied", response.headers["location"]
    )
    assert found is not None, response.headers["location"]
    return found.group(1)


def applied(scene: Scene, number: str) -> str:
    """An application of the learner's, filed by the learner (through the service): its id."""
    with scene.live.database.unit_of_work() as uow:
        sha = world.upload(uow, next(_serial), institution=world.CENTRE)
        return filing.apply(
            uow=uow,
            account_number=number,
            centre=world.CENTRE,
            standard=world.STANDARD,
            unit=world.UNIT,
            setting="informal",
            statement=STATEMENT,
            evidence_files=[(sha, "单位出具的工作证明")],
            by=applications.LEARNER,
        ).public_id


def decided(scene: Scene, public_id: str, decision: Decision, marks: dict[str, int]) -> None:
    """Assign ASSESSOR_A, mark, decide and have OFFICER_2 confirm (through the service)."""
    users = scene.users
    today = clock.today()
    with scene.live.database.unit_of_work() as uow:
        assessment.assign(
            uow=uow,
            public_id=public_id,
            assessor_email=world.ASSESSOR_A,
            by=world.OFFICER_1,
            by_user_id=users[world.OFFICER_1],
            on=today,
        )
        assessment.record_marks(
            uow=uow,
            public_id=public_id,
            marks={kind: Decimal(mark) for kind, mark in marks.items()},
            comment="",
            by=world.ASSESSOR_A,
            by_user_id=users[world.ASSESSOR_A],
            on=today,
        )
        assessment.decide(
            uow=uow,
            public_id=public_id,
            decision=decision,
            reasons="请补充近一年的考核记录" if decision is Decision.MORE_EVIDENCE else "",
            by=world.ASSESSOR_A,
            by_user_id=users[world.ASSESSOR_A],
            on=today,
        )
        decisions.confirm(
            uow=uow,
            public_id=public_id,
            agree=True,
            reason="",
            by=world.OFFICER_2,
            by_user_id=users[world.OFFICER_2],
        )


def application(scene: Scene, public_id: str) -> applications.Application:
    with scene.live.database.unit_of_work() as uow:
        return applications.get_application(uow=uow, public_id=public_id)


def counts(scene: Scene) -> tuple[int, int, int]:
    """Applications, evidence files and evidence uploads in the bank."""
    with scene.live.database.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ApplicationRow, EvidenceFileRow, EvidenceUploadRow)
        )


# --- the learner applies ------------------------------------------------------------------------
