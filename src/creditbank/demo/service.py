"""Demo data: a believable regional credit bank for `creditbank init --demo` (and `make run`).

Institutions of every type, staff of every role, a catalogue with an item of every kind (the
real fourth-round X certificates of seed 004 among them), and a few thousand invented learners
with Chinese names and checksum-valid identity numbers (Faker's ``zh_CN`` locale), each with the
outcomes of a plausible learning path: a vocational college student in hospitality or early
childhood, a university student, an adult learner at the open university, a trainee chef.

Everything goes through the same services as real data: accounts are opened and outcomes
deposited by each institution's bulk deposit, so the demo also shows what a batch looks like.
Seeded randomness makes the data the same on every machine. Loading is idempotent: a bank
that has the demo's institutions already gets nothing more.

This module loads the pieces in order; each is built by a module of its own: the catalogue
(:mod:`~creditbank.demo.catalogue`), the learners' deposit files
(:mod:`~creditbank.demo.learners`), what happens after deposit and the conversion rules
(:mod:`~creditbank.demo.conversion`), 1+X operations (:mod:`~creditbank.demo.xcerts`),
accreditation (:mod:`~creditbank.demo.accreditation`) and matching jobs to learning: occupations,
skills, alignments, jobs and learners who consented to be matched
(:mod:`~creditbank.demo.matching`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

from creditbank.accounts import api as accounts
from creditbank.accounts.api import BatchStatus, FileFormat, PersonalDataCipher
from creditbank.accounts.bulk import CHUNK, BulkPlan
from creditbank.accounts.pipeline import IN_PROCESS
from creditbank.catalog import service as catalog
from creditbank.db import Database
from creditbank.demo.accreditation import load_accreditation
from creditbank.demo.catalogue import drafts
from creditbank.demo.common import DemoError, x_certificate_code
from creditbank.demo.conversion import confirmed_conversion, conversion_rules, later_facts
from creditbank.demo.learners import deposit_files
from creditbank.demo.matching import MatchingReport, load_matching
from creditbank.demo.xcerts import xcert_operations
from creditbank.institutions import api as institution_api
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.messages import msg
from creditbank.sessions import service as sessions


@dataclass
class DemoReport:
    loaded: bool = False
    institutions: int = 0
    users: int = 0
    items: int = 0
    learners: int = 0
    outcomes: int = 0
    password: str = ""
    users_added: list[str] = field(default_factory=list)
    learner_account: str = ""  # a learner who can log in with the demo password
    matching: MatchingReport | None = None


DEPOSIT_PLAN = BulkPlan(chunk_rows=CHUNK, worker=IN_PROCESS)
"""How the demo's deposit files are deposited: in the usual chunks, each prepared in this
process. Only the two largest files (PJVC's and HJUT's, about 3,700 and 2,200 rows) are
longer than a chunk, so the bulk deposit would start a worker interpreter for each, and the
first chunk is stored before that worker is ready: it costs the interpreter's start and the
chunks' pickling for little or no preparing on the other core. What is deposited is the
same either way (the preparing stage is the same, with its state)."""


def _data() -> dict[str, Any]:
    text = (resources.files("creditbank.demo") / "data" / "demo.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_demo(*, database: Database, cipher: PersonalDataCipher, today: date) -> DemoReport:
    """Load the demo bank into ``database`` unless its institutions are there already."""
    data = _data()
    report = DemoReport(password=data["demo_password"])
    with database.unit_of_work() as uow:
        known = institution_api.institution_codes(uow=uow).values()
        if data["institutions"][0]["code"] in known:
            return report
        for entry in data["institutions"]:
            institutions.add_institution(
                uow=uow,
                code=entry["code"],
                name=entry["name"],
                name_en=entry["name_en"],
                type=InstitutionType(entry["type"]),
                region=entry.get("region", ""),
                alliances=entry.get("alliances", ()),
            )
        for entry in data["users"]:
            institutions.add_user(
                uow=uow,
                email=entry["email"],
                role=Role(entry["role"]),
                institution=entry.get("institution"),
                password=report.password,
            )
            report.users_added.append(entry["email"])
        for draft in drafts(data):
            catalog.add_item(uow=uow, draft=draft, on=today)
            report.items += 1
    report.institutions = len(data["institutions"])
    report.users = len(data["users"])
    providers = {entry["number"]: entry["provider"] for entry in data["x_certificates"]}
    files = deposit_files(providers, today)
    for institution, rows in sorted(files.items()):
        batch = accounts.import_batch(
            database=database,
            cipher=cipher,
            institution=institution,
            submitted_by="demo",
            filename=f"demo-{institution.lower()}.csv",
            file_format=FileFormat.CSV,
            rows=enumerate(rows, start=2),
            today=today,
            plan=DEPOSIT_PLAN,
        )
        if batch.status is not BatchStatus.COMMITTED:
            raise DemoError(
                "demo_rejected",
                msg(
                    "the demo batch of {institution} was rejected: {errors} problems",
                    institution=institution,
                    errors=batch.error_count,
                ),
            )
        report.learners += batch.accounts_opened
        report.outcomes += batch.deposited
    with database.unit_of_work() as uow:
        corrections, learner = later_facts(uow, today)
        report.outcomes += corrections
        conversion_rules(uow, today)
        sessions.set_learner_password(
            uow=uow, account_number=learner, password=report.password, now=datetime.now(UTC)
        )
        report.learner_account = learner
    report.outcomes += xcert_operations(
        database=database, cipher=cipher, bim=data["bim"], candidates=files["PJVC"], today=today
    )
    with database.unit_of_work() as uow:
        report.items += load_accreditation(
            uow, cipher, data["accreditation"], learner=report.learner_account, today=today
        )
        report.outcomes += 1  # the accredited unit
    with database.unit_of_work() as uow:
        report.outcomes += confirmed_conversion(uow, learner=report.learner_account, today=today)
    report.matching = load_matching(
        database=database,
        data=data["matching"],
        users=data["users"],
        learner=report.learner_account,
    )
    report.loaded = True
    return report


__all__ = ["DemoError", "DemoReport", "load_demo", "x_certificate_code"]
