"""Bad requests get a 400/413/422 problem naming the place and the reason, and change nothing.

Malformed JSON and multipart, bodies too large (by Content-Length and chunked), form fields
over 1 MiB, JSON nested too deeply, whole numbers beyond the database's range in paths,
queries and bodies, NUL characters and lone UTF-16 surrogates in any text: each is refused
the same way on SQLite and PostgreSQL, in the reader's language, and leaves every table as
it was. Long values are never echoed back whole; a 405 names the allowed methods.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import httpx2
import pytest
from sqlalchemy import text

from creditbank.bootstrap import build_app
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from tests import conversion_world as world
from tests.conftest import LiveBank
from tests.support.browser import LiveServer

TABLES = ("institutions", "users", "learners", "outcomes", "deposit_batches")
SMALL_LIMIT = 4096
MEBIBYTE = 1024 * 1024


@pytest.fixture(scope="module")
def admin_token(live_bank: LiveBank) -> str:
    with live_bank.database.unit_of_work() as uow:
        institutions.add_institution(
            uow=uow, code="BAD-U", name="坏请求大学", type=InstitutionType.UNIVERSITY
        )
        institutions.add_user(uow=uow, email="admin@bad.example", role=Role.BANK_ADMIN)
        return institutions.create_token(uow=uow, email="admin@bad.example").secret


@pytest.fixture
def admin(live_bank: LiveBank, admin_token: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(
        base_url=live_bank.url,
        headers={"Authorization": f"Bearer {admin_token}", "Accept-Language": "en"},
        timeout=30,
    ) as client:
        yield client


def row_counts(bank: LiveBank) -> dict[str, int]:
    with bank.database.unit_of_work() as uow:
        return {
            table: uow.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - our own table names
            for table in TABLES
        }


@pytest.fixture
def unchanged(live_bank: LiveBank) -> Iterator[None]:
    """The test's requests change no table."""
    before = row_counts(live_bank)
    yield
    assert row_counts(live_bank) == before


def problem(response: httpx2.Response, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    return body


def institution(**fields: object) -> dict[str, object]:
    return {"code": "NEW-U", "name": "新大学", "type": "university", **fields}


JSON = {"Content-Type": "application/json"}


@pytest.mark.usefixtures("unchanged")
def test_malformed_json_is_a_400_naming_the_character(admin: httpx2.Client) -> None:
    response = admin.post("/api/v1/institutions", content=b'{"code": "NEW-U", ', headers=JSON)
    body = problem(response, 400, "malformed-body")
    assert body["detail"] == "the request body is not valid JSON (at character 18)"


@pytest.mark.usefixtures("unchanged")
def test_an_empty_or_blank_json_body_is_a_4xx(admin: httpx2.Client) -> None:
    body = problem(
        admin.post("/api/v1/institutions", content=b"", headers=JSON), 422, "validation-error"
    )
    assert body["problems"] == ["body: Field required"]
    problem(admin.post("/api/v1/institutions", content=b" \n", headers=JSON), 400, "malformed-body")


@pytest.mark.usefixtures("unchanged")
def test_json_sent_to_a_form_is_a_4xx(admin: httpx2.Client) -> None:
    for content in (b'{"institution": "BAD-U"}', b"{not json", b"[" * 10_000):
        response = admin.post("/api/v1/deposits/batches", content=content, headers=JSON)
        problem(response, 422, "validation-error")


@pytest.mark.usefixtures("unchanged")
def test_json_that_is_not_utf8_is_a_400(admin: httpx2.Client) -> None:
    response = admin.post("/api/v1/institutions", content=b'{"code": "\xff\xfe"}', headers=JSON)
    problem(response, 400, "malformed-body")


@pytest.mark.usefixtures("unchanged")
def test_malformed_multipart_is_a_400_not_a_404(admin: httpx2.Client) -> None:
    response = admin.post(
        "/api/v1/deposits/batches",
        content=b"--x\r\nContent-Disposition: form-data\r\n\r\nbroken",
        headers={"Content-Type": "multipart/form-data"},  # no boundary
    )
    body = problem(response, 400, "malformed-body")
    assert body["detail"] == "the request body cannot be read as multipart/form-data"


@pytest.mark.usefixtures("unchanged")
def test_a_form_field_over_one_mebibyte_is_a_413(admin: httpx2.Client) -> None:
    response = admin.post(
        "/api/v1/deposits/batches",
        data={"institution": "B" * (MEBIBYTE + 1)},
        files={"file": ("rows.csv", b"record_id\n", "text/csv")},
    )
    body = problem(response, 413, "body-too-large")
    assert body["detail"] == f"a field of the form is larger than {MEBIBYTE} bytes"


@pytest.mark.usefixtures("unchanged")
def test_json_nested_deeper_than_the_limit_is_a_400(
    admin: httpx2.Client, live_bank: LiveBank
) -> None:
    limit = live_bank.settings.max_json_depth
    nested: object = "x"
    for _ in range(limit + 1):
        nested = [nested]
    response = admin.post("/api/v1/institutions", json=institution(alliances=nested))
    body = problem(response, 400, "json-too-deep")
    assert body["detail"] == f"the JSON body is nested deeper than {limit} levels"
    assert str(body["problems"]).startswith("['body.alliances.0.0")


@pytest.mark.usefixtures("unchanged")
def test_json_too_deep_to_parse_is_a_400(admin: httpx2.Client) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    problem(admin.post("/api/v1/institutions", content=deep, headers=JSON), 400, "json-too-deep")


@pytest.mark.parametrize(
    ("path", "place"),
    [
        (f"/api/v1/rules/{2**64}", "path.rule_id"),
        (f"/api/v1/rules/{-(2**70)}/submit", "path.rule_id"),
        (f"/api/v1/sessions/{2**31}", "path.session_id"),
        (f"/api/v1/log/entries?start=0&end={2**64}", "query.end"),
        (f"/api/v1/frameworks/CLEQF?version={10**30}", "query.version"),
    ],
)
@pytest.mark.usefixtures("unchanged")
def test_a_whole_number_beyond_the_database_is_a_422_naming_it(
    admin: httpx2.Client, path: str, place: str
) -> None:
    method = "POST" if path.endswith("/submit") else "GET"
    body = problem(admin.request(method, path), 422, "number-out-of-range")
    assert body["problems"] == [f"{place}: must be a whole number from -2147483648 to 2147483647"]


@pytest.mark.usefixtures("unchanged")
def test_a_whole_number_beyond_the_database_in_a_body_is_a_422(admin: httpx2.Client) -> None:
    response = admin.post("/api/v1/institutions", json=institution(alliances=["A", 2**64]))
    body = problem(response, 422, "number-out-of-range")
    assert body["problems"] == [
        "body.alliances.1: must be a whole number from -2147483648 to 2147483647"
    ]


@pytest.mark.usefixtures("unchanged")
def test_a_number_too_large_for_a_float_is_a_422(admin: httpx2.Client) -> None:
    content = b'{"code": "NEW-U", "name": "n", "type": "university", "alliances": [1e400]}'
    body = problem(
        admin.post("/api/v1/institutions", content=content, headers=JSON),
        422,
        "number-out-of-range",
    )
    assert body["problems"] == ["body.alliances.0: must be a finite number"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (rb"NEW\u0000U", "contains a NUL character, which cannot be stored"),
        (rb"NEW\ud800U", "contains a lone UTF-16 surrogate, which is not a character"),
        (rb"\udc00", "contains a lone UTF-16 surrogate, which is not a character"),
    ],
)
@pytest.mark.usefixtures("unchanged")
def test_nul_and_lone_surrogates_in_json_are_a_422_naming_the_field(
    admin: httpx2.Client, raw: bytes, reason: str
) -> None:
    content = b'{"code": "NEW-U", "type": "university", "name": "' + raw + b'"}'
    body = problem(
        admin.post("/api/v1/institutions", content=content, headers=JSON),
        422,
        "invalid-characters",
    )
    assert body["problems"] == [f"body.name: {reason}"]


