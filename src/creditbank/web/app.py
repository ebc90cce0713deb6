"""The web application: JSON API, pages and problem documents, over one set of services.

:func:`create_app` is given its settings and database by the composition root
(:mod:`creditbank.bootstrap`); it holds no global state.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel
from sqlalchemy import text

import creditbank
from creditbank.accounts import routes as account_routes
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accreditation import routes as accreditation_routes
from creditbank.alignments import routes as alignment_routes
from creditbank.alliances import routes as alliance_routes
from creditbank.catalog import routes as catalog_routes
from creditbank.conversion import routes as conversion_routes
from creditbank.credentials import routes as credential_routes
from creditbank.db import Database
from creditbank.evidence import routes as evidence_routes
from creditbank.frameworks import routes as framework_routes
from creditbank.institutions import routes as institution_routes
from creditbank.jobs import routes as job_routes
from creditbank.joint import routes as joint_routes
from creditbank.ledger import routes as ledger_routes
from creditbank.ledger.witnessing import Publisher
from creditbank.matching import routes as matching_routes
from creditbank.messages import msg
from creditbank.national import routes as national_routes
from creditbank.occupations import routes as occupation_routes
from creditbank.peers import routes as peer_routes
from creditbank.peers.api import CheckpointFork
from creditbank.settings import Settings
from creditbank.skills import routes as skill_routes
from creditbank.stats import routes as stats_routes
from creditbank.transfers import routes as transfer_routes
from creditbank.web.deps import Uow, render
from creditbank.web.formats import local_time_filter
from creditbank.web.i18n import ChooseLanguage
from creditbank.web.limits import BodySizeLimit, check_request
from creditbank.web.openapi import install_docs, install_openapi
from creditbank.web.pages import accreditation as accreditation_pages
from creditbank.web.pages import alignments as alignment_pages
from creditbank.web.pages import alliances as alliance_pages
from creditbank.web.pages import console as console_pages
from creditbank.web.pages import conversion as conversion_pages
from creditbank.web.pages import credentials as credential_pages
from creditbank.web.pages import jobs as job_pages
from creditbank.web.pages import learner as learner_pages
from creditbank.web.pages import login as login_pages
from creditbank.web.pages import matching as matching_pages
from creditbank.web.pages import national as national_pages
from creditbank.web.pages import peers as peer_pages
from creditbank.web.pages import public as public_pages
from creditbank.web.pages import skills as skill_pages
from creditbank.web.pages import staff as staff_pages
from creditbank.web.pages import stats as stats_pages
from creditbank.web.pages import transfers as transfer_pages
from creditbank.web.pages import xcerts as xcert_pages
from creditbank.web.pages.console import grants as console_grant_pages
from creditbank.web.pages.console import learners as console_learner_pages
from creditbank.web.pages.stats import network as stats_network_pages
from creditbank.web.pages.stats import skills as stats_skills_pages
from creditbank.web.problems import (
    PROBLEM_TYPES,
    install_problem_handlers,
    problem_response,
    responses,
)
from creditbank.web.security import SecurityHeaders, secure_unexpected_errors
from creditbank.web.sessions import (
    LoginRequired,
    SessionCookies,
    csrf_serializer,
    session_policy,
)
from creditbank.xcerts import routes as xcert_routes


class HealthRead(BaseModel):
    status: str
    database: str
    version: str


@functools.cache
def _templates() -> Environment:
    """The pages' templates, one environment per process: they ship with the package and hold
    nothing of a bank, so every app of the process (the tests make many) compiles each template
    once."""
    environment = Environment(
        loader=PackageLoader("creditbank.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = local_time_filter  # the one way pages show a moment
    return environment


async def _to_login(request: Request, _error: Exception) -> Response:
    """A page that needs a logged-in user sends the visitor to log in, and back afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = request.url.path
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def create_app(*, settings: Settings, database: Database) -> FastAPI:
    """The ASGI application of one bank."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        publisher = Publisher(database, settings.log_publish_seconds)
        publisher.start()
        try:
            yield
        finally:
            publisher.stop()

    app = FastAPI(
        title="creditbank",
        version=creditbank.__version__,
        summary="A credit bank for lifelong learning: frameworks, accreditation, accounts.",
        docs_url=None,  # served by install_docs, from the bank's own files
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_request)],  # decoded values checked before any service
    )
    app.state.settings = settings
    app.state.database = database
    app.state.templates = _templates()
    app.state.cipher = PersonalDataCipher.from_base64(settings.data_key.get_secret_value())
    app.state.session_policy = session_policy(settings)
    app.state.csrf_serializer = csrf_serializer(settings)
    install_problem_handlers(app)
    install_openapi(app)
    install_docs(app)  # before /static: its files are mounted under it
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CheckpointFork, peer_routes.fork_refused)  # keeps the evidence
    app.add_middleware(SessionCookies)
    app.add_middleware(ChooseLanguage, default=settings.default_language)
    app.add_middleware(SecurityHeaders)  # the last added is the outermost: headers on all
    secure_unexpected_errors(app)  # and on the 500 answers Starlette sends outside it

    static = resources.files("creditbank.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in (
        framework_routes.api,
        framework_routes.pages,
        institution_routes.api,
        catalog_routes.api,
        account_routes.api,
        evidence_routes.api,
        ledger_routes.api,
        conversion_routes.api,
        accreditation_routes.api,
        xcert_routes.api,
        credential_routes.api,
        peer_routes.api,
        peer_routes.witness,
        transfer_routes.api,
        national_routes.api,
        alliance_routes.api,
        joint_routes.api,
        stats_routes.api,
        occupation_routes.api,
        matching_routes.api,
        skill_routes.api,
        alignment_routes.api,
        job_routes.api,
        peer_pages.pages,
        login_pages.pages,
        skill_pages.pages,
        learner_pages.pages,
        matching_pages.pages,
        staff_pages.pages,
        conversion_pages.pages,
        alignment_pages.pages,
        job_pages.pages,
        accreditation_pages.pages,
        xcert_pages.pages,
        credential_pages.pages,
        transfer_pages.pages,
        console_learner_pages.pages,
        console_grant_pages.pages,
        console_pages.pages,
        public_pages.pages,
        national_pages.pages,
        stats_network_pages.pages,  # before stats_pages: /stats/network is no figure
        stats_skills_pages.pages,  # before stats_pages: /stats/skills is no tallied figure
        stats_pages.pages,
        alliance_pages.pages,
    ):
        app.include_router(router)

    @app.get("/healthz", response_model=HealthRead, responses=responses(503), tags=["service"])
    def healthz(request: Request, uow: Uow) -> Response:
        """Whether the service and its database answer."""
        try:
            uow.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any database failure means unhealthy
            return problem_response(
                request, "service-unavailable", msg("the database does not answer").render()
            )
        return JSONResponse(
            HealthRead(status="ok", database="ok", version=creditbank.__version__).model_dump()
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """The bank's icon (an SVG) where browsers look for it without a ``<link>``."""
        return FileResponse(str(static / "favicon.svg"), media_type="image/svg+xml")

    @app.get("/problems", response_class=HTMLResponse, include_in_schema=False)
    def problem_types(request: Request) -> HTMLResponse:
        return render(request, "problems.html", problem_types=list(PROBLEM_TYPES.values()))

    @app.get("/problems/{slug}", response_class=HTMLResponse, include_in_schema=False)
    def problem_type(request: Request, slug: str) -> HTMLResponse:
        kind = PROBLEM_TYPES.get(slug)
        if kind is None:
            return render(request, "problems.html", status_code=404, problem_types=[])
        return render(request, "problems.html", problem_types=[kind])

    return app
