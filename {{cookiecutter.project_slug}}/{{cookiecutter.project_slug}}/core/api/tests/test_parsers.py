"""Every JSON body has a bound on size, nesting depth and value count; past one it is a 400.

Found in the field: a 6 KB body nested 3,000 levels deep (`[[[...]]]`) was a 500 (RecursionError
in Python's json) and a traceback per request, on every endpoint that reads JSON.
"""

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.core.api.parsers import json_depth_and_count

from tests.support.fresh_process import http_call, running_gunicorn

pytestmark = pytest.mark.django_db

DEPTH_LIMIT = 32


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post(client: Client, path: str, body: str) -> tuple[int, dict[str, object]]:
    response = client.post(path, body, content_type="application/json")
    return response.status_code, response.json()


ENDPOINTS: list[tuple[str, Callable[[str], str]]] = [
    ("/api/v1/auth/token/", lambda inner: inner),
{%- if cookiecutter.example_app == "catalog" %}
    ("/api/v1/orders/", lambda inner: '{"items": ' + inner + "}"),
{%- endif %}
{%- if cookiecutter.use_graphql == "y" %}
    ("/graphql/", lambda inner: inner),
    ("/graphql/", lambda inner: '{"query": "{ me { id } }", "variables": {"v": ' + inner + "}}"),
{%- endif %}
]
ENDPOINT_IDS = [
    "token",
{%- if cookiecutter.example_app == "catalog" %}
    "orders",
{%- endif %}
{%- if cookiecutter.use_graphql == "y" %}
    "graphql-body",
    "graphql-variables",
{%- endif %}
]


@pytest.mark.parametrize("depth", [1_000, 3_000, 100_000])
@pytest.mark.parametrize(("path", "wrap"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_deep_nesting_is_a_400_that_says_so_and_logs_no_error(
    signed_in_client: Client,  # some endpoints read the body only for a signed-in user
    caplog: pytest.LogCaptureFixture,
    path: str,
    wrap: Callable[[str], str],
    depth: int,
) -> None:
    with caplog.at_level(logging.WARNING):
        status, body = post(signed_in_client, path, wrap(nested(depth)))
    assert (status, body) == (
        400,
        {"detail": f"The JSON body nests deeper than {DEPTH_LIMIT} levels."},
    )
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_nesting_up_to_the_limit_is_parsed_and_left_to_validation(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/v1/auth/token/", nested(DEPTH_LIMIT), content_type="application/json"
    )
    assert response.status_code == 400  # parsed: the serializer refuses a list
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_too_many_values_is_a_400(api_client: APIClient) -> None:
    body = json.dumps({"email": "a@example.com", "password": "x", "pad": [0] * 10_000})
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body holds more than 10000 values."}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"email": ', "JSON parse error"),
        ('{"email": NaN}', "JSON parse error"),
        ('{"n": ' + "9" * 5_000 + "}", "JSON parse error"),  # past int's digit limit
        (b'{"email": "\xff"}', "JSON parse error"),  # not UTF-8
    ],
    ids=["truncated", "nan", "huge-integer", "bad-encoding"],
)
def test_invalid_json_is_a_400(api_client: APIClient, body: str | bytes, detail: str) -> None:
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)


@pytest.mark.parametrize("charset", ["hex", "rot13", "base64", "zlib"])
def test_a_charset_that_is_no_text_encoding_is_a_400(api_client: APIClient, charset: str) -> None:
    """Found in the field: a 500 and a traceback per request, before any login."""
    response = api_client.generic(
        "POST",
        "/api/v1/auth/token/",
        '{"email": "a@example.com", "password": "x"}',
        content_type=f"application/json; charset={charset}",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": f"The charset {charset!r} is not a text encoding."}


def test_the_depth_walk_counts_containers_not_scalars() -> None:
    json_depth_and_count({"a": [1, {"b": 2}]}, max_depth=3, max_values=10)
    with pytest.raises(ParseError, match="deeper than 2"):
        json_depth_and_count({"a": [1, {"b": 2}]}, max_depth=2, max_values=10)
    with pytest.raises(ParseError, match="more than 4 values"):
        json_depth_and_count({"a": [1, {"b": 2}]}, max_depth=3, max_values=4)


@pytest.mark.django_db(transaction=True)
def test_through_gunicorn_bodies_past_a_bound_are_400s_without_a_traceback(
    tmp_path: Path,
) -> None:
    """A real server hands DRF the raw stream (no test-client buffering): the bounds hold there."""
    log = tmp_path / "gunicorn.log"
    with running_gunicorn(log, workers=1, RATELIMIT_LOGIN_IP="1000/m") as base:
        url = f"{base}/api/v1/auth/token/"
        deep = http_call(url, nested(3_000).encode())
        large = http_call(url, {"email": "a@example.com", "pad": "x" * 2_000_000})
        wrong_host = http_call(url, {}, headers={"Host": "scanner.example"})
    assert (deep.status, deep.body) == (
        400,
        {"detail": f"The JSON body nests deeper than {DEPTH_LIMIT} levels."},
    )
    assert (large.status, large.body) == (
        400,
        {"detail": "The request body is too large.", "code": "too_large"},
    )
    assert (wrong_host.status, wrong_host.body) == (
        400,
        {"detail": "Bad request.", "code": "bad_request"},
    )
    # Django logs a refused Host at ERROR with a traceback; here it is one warning line.
    lines = log.read_text().splitlines()
    assert "Traceback" not in "\n".join(lines)
    assert [line for line in lines if "scanner.example" in line and "WARNING" in line]
