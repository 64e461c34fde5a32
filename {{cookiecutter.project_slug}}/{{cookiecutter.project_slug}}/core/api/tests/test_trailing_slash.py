"""A request to an API path without its trailing slash: never a redirect that loses the body.

Found in the field: POST /api/v1/auth/token (no slash) was a 301 under production settings (the
client re-sent it as a GET, without the body) and a 500 with DEBUG on. A GET or HEAD is still
redirected (nothing is lost); any other method gets a JSON 404 naming the path with the slash.
Checked for every route walked from the URLconf but the admin's (an HTML site, whose catch-all
view redirects by itself).
"""

import re

import django.conf
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:\w+:)?\w+>")


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    """Every route ending in a slash, converters filled with 1: ["api/v1/users/me/", ...]."""
    found: list[str] = []
    for entry in patterns:
        route = prefix + CONVERTER.sub("1", str(entry.pattern))
        if route.startswith(django.conf.settings.ADMIN_URL):
            continue
        if isinstance(entry, URLResolver):
            found += routes(entry.url_patterns, route)
        elif route.endswith("/"):
            found.append(route)
    return found


API_ROUTES = sorted(set(routes(get_resolver().url_patterns)))


def test_the_walk_finds_the_api_routes() -> None:
    assert "api/v1/auth/token/" in API_ROUTES
    assert "health/live/" in API_ROUTES
{%- if cookiecutter.use_graphql == "y" %}
    assert "graphql/" in API_ROUTES
{%- endif %}
    assert len(API_ROUTES) >= 5


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("route", API_ROUTES)
def test_a_body_carrying_request_without_the_slash_gets_a_json_404_naming_the_path(
    client: Client, settings, route: str, method: str, debug: bool
) -> None:
    settings.DEBUG = debug
    path = "/" + route.rstrip("/")
    response = getattr(client, method)(path, "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"Not found. Did you mean {path}/ (with a slash)?",
        "code": "not_found",
    }


def test_the_token_endpoint_without_its_slash_says_where_it_is(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token", {"email": "a@example.com", "password": "x"}, "application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "Not found. Did you mean /api/v1/auth/token/ (with a slash)?"
    )


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_get_without_the_slash_is_still_redirected(client: Client, method: str) -> None:
    response = getattr(client, method)("/api/v1/auth/token?next=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/auth/token/?next=1"


def test_an_unknown_path_is_a_plain_json_404(client: Client) -> None:
    response = client.post("/api/v1/no-such-thing", "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
