"""The two answer-writing layers of every request, over HTTP on both databases: the language
(``ChooseLanguage``: ``?lang=`` kept in a cookie, ``Content-Language``) and the session's cookies
(``SessionCookies``: a session that has ended is deleted in the browser, the login form's signed
CSRF cookie set, pages of a session not cached)."""

from __future__ import annotations

from tests.support.pages import page_client


def test_a_language_chosen_by_link_is_kept_in_a_cookie(bank: str) -> None:
    with page_client(bank, language="zh-CN") as client:
        chosen = client.get("/frameworks?lang=en")
        assert chosen.status_code == 200
        assert chosen.headers["content-language"] == "en"
        cookie = chosen.headers["set-cookie"]
        assert cookie.startswith("lang=en;")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert f"Max-Age={365 * 24 * 3600}" in cookie
        # the next page, without ?lang=, in the chosen language despite Accept-Language
        later = client.get("/frameworks")
        assert later.headers["content-language"] == "en"
        assert "set-cookie" not in later.headers


def test_an_unknown_language_is_not_kept(bank: str) -> None:
    with page_client(bank, language="zh-CN") as client:
        answer = client.get("/frameworks?lang=fr")
        assert answer.headers["content-language"] == "zh"
        assert "lang" not in client.cookies
        # the API's answers say their language too
        assert client.get("/healthz").headers["content-language"] == "zh"


def test_an_ended_session_s_cookie_is_deleted_and_the_form_s_set(bank: str) -> None:
    with page_client(bank) as client:
        client.cookies.set("cb_session", "no-such-session")
        login = client.get("/login")
        cookies = login.headers.get_list("set-cookie")
        ended = next(c for c in cookies if c.startswith("cb_session="))
        assert 'cb_session="";' in ended or "cb_session=;" in ended
        assert "Max-Age=0" in ended
        form = next(c for c in cookies if c.startswith("cb_csrf="))
        assert "HttpOnly" in form and "SameSite=lax" in form
        # no session: the form may be cached like any page of no one's
        assert login.headers.get("cache-control") != "no-store"
