"""The Content-Security-Policy, and the pages that must keep to it.

A policy is only worth its strictness if the project's own pages run under it, so the HTML pages
the project serves are parsed here: every script is a file from this server, never inline.
"""

from typing import Any

import pytest
from csp.constants import NONE, SELF
from csp.utils import build_policy
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests.support.html_page import resources

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(header: str) -> dict[str, str]:
    directives = (part.strip().partition(" ") for part in header.split(";") if part.strip())
    return {name: value for name, _, value in directives}


def test_every_response_carries_the_strict_policy(client: Client) -> None:
    for path in ("/api/v1/", f"/{settings.ADMIN_URL}login/", "/no-such-page/"):
        assert policy(client.get(path)["Content-Security-Policy"]) == STRICT, path


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", f"/{settings.ADMIN_URL}login/"])
def test_our_pages_load_only_files_from_this_server(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = resources(response.content.decode())
    assert page.sources, "the page loads its scripts and styles"
    assert all(src.startswith("/") and not src.startswith("//") for src in page.sources), (
        page.sources
    )
    if path != "/api/redoc/":  # Redoc's inline styles are the one allowance, below
        assert page.inline == []
    assert "<script>" not in response.content.decode()


def test_swagger_ui_start_script_is_a_file_from_the_same_view(client: Client) -> None:
    response = client.get("/api/docs/", {"script": ""})
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_only_redoc_may_use_inline_styles_and_its_makers_logo(client: Client) -> None:
    redoc = policy(client.get("/api/redoc/")["Content-Security-Policy"])
    assert redoc == STRICT | {
        "style-src": "'self' 'unsafe-inline'",
        "worker-src": "'self' blob:",
        "img-src": "'self' data: https://cdn.redoc.ly/redoc/logo-mini.svg",
    }


def test_the_site_icon_is_a_static_file(client: Client) -> None:
    # Browsers ask for /favicon.ico on every site whose pages name no icon.
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/core/favicon.svg"
    assert finders.find("core/favicon.svg")


def test_the_policy_built_once_is_django_csps_and_follows_the_settings(
    client: Client, settings: Any
) -> None:
    # core/csp.py builds the site's header once; it must be what django-csp builds, and change
    # when the settings do.
    assert client.get("/api/v1/")["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [NONE]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "EXCLUDE_URL_PREFIXES": ["/health/"],
        "DIRECTIVES": {"default-src": [SELF], "report-uri": "/csp-report/"},
    }
    response = client.get("/api/v1/")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Security-Policy-Report-Only"] == build_policy(report_only=True)
    assert "report-uri /csp-report/" in response["Content-Security-Policy-Report-Only"]
