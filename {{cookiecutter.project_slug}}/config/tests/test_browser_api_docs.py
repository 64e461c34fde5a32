"""The API's docs pages in a real browser: Swagger UI and Redoc, under the site's CSP.

The Django test client proves the pages are served with a strict policy (test_csp.py); only a
browser proves they then work: that every bundle loads and runs within that policy, that every
operation of the schema is listed, and that a reader can sign in and call the API from the page.
"""

import json
from typing import Any

import pytest
from csp.constants import NONE
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import (
    TEST_PASSWORD,
    UserFactory,
)

from tests.support.browser import WatchedPage, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
TOKEN_PATH = "/api/v1/auth/token/"
ME_PATH = "/api/v1/users/me/"


def schema_operations(page: Page, base_url: str) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    """The OpenAPI document the pages read, and its operations as (method, path)."""
    schema = page.request.get(f"{base_url}/api/schema/?format=json").json()
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    return schema, operations


def open_swagger_ui(browser_page: WatchedPage, base_url: str) -> Page:
    """Opens Swagger UI: every file loaded and run with nothing blocked, the operations listed.

    Fails (AssertionError) with what the browser saw, as soon as the page's scripts have run.
    """
    page = browser_page.page
    page.goto(f"{base_url}/api/docs/", wait_until="load")
    browser_page.assert_clean()
    page.locator(".opblock").first.wait_for()
    return page


def operation(page: Page, method: str, path: str) -> Locator:
    """One operation's block in Swagger UI, expanded, with "Try it out" pressed."""
    block = page.locator(f".opblock-{method}").filter(
        has=page.locator(f'.opblock-summary-path[data-path="{path}"]')
    )
    block.locator(".opblock-summary-control").click()
    block.locator("button.try-out__btn").click()
    return block


def execute(block: Locator, body: str | None = None) -> tuple[int, str]:
    """Executes the operation from its block (with `body` typed in) and reads the live answer."""
    if body is not None:
        block.locator("textarea.body-param__text").fill(body)
    block.locator("button.execute").click()
    answer = block.locator(".live-responses-table tbody tr.response").first
    answer.wait_for()
    # "200", or "500\nUndocumented" for a status the schema does not list.
    status = answer.locator(".response-col_status").inner_text().split()[0]
    return int(status), answer.locator(".response-col_description pre").first.inner_text()


def test_swagger_ui_lists_every_operation_with_nothing_blocked(
    live_server: LiveServer, browser_page: WatchedPage
) -> None:
    _, expected = schema_operations(browser_page.page, live_server.url)
    page = open_swagger_ui(browser_page, live_server.url)
    listed = {
        (
            block.get_attribute("class").split("opblock-", 2)[-1].split()[0],  # type: ignore[union-attr]
            block.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.locator(".opblock").all()
    }
    assert listed == expected
    save_screenshot(page, "swagger-ui")
    browser_page.assert_clean()


def test_a_token_from_try_it_out_authorizes_a_call_from_the_page(
    live_server: LiveServer, browser_page: WatchedPage
) -> None:
    user: User = UserFactory.create()
    page = open_swagger_ui(browser_page, live_server.url)

    status, body = execute(
        operation(page, "post", TOKEN_PATH),
        json.dumps({"email": user.email, "password": TEST_PASSWORD}),
    )
    assert status == 200, body
    access = json.loads(body)["access"]

    page.locator(".auth-wrapper button.authorize").click()
    scheme = page.locator(".auth-container").filter(has_text="jwtAuth")
    scheme.locator("input").fill(access)
    scheme.locator("button.authorize").click()
    page.locator(".modal-ux button.btn-done").first.click()

    status, body = execute(operation(page, "get", ME_PATH))
    assert status == 200, body
    assert json.loads(body)["email"] == user.email
    browser_page.assert_clean()


def test_an_invalid_body_shows_the_apis_json_error(
    live_server: LiveServer, browser_page: WatchedPage
) -> None:
    browser_page.watched.expect_status(400)
    page = open_swagger_ui(browser_page, live_server.url)
    status, body = execute(operation(page, "post", TOKEN_PATH), '{"email": "not an address"}')
    assert status == 400
    assert json.loads(body) == {"password": ["This field is required."]}
    browser_page.assert_clean()


def test_swagger_ui_under_a_policy_without_its_scripts_fails_the_check(
    live_server: LiveServer, browser_page: WatchedPage, settings: Any
) -> None:
    # The check above can fail: the same page under a policy that no longer allows this
    # server's scripts renders nothing and reports the blocked bundle.
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {**policy["DIRECTIVES"], "script-src": [NONE]},
    }
    with pytest.raises(AssertionError, match=r"CSP: script-src(-elem)? blocked .*swagger-ui"):
        open_swagger_ui(browser_page, live_server.url)
    assert browser_page.page.locator(".opblock").count() == 0


def request_body_fields(schema: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    """The top-level field names of an operation's JSON request body (none without one)."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        return set()
    definition = body["schema"]
    if "$ref" in definition:
        definition = schema["components"]["schemas"][definition["$ref"].rsplit("/", 1)[-1]]
    return set(definition.get("properties", {}))


def test_redoc_renders_every_operation_and_its_body_with_nothing_blocked(
    live_server: LiveServer, browser_page: WatchedPage
) -> None:
    page = browser_page.page
    schema, expected = schema_operations(page, live_server.url)
    page.goto(f"{live_server.url}/api/redoc/")
    sections = page.locator('[data-section-id^="operation/"]')
    sections.first.wait_for()
    rendered = {
        section.get_attribute("data-section-id").removeprefix("operation/"): section  # type: ignore[union-attr]
        for section in sections.all()
    }
    operations = {
        schema["paths"][path][method]["operationId"]: schema["paths"][path][method]
        for method, path in expected
    }
    assert set(rendered) == set(operations)
    for operation_id, operation in operations.items():
        # Each request body's schema is drawn with its fields (no "Invalid reference" box).
        text = rendered[operation_id].inner_text()
        missing = {name for name in request_body_fields(schema, operation) if name not in text}
        assert not missing, f"{operation_id}: {missing} not shown"
    save_screenshot(page, "redoc")
    browser_page.assert_clean()


def test_the_browsable_api_runs_under_the_policy(
    live_server: LiveServer, browser_page: WatchedPage
) -> None:
    # DRF's HTML pages (outside production): only their inline styles are allowed
    # (core/api/renderers.py); its scripts are files, and nothing is blocked.
    page = browser_page.page
    browser_page.watched.expect_status(405)  # the token view's GET: the page with its POST form
    for path in ("/api/v1/", TOKEN_PATH):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(".response-info")).to_be_visible()
    expect(page.locator("form textarea")).to_be_visible()
    browser_page.assert_clean()