@pytest.mark.usefixtures("unchanged")
def test_a_surrogate_pair_is_a_character_and_is_stored(
    admin: httpx2.Client, live_bank: LiveBank
) -> None:
    before = row_counts(live_bank)["institutions"]
    content = b'{"code": "EMOJI-U", "type": "university", "name": "\\ud83c\\udf93 Academy"}'
    response = admin.post("/api/v1/institutions", content=content, headers=JSON)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "\N{GRADUATION CAP} Academy"
    assert row_counts(live_bank)["institutions"] == before + 1
    with live_bank.database.unit_of_work() as uow:  # undo, so that `unchanged` holds
        uow.session.execute(text("DELETE FROM institutions WHERE code = 'EMOJI-U'"))


@pytest.mark.usefixtures("unchanged")
def test_nul_in_a_path_query_and_form_is_a_422_naming_each(admin: httpx2.Client) -> None:
    body = problem(admin.get("/api/v1/institutions/BAD%00U"), 422, "invalid-characters")
    assert body["problems"] == ["path.code: contains a NUL character, which cannot be stored"]
    body = problem(
        admin.get("/api/v1/catalog/items", params={"owner": "BAD\x00U"}), 422, "invalid-characters"
    )
    assert body["problems"] == ["query.owner: contains a NUL character, which cannot be stored"]
    response = admin.post(
        "/api/v1/deposits/batches",
        data={"institution": "BAD\x00U"},
        files={"file": ("rows.csv", b"record_id\n", "text/csv")},
    )
    body = problem(response, 422, "invalid-characters")
    assert body["problems"] == [
        "body.institution: contains a NUL character, which cannot be stored"
    ]


@pytest.mark.usefixtures("unchanged")
def test_the_problem_is_in_the_readers_language(admin: httpx2.Client) -> None:
    content = b'{"code": "NEW-U", "type": "university", "name": "a\\u0000"}'
    response = admin.post(
        "/api/v1/institutions", content=content, headers={**JSON, "Accept-Language": "zh"}
    )
    body = problem(response, 422, "invalid-characters")
    assert body["title"] == "无法保存的文本"
    assert body["problems"] == ["body.name：含有 NUL 字符，无法保存"]


