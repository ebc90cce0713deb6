"""The ``creditbank`` command line: thin commands over the same services as the API.

Read commands take ``--json`` and then print exactly what the HTTP API returns.
Messages go through the catalogs; ``--lang`` (or ``CREDITBANK_DEFAULT_LANGUAGE``)
chooses Chinese or English. A refused request prints why and exits with 1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.bootstrap import initialise, open_database
from creditbank.cli.common import (
    fail,
    out,
    refusals_fail,
    say,
    state,
)
from creditbank.messages import msg
from creditbank.settings import Environment, get_settings
from creditbank.web.i18n import LANGUAGES
from creditbank.web.security import proxy_options

app = typer.Typer(help="creditbank: a credit bank for lifelong learning.", no_args_is_help=True)


@app.callback()
def main(
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of messages: zh or en.")
    ] = None,
) -> None:
    """creditbank: a credit bank for lifelong learning."""
    language = lang or get_settings().default_language
    if language not in LANGUAGES:
        raise typer.BadParameter(f"--lang must be one of {', '.join(LANGUAGES)}")
    state.language = language


@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo", help="Also load demo data.")] = False,
) -> None:
    """Create or upgrade the database (Alembic migrations) and install the built-in frameworks and
    crosswalks; on an upgraded bank, log the institutions, catalogue items, grants, signing keys
    and programmes it held before they were facts of record; idempotent. `--demo` also loads the
    demo bank once (refused in production): 29 institutions of every type, staff of every role
    (password `demo-password-2026`, printed with their e-mails), a catalogue with items of every
    kind including the 23 real round-4 X certificates of seed 004 (Figures 2 and 3), 3,000
    invented learners (Chinese names, checksum-valid identity numbers) and about 12,000 outcomes
    deposited by each institution's bulk deposit, a few of them then verified, corrected or
    revoked; one learner, whose account number is printed, logs in at `/login` with the same
    password; and matching jobs to learning: the built-in occupations and skills, the demo's
    courses and X certificates aligned to skills (drafted by registrars, approved by the
    administrator), five jobs posted by hr@dfzz.example and learners who consented to be
    matched."""
    settings = get_settings()
    cipher = None
    if demo:
        if settings.environment is Environment.PRODUCTION:
            fail(say(msg("demo data (with a known password) is refused in production")))
        cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    database = open_database(settings)
    try:
        with refusals_fail():
            report = initialise(database, demo_cipher=cipher)
    finally:
        database.dispose()
    out.print(say(msg("Database ready: {url}", url=_redacted(settings.database_url))))
    out.print(
        say(
            msg(
                "Frameworks added: {frameworks}; crosswalks added: {crosswalks}",
                frameworks=", ".join(report.frameworks_added) or "-",
                crosswalks=", ".join(report.crosswalks_added) or "-",
            )
        )
    )
    if report.demo is not None and not report.demo.loaded:
        out.print(say(msg("The demo bank is loaded already; nothing added.")))
    elif report.demo is not None:
        out.print(
            say(
                msg(
                    "Demo bank loaded: {institutions} institutions, {items} catalogue items, "
                    "{learners} learners, {outcomes} outcomes.",
                    institutions=report.demo.institutions,
                    items=report.demo.items,
                    learners=report.demo.learners,
                    outcomes=report.demo.outcomes,
                )
            )
        )
        out.print(
            say(
                msg(
                    "Demo staff (password {password}): {users}",
                    password=report.demo.password,
                    users=", ".join(report.demo.users_added),
                )
            )
        )
        out.print(
            say(
                msg(
                    "Demo learner (same password): account {account}",
                    account=report.demo.learner_account,
                )
            )
        )
        matching = report.demo.matching
        if matching is not None:
            out.print(
                say(
                    msg(
                        "Matching: {skills} skills, {alignments} alignments to skills approved, "
                        "{jobs} jobs posted by {employer}, {learners} learners consented to be "
                        "matched.",
                        skills=matching.skills,
                        alignments=matching.alignments,
                        jobs=matching.jobs,
                        employer=matching.employer,
                        learners=matching.consenting,
                    )
                )
            )


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the web pages and the API."""
    import uvicorn  # noqa: PLC0415

    settings = get_settings()
    uvicorn.run(
        "creditbank.bootstrap:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        **proxy_options(settings),
    )


from creditbank.cli import (  # noqa: E402 - the command groups, registered last
    accounts,
    accreditation,
    alignments,
    alliances,
    catalog,
    conversion,
    credentials,
    demo,
    frameworks,
    institutions,
    jobs,
    joint,
    log,
    matching,
    national,
    occupations,
    peers,
    skills,
    standards,
    stats,
    transfers,
    xcert,
)

for _module in (
    institutions,
    jobs,
    frameworks,
    catalog,
    accounts,
    accreditation,
    alignments,
    alliances,
    conversion,
    credentials,
    demo,
    joint,
    log,
    matching,
    national,
    occupations,
    peers,
    skills,
    standards,
    stats,
    transfers,
    xcert,
):
    for _group, _group_name in _module.GROUPS:
        app.add_typer(_group, name=_group_name)
    _top_level: typer.Typer | None = getattr(_module, "top_level", None)
    if _top_level is not None:
        app.registered_commands.extend(_top_level.registered_commands)
