"""The README's screenshots, taken from the demo bank in real Chromium: ``make screenshots``.

Builds the demo bank (what ``make run`` serves) in a temporary SQLite database, serves it on
loopback, logs in as the demo's people and photographs the pages the README shows, writing
``docs/screenshot-*.png``. A person runs it when the pages change and commits the pictures; the
suite does not (the pages themselves are tested in tests/browser/ and tests/api/).

A shot whose page does not answer 200 stops the run: a README must not show an error page.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from playwright.sync_api import sync_playwright

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.bootstrap import build_app, initialise
from creditbank.db import Database
from creditbank.settings import Environment, Settings
from tests.support.browser import LiveServer, launch_chromium, session_cookies

DOCS: Final = Path(__file__).resolve().parents[2] / "docs"
VIEWPORT: Final = {"width": 1280, "height": 860}
ADMIN: Final = "admin@creditbank.example"
EMPLOYER: Final = "hr@dfzz.example"


@dataclass(frozen=True)
class Shot:
    """One picture: who looks (``None``: a visitor), at what, in which language, saved as."""

    name: str
    path: str
    language: str
    login: tuple[Literal["staff", "learner"], str] | None
    """Who logs in: a staff user's e-mail, or ``("learner", "")`` for the demo learner."""


SHOTS: Final = (
    Shot("console", "/console", "zh", ("staff", ADMIN)),
    Shot("console-learners", "/console/learners", "zh", ("staff", ADMIN)),
    Shot("stats", "/stats/outcomes?by=kind", "zh", ("staff", ADMIN)),
    Shot("learner-jobs", "/me/jobs", "zh", ("learner", "")),
    Shot("job-matches", "/staff/jobs/1", "zh", ("staff", EMPLOYER)),
)


def _demo_bank(folder: Path) -> tuple[Settings, Database, str, str]:
    url = f"sqlite:///{folder / 'demo.db'}"
    settings = Settings(
        environment=Environment.DEVELOPMENT,
        database_url=url,
        secret_key=base64.b64encode(os.urandom(30)).decode(),
        data_key=base64.b64encode(os.urandom(32)).decode(),
    )
    database = Database(url)
    cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    report = initialise(database, demo_cipher=cipher)
    assert report.demo is not None
    return settings, database, report.demo.password, report.demo.learner_account


def take(shots: tuple[Shot, ...], out: Path) -> list[Path]:
    """Take ``shots`` of a new demo bank; return the files written."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        settings, database, password, learner = _demo_bank(Path(folder))
        with LiveServer(build_app(settings, database)) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                for shot in shots:
                    context = browser.new_context(
                        viewport=VIEWPORT,  # type: ignore[arg-type]
                        locale=shot.language,
                        extra_http_headers={"Accept-Language": shot.language},
                    )
                    if shot.login is not None:
                        kind, login = shot.login
                        who = login or learner
                        context.add_cookies(session_cookies(server.base_url, kind, who, password))
                    page = context.new_page()
                    answer = page.goto(server.url(shot.path))
                    assert answer is not None and answer.status == 200, (shot.path, answer)
                    target = out / f"screenshot-{shot.name}.png"
                    page.screenshot(path=str(target), full_page=False)
                    written.append(target)
                    context.close()
            finally:
                browser.close()
        database.dispose()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="where the pictures go")
    parser.add_argument("names", nargs="*", help="only these shots (default: all)")
    arguments = parser.parse_args()
    chosen = tuple(s for s in SHOTS if not arguments.names or s.name in arguments.names)
    for path in take(chosen, arguments.out):
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
