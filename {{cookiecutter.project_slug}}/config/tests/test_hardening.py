"""Hardened defaults, checked as a server loads them: production settings in a fresh interpreter.

One probe serves requests through Django's test client under production settings and reports
headers, redirects, CORS answers, the password hasher and the admin's address.
"""

import json
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.fresh_process import run_in_production

PRODUCTION = {  # over PRODUCTION_ENV (tests/support/fresh_process.py)
    "ALLOWED_HOSTS": "api.example.com",
    "DJANGO_ADMIN_URL": "ops-k3y7/",
    "CORS_ALLOWED_ORIGINS": "https://app.example.com",
}
PROBE = """
import json
import django
django.setup()
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.urls import reverse

client = Client(HTTP_HOST="api.example.com")
api = client.get("/api/v1/", secure=True)
plain = client.get("/api/v1/")
browser = client.get("/api/v1/", secure=True, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
probe = client.get("/health/live/", HTTP_HOST="127.0.0.1:8000")  # plain HTTP, by address
allowed = client.options(
    "/api/v1/", secure=True, HTTP_ORIGIN="https://app.example.com",
    HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
)
foreign = client.options(
    "/api/v1/", secure=True, HTTP_ORIGIN="https://evil.example",
    HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
)
print(json.dumps({
    "headers": dict(api.headers),
    "plain": [plain.status_code, plain.headers.get("Location")],
    "browser": [browser.status_code, browser.headers["Content-Type"]],
    "probe": probe.status_code,
    "cors_allowed": allowed.headers.get("Access-Control-Allow-Origin"),
    "cors_foreign": foreign.headers.get("Access-Control-Allow-Origin"),
    "hasher": get_hasher().algorithm,
    "admin": reverse("admin:index"),
    "old_admin": client.get("/admin/", secure=True).status_code,
}))
"""


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    result = run_in_production(PROBE, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_production_answers_json_even_to_a_browser(production: dict[str, Any]) -> None:
    # No browsable API in production: its HTML forms are for local development.
    assert production["browser"] == [200, "application/json"]


def test_production_sends_the_security_headers(production: dict[str, Any]) -> None:
    headers = production["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # The policy's full text is test_csp.py's; here, that production sends it.
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_production_redirects_plain_http_to_https(production: dict[str, Any]) -> None:
    assert production["plain"] == [301, "https://api.example.com/api/v1/"]
    assert production["probe"] == 200  # health probes are answered, not redirected


def test_cors_answers_only_the_listed_origins(production: dict[str, Any]) -> None:
    assert production["cors_allowed"] == "https://app.example.com"
    assert production["cors_foreign"] is None


def test_passwords_are_hashed_with_argon2(production: dict[str, Any]) -> None:
    assert production["hasher"] == "argon2"


@pytest.mark.parametrize("weak", ["short1", "12345678901", "password123", "ada.lovelace"])
def test_weak_passwords_are_refused_by_the_validators(weak: str) -> None:
    # Django's forms and createsuperuser call these; code that sets a password must call them too.
    with pytest.raises(ValidationError):
        validate_password(weak, user=User(email="ada.lovelace@example.com"))


def test_a_long_unusual_password_passes_the_validators() -> None:
    validate_password("correct-horse-battery-staple-42", user=User(email="ada@example.com"))


def test_the_admin_lives_at_the_address_from_the_environment(production: dict[str, Any]) -> None:
    assert production["admin"] == "/ops-k3y7/"
    assert production["old_admin"] == 404


def test_a_bad_admin_address_stops_the_start() -> None:
    result = run_in_production(PROBE, **PRODUCTION | {"DJANGO_ADMIN_URL": "/admin"})
    assert result.returncode != 0
    assert "DJANGO_ADMIN_URL must look like 'admin/'" in result.stderr


def test_cors_is_closed_by_default(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/", HTTP_ORIGIN="https://app.example.com")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_the_api_takes_json_only_so_no_upload_reaches_the_disk(api_client: APIClient) -> None:
    upload = SimpleUploadedFile("big.bin", b"x" * (3 * 1024 * 1024))  # over the in-memory limit
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": "a@example.com", "password": "x", "file": upload},
        format="multipart",
    )
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported media type")


def test_an_oversized_body_is_refused_with_a_json_400(api_client: APIClient) -> None:
    body = json.dumps({"email": "a@example.com", "password": "x" * (2 * 1024 * 1024)})
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is too large.", "code": "too_large"}
