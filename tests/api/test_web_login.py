"""Logging in to the pages over HTTP: cookies, CSRF, the throttle, expiry, logout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select, update

from creditbank.accounts import service as accounts
from creditbank.accounts.model import parse_id_number
from creditbank.bootstrap import build_app
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.sessions import service as sessions
from creditbank.sessions.tables import WebSessionRow
from creditbank.web.sessions import csrf_protect
from tests.bulk_files import id_number
from tests.conftest import LiveBank
from tests.conftest import test_settings as settings_for
from tests.support.pages import csrf_of, log_in, page_client, post_form

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def people(live_bank: LiveBank) -> dict[str, str]:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="JSVC", name="江苏某学院", type=InstitutionType.HIGHER_VOCATIONAL_COLLEGE
        )
        for who in ("reg", "throttled", "expiring"):
            institutions.add_user(
                uow=uow,
                email=f"{who}@jsvc.example",
                role=Role.REGISTRAR,
                institution="JSVC",
                password=PASSWORD,
            )
        number = accounts.open_account(
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(3)),
            name="王五",
        ).number
        sessions.set_learner_password(
            uow=uow, account_number=number, password=PASSWORD, now=datetime.now(UTC)
        )
        activating = accounts.open_account(  # a learner of its own: activating changes the password
            uow=uow,
            cipher=live_bank.cipher,
            id_number=parse_id_number(id_number(4)),
            name="赵六",
        ).number
        sessions.set_learner_password(
            uow=uow, account_number=activating, password=PASSWORD, now=datetime.now(UTC)
        )
    return {"account": number, "activating": activating}


def test_login_form_carries_a_signed_token_in_a_cookie(bank: str) -> None:
    with page_client(bank) as client:
        page = client.get("/login")
        assert page.status_code == 200
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("cb_csrf=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert csrf_of(page.text) == client.cookies["cb_csrf"]
        # the same token as long as the cookie is good
        assert csrf_of(client.get("/login").text) == client.cookies["cb_csrf"]


def test_staff_log_in_and_out(bank: str, people: dict[str, str]) -> None:
    with page_client(bank) as client:
        assert client.get("/staff").status_code == 303
        assert client.get("/staff").headers["location"] == "/login?next=%2Fstaff"
        response = log_in(client, "staff", "reg@jsvc.example", PASSWORD)
        assert response.status_code == 303 and response.headers["location"] == "/staff"
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("cb_session=")
        )
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain http here; https requests get Secure cookies
        desk = client.get("/staff")
        assert desk.status_code == 200 and "reg@jsvc.example" in desk.text
        assert desk.headers["cache-control"] == "no-store"
        assert "JSVC" in desk.text
        # the learner's pages are not for staff
        assert client.get("/me").status_code == 403
        secret = client.cookies["cb_session"]
        out = post_form(client, "/logout", {}, form_page="/staff")
        assert out.status_code == 303 and out.headers["location"] == "/"
        assert "cb_session" not in client.cookies
        # the old cookie is worthless now
        client.cookies.set("cb_session", secret)
        assert client.get("/staff").status_code == 303


def test_learners_log_in_to_their_own_pages(bank: str, people: dict[str, str]) -> None:
    with page_client(bank) as client:
        response = log_in(client, "learner", people["account"].lower(), PASSWORD)
        assert response.status_code == 303 and response.headers["location"] == "/me"
        me = client.get("/me")
        assert me.status_code == 200 and people["account"] in me.text
        assert client.get("/staff").status_code == 403


def test_a_login_goes_back_where_it_was_asked_for_and_only_there(
    bank: str, people: dict[str, str]
) -> None:
    with page_client(bank) as client:
        token = csrf_of(client.get("/login?next=/staff").text)
        for target, expected in (
            ("//evil.example/x", "/staff"),
            ("https://evil.example", "/staff"),
            ("/staff?lang=zh", "/staff?lang=zh"),
        ):
            response = client.post(
                "/login",
                data={
                    "csrf_token": token,
                    "kind": "staff",
                    "login": "reg@jsvc.example",
                    "password": PASSWORD,
                    "next": target,
                },
            )
            assert response.headers["location"] == expected
            client.cookies.delete("cb_session")
            token = csrf_of(client.get("/login").text)


def test_forms_without_the_right_token_are_refused(bank: str, people: dict[str, str]) -> None:
    with page_client(bank) as client:
        form = {"kind": "staff", "login": "reg@jsvc.example", "password": PASSWORD}
        client.get("/login")
        missing = client.post("/login", data=form)
        assert missing.status_code == 403
        assert "reload the page" in missing.text and "cb_session" not in client.cookies
        wrong = client.post("/login", data={**form, "csrf_token": "x" + client.cookies["cb_csrf"]})
        assert wrong.status_code == 403
        # a token signed by someone else (or a forged cookie) is refused too
        client.cookies.set("cb_csrf", "forged")
        forged = client.post("/login", data={**form, "csrf_token": "forged"})
        assert forged.status_code == 403
        # logged in: the session's token, not the pre-session one
        assert log_in(client, "staff", "reg@jsvc.example", PASSWORD).status_code == 303
        stale = client.post("/logout", data={"csrf_token": client.cookies.get("cb_csrf") or ""})
        assert stale.status_code == 403
        assert client.post("/logout", data={}).status_code == 403
        assert client.get("/staff").status_code == 200  # still logged in


def test_the_csrf_refusal_is_a_problem_document_for_machines(bank: str) -> None:
    with page_client(bank) as client:
        response = client.post("/login", data={"kind": "staff"}, headers={"Accept": "*/*"})
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/csrf-rejected"


def test_failed_logins_say_nothing_and_are_throttled(
    bank: str, live_bank: LiveBank, people: dict[str, str]
) -> None:
    with page_client(bank) as client:
        wrong = log_in(client, "staff", "throttled@jsvc.example", "wrong password")
        unknown = log_in(client, "staff", "nobody@jsvc.example", "wrong password")
        learner = log_in(client, "learner", "CB000000000000", "wrong password")
        for response in (wrong, unknown, learner):
            assert response.status_code == 422
            assert "The account or the password is not right" in response.text
            assert "cb_session" not in client.cookies
        for _ in range(4):  # five failures in all: the default limit
            log_in(client, "staff", "throttled@jsvc.example", "wrong password")
        blocked = log_in(client, "staff", "throttled@jsvc.example", PASSWORD)
        assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
        assert 0 < int(blocked.headers["retry-after"]) <= 60
        assert f"try again in {blocked.headers['retry-after']} seconds" in blocked.text
        assert "cb_session" not in client.cookies
        # other accounts are not affected
        assert log_in(client, "staff", "reg@jsvc.example", PASSWORD).status_code == 303


def test_an_idle_session_sends_the_user_to_log_in_again(
    bank: str, live_bank: LiveBank, people: dict[str, str]
) -> None:
    with page_client(bank) as client:
        assert log_in(client, "staff", "expiring@jsvc.example", PASSWORD).status_code == 303
        token = csrf_of(client.get("/staff").text)
        with live_bank.database.unit_of_work() as uow:
            uow.session.execute(
                update(WebSessionRow)
                .where(WebSessionRow.revoked_at.is_(None))
                .values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31))
            )
        gone = client.post("/logout", data={"csrf_token": token})
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
        assert "cb_session" not in client.cookies
        assert client.get("/staff").headers["location"] == "/login?next=%2Fstaff"
    with live_bank.database.unit_of_work() as uow:
        assert uow.session.scalars(select(WebSessionRow.digest)).all()


def _routes(routes: list[object]) -> list[object]:
    """Every route of the app, including those of included routers."""
    found: list[object] = []
    for route in routes:
        router = getattr(route, "original_router", None)
        found.extend(_routes(router.routes) if router is not None else [route])
    return found


PROTOCOL_ENDPOINTS = {
    "/witness/add-checkpoint": "C2SP tlog-witness: a peer bank's signed checkpoint is the proof",
}
"""POST endpoints outside /api/ that no browser sends a form to: they read no cookie and no
session (each is checked below), so a forged cross-site request can do nothing a stranger's own
request could not."""


def test_every_state_changing_page_checks_the_csrf_token(live_bank: LiveBank) -> None:

    app = build_app(settings_for(live_bank.database.url), live_bank.database)
    unsafe = [
        route
        for route in _routes(list(app.routes))
        if isinstance(route, APIRoute)
        and not route.path.startswith("/api/")
        and (route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    protocol = [route for route in unsafe if route.path in PROTOCOL_ENDPOINTS]
    assert {route.path for route in protocol} == set(PROTOCOL_ENDPOINTS)
    for route in protocol:  # no dependency at all: no session, no cookie, no principal
        assert route.dependant.dependencies == [], route.path
    unsafe = [route for route in unsafe if route.path not in PROTOCOL_ENDPOINTS]
    assert {"/login", "/logout", "/activate"} <= {route.path for route in unsafe}
    for route in unsafe:
        assert any(d.call is csrf_protect for d in route.dependant.dependencies), route.path


def test_cookies_are_secure_over_https(live_bank: LiveBank, people: dict[str, str]) -> None:
    # the module's bank, asked over https (served in-process, it answers its origin's requests
    # whatever their scheme, and the app sees the scheme asked for, as behind TLS)
    https = live_bank.url.replace("http://", "https://", 1)
    with page_client(https) as client:
        form = client.get("/login")
        assert "Secure" in form.headers["set-cookie"]
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_of(form.text),
                "kind": "staff",
                "login": "reg@jsvc.example",
                "password": PASSWORD,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("cb_session=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_learners_choose_a_password_with_an_activation_code(
    bank: str, live_bank: LiveBank, people: dict[str, str]
) -> None:
    with live_bank.database.unit_of_work() as uow:
        issued = sessions.issue_activation_code(
            uow=uow,
            account_number=people["activating"],
            valid_for=timedelta(days=1),
            now=datetime.now(UTC),
        )
    new_password = "a brand new passphrase"
    with page_client(bank) as client:
        form = {"account_number": people["activating"], "code": issued.code}
        differ = post_form(
            client, "/activate", {**form, "password": new_password, "repeated": "other"}
        )
        assert differ.status_code == 422 and "The two passwords differ" in differ.text
        assert 'id="password-errors"' in differ.text
        wrong = post_form(
            client,
            "/activate",
            {
                **form,
                "code": "AAAA-AAAA-AAAA-AAAA",
                "password": new_password,
                "repeated": new_password,
            },
        )
        assert wrong.status_code == 422 and "activation code is not right" in wrong.text
        done = post_form(
            client, "/activate", {**form, "password": new_password, "repeated": new_password}
        )
        assert done.status_code == 303 and done.headers["location"] == "/me"
        assert client.get("/me").status_code == 200
        again = post_form(
            client, "/activate", {**form, "password": new_password, "repeated": new_password}
        )
        assert again.status_code == 422  # used up
    with page_client(bank) as client:
        assert log_in(client, "learner", people["activating"], new_password).status_code == 303
        assert log_in(client, "learner", people["activating"], PASSWORD).status_code == 422