@pytest.mark.usefixtures("unchanged")
def test_a_long_value_is_quoted_by_a_short_prefix_only(admin: httpx2.Client) -> None:
    long_code = "X" * MEBIBYTE
    response = admin.post("/api/v1/institutions", json=institution(code=long_code))
    problem(response, 422, "invalid-institution")
    assert len(response.content) < 1000
    assert "X" * 60 in response.text
    assert "X" * 65 not in response.text


def test_a_405_names_the_allowed_methods(admin: httpx2.Client) -> None:
    response = admin.delete("/api/v1/institutions")
    problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


@pytest.fixture(scope="module")
def small_bank(live_bank: LiveBank) -> Iterator[str]:
    """The same bank served with a request body limit of 4 KiB."""
    settings = live_bank.settings.model_copy(update={"max_body_bytes": SMALL_LIMIT})
    with LiveServer(build_app(settings, live_bank.database)) as server:
        yield server.base_url


@pytest.mark.usefixtures("unchanged")
def test_a_body_over_the_limit_is_a_413_by_content_length_or_chunked(
    small_bank: str, admin_token: str
) -> None:
    headers = {"Authorization": f"Bearer {admin_token}", "Accept-Language": "en"}
    padded = institution(region="R" * SMALL_LIMIT)
    with httpx2.Client(base_url=small_bank, headers=headers, timeout=30) as client:
        body = problem(client.post("/api/v1/institutions", json=padded), 413, "body-too-large")
        assert body["detail"] == f"the request body is larger than {SMALL_LIMIT} bytes"

        def chunks() -> Iterator[bytes]:
            yield b'{"code": "NEW-U", "name": "n", "type": "university", "region": "'
            for _ in range(SMALL_LIMIT // 512 + 1):
                yield b"R" * 512
            yield b'"}'

        chunked = client.post("/api/v1/institutions", content=chunks(), headers=JSON)
        assert "content-length" not in chunked.request.headers
        problem(chunked, 413, "body-too-large")
        files = {"file": ("rows.csv", b"r" * SMALL_LIMIT, "text/csv")}
        upload = client.post("/api/v1/deposits/batches", data={"institution": "BAD-U"}, files=files)
        problem(upload, 413, "body-too-large")
        small = client.post("/api/v1/institutions", json=institution(code="x"))
        problem(small, 422, "invalid-institution")  # under the limit: read and judged


RFC3339_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def test_moments_are_sent_with_their_utc_offset(admin: httpx2.Client, live_bank: LiveBank) -> None:
    """SQLite gives stored moments back without an offset: the answers still carry one."""
    with live_bank.database.unit_of_work() as uow:
        users = world.build(uow)
        rule_id = world.approved(uow, users, world.x_certificate_rule(), "SHVC")
        account = world.learner(uow, 7)
        outcome = world.deposit(
            uow, account, institution="BIMTEO", item="BIM-X", level="intermediate", record="X-7"
        )
    moments = [
        admin.get(f"/api/v1/outcomes/{outcome}").json()["deposited_at"],
        admin.get(f"/api/v1/rules/{rule_id}").json()["drafted_at"],
        *(event["at"] for event in admin.get(f"/api/v1/rules/{rule_id}").json()["history"]),
    ]
    assert len(moments) >= 3
    for moment in moments:
        assert RFC3339_WITH_OFFSET.match(moment), moment


BAD_SEGMENTS = ("%00", str(2**64), "x" * 3000, "-1")
BAD_BODIES = (
    b"",
    b" ",
    b"null",
    b"[]",
    b'{"a": "\\u0000", "b": "\\ud800"}',
    b'{"a": 1e400, "b": 18446744073709551616}',
    b"\xff\xfe",
    b"[" * 3000 + b"]" * 3000,
)


@pytest.mark.usefixtures("unchanged")
def test_every_operation_refuses_a_corpus_of_bad_values(admin: httpx2.Client) -> None:
    """Each published operation, with every path and query parameter set to each bad value,
    and each body replaced by each bad body (as its own media type and as JSON): a 4xx
    problem or an answer, never a 5xx, and nothing stored."""
    spec = admin.get("/openapi.json").json()
    sent = 0
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for value in BAD_SEGMENTS:
                path = re.sub(r"{\w+}", value, template)
                query = "&".join(f"{name}={value}" for name in queries)
                response = admin.request(method, f"{path}?{query}" if query else path)
                sent += 1
                assert response.status_code < 500, (method, template, value, response.text)
            if "requestBody" not in operation:
                continue
            path = re.sub(r"{\w+}", "1", template)
            media_types = {*operation["requestBody"]["content"], "application/json"}
            for content, media_type in itertools.product(BAD_BODIES, sorted(media_types)):
                response = admin.request(
                    method, path, content=content, headers={"Content-Type": media_type}
                )
                sent += 1
                assert response.status_code < 500, (method, template, content[:40], media_type)
                if response.status_code >= 400:
                    assert response.headers["content-type"] == "application/problem+json"
    assert len(spec["paths"]) >= 70
    assert sent > 600
