"""The API's plumbing: public docs and root, and every error a client can cause answered as JSON."""

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_script_prefix
from django.urls import get_resolver
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from {{ cookiecutter.project_slug }}.core.api.exceptions import (
    api_exception_handler,
)
from {{ cookiecutter.project_slug }}.core.exceptions import (
    ApplicationError,
    ConflictError,
)

from tests.support.fresh_process import run_with_settings


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/api/schema/", "/api/v1/"])
def test_docs_schema_and_api_root_are_public(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200


def test_docs_can_be_restricted_to_staff_from_the_environment() -> None:
    # The permission is fixed when the views load, so probe a fresh process, as a deploy would.
    probe = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client(HTTP_HOST='localhost').get('/api/schema/').status_code)"
    )
    result = run_with_settings(
        probe, settings_module="config.settings.test", env={"API_DOCS_PUBLIC": "false"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "401"


def test_docs_assets_are_served_locally_not_from_a_cdn(client: Client) -> None:
    html = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr.net" not in html
    assert "drf_spectacular_sidecar" in html


def test_api_root_links_every_resource(client: Client) -> None:
    links = client.get("/api/v1/").json()
    assert {"docs", "redoc", "schema", "token", "me"} <= set(links)


def test_api_root_links_are_absolute_on_the_host_and_prefix_the_request_came_by(
    client: Client,
) -> None:
    # The paths are reversed once per process: the host and a script prefix still come from
    # each request.
    for host, prefix in (("testserver", ""), ("localhost", ""), ("testserver", "/shop")):
        with override_script_prefix(prefix + "/"):
            links = client.get("/api/v1/", HTTP_HOST=host).json()
        assert links["me"] == f"http://{host}{prefix}/api/v1/users/me/"
        assert links["docs"] == f"http://{host}{prefix}/api/docs/"


def _handle(exc: Exception) -> Response | None:
    request = APIRequestFactory().get("/")
    return api_exception_handler(exc, {"request": request, "view": None})


def test_application_errors_become_400_with_a_detail() -> None:
    response = _handle(ApplicationError("Nope.", extra={"field": "x"}))
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"detail": "Nope.", "code": "invalid", "field": "x"}


def test_conflicts_become_409() -> None:
    response = _handle(ConflictError("Taken."))
    assert response is not None
    assert response.status_code == 409


def test_model_validation_errors_become_400() -> None:
    response = _handle(DjangoValidationError({"price": ["Must not be negative."]}))
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"price": ["Must not be negative."]}


def test_unknown_errors_are_left_to_django() -> None:
    assert _handle(RuntimeError("boom")) is None


def test_a_lost_database_is_a_retryable_503_not_a_500() -> None:
    response = _handle(OperationalError("connection refused"))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data["code"] == "unavailable"


def test_errors_django_answers_itself_are_json_for_api_clients() -> None:
    resolver = get_resolver()
    request = APIRequestFactory().get("/api/v1/")
    answers = {}
    for status in (400, 403, 404, 500):
        handler: Callable[..., HttpResponse] = resolver.resolve_error_handler(status)
        kwargs = {} if status == 500 else {"exception": Exception()}
        answers[status] = handler(request, **kwargs)
    for status, response in answers.items():
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        body = json.loads(response.content)
        assert set(body) == {"detail", "code"}, body


@pytest.mark.parametrize("path", ["/no-such-page/", "/api/v1/no-such-resource/"])
def test_an_unknown_url_is_a_json_404_not_an_html_page(client: Client, path: str) -> None:
    # The test settings keep DEBUG off, so this is the page production serves.
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
