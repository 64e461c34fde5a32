"""A real browser for tests: Chromium driven by Playwright, watching what a user would see break.

The pages people look at (the API's docs, the project's HTML pages) are opened in Chromium against
the test server (pytest-django's `live_server`, which serves the static files too), under the
site's real Content-Security-Policy. Each page is watched for what the Django test client cannot
see: a console error, an uncaught exception, a resource the policy blocked, a request that failed
or went to another host. axe-core checks a page's accessibility.

Chromium: BROWSER_EXECUTABLE, else the one `uv run playwright install chromium` downloaded (made
for this Playwright), else `chromium` on the PATH (Debian's package: `apt-get install chromium`).
Without any, the browser tests are skipped, saying so. BROWSER_SCREENSHOTS_DIR, when set,
receives a screenshot of each page a test names (the template's docs show the latest).
https://playwright.dev/python/docs/api/class-browsertype#browser-type-launch
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    Route,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

# Headless, and quiet: no update checks, sync or first-run pages making requests of their own.
CHROMIUM_ARGS = (
    "--no-sandbox",  # a container's root user has none to give
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
# What a page may fetch from another site, and the stand-in the test answers with: tests never
# depend on a third party's server (and this machine may have no internet). Each allowed origin
# is also in the page's Content-Security-Policy, which the tests check.
STAND_INS = {
    # Redoc's attribution logo in its sidebar (config/urls.py allows it on the Redoc page).
    "https://cdn.redoc.ly/redoc/logo-mini.svg": (
        "image/svg+xml",
        '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
    ),
}
PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000  # any single wait: a page of this server renders in well under a second

# Reports each Content-Security-Policy violation to the test (an exposed binding survives
# navigation; the listener is installed before any page script runs, outside the policy).
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "an inline resource"}` +
      ` in ${event.documentURI}`
  );
});
"""


def launch_chromium(playwright: Playwright) -> Browser:
    """Chromium, headless: BROWSER_EXECUTABLE, Playwright's own download, or the system's.

    Skips the test (pytest.skip, with how to install one) when there is none.
    """

    def launch(executable: str | None) -> Browser:
        return playwright.chromium.launch(
            executable_path=executable, args=list(CHROMIUM_ARGS), headless=True
        )

    if explicit := os.environ.get("BROWSER_EXECUTABLE"):
        return launch(explicit)
    try:
        return launch(None)  # Playwright's own, if downloaded
    except PlaywrightError as error:
        if "Executable doesn't exist" not in error.message:
            raise
    if system := shutil.which("chromium") or shutil.which("chromium-browser"):
        return launch(system)
    pytest.skip(
        "needs Chromium: `apt-get install chromium`, `uv run playwright install chromium`, "
        "or BROWSER_EXECUTABLE"
    )


@dataclass
class Watched:
    """What went wrong on a page, as a user's browser would have shown it (or hidden it)."""

    expected_statuses: set[int] = field(default_factory=set)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    left_the_site: list[str] = field(default_factory=list)

    def expect_status(self, status: int) -> None:
        """A response with this status is part of the test (a bad body sent on purpose)."""
        self.expected_statuses.add(status)

    def on_console(self, message: ConsoleMessage) -> None:
        # Chromium also logs each response of 400 or more as a console error, with its status.
        if message.type == "error" and not any(
            f"status of {status}" in message.text for status in self.expected_statuses
        ):
            self.console_errors.append(message.text)

    def on_response(self, response: Response) -> None:
        if response.status >= 400 and response.status not in self.expected_statuses:
            self.failed_requests.append(f"{response.url}: {response.status}")

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"uncaught: {text}" for text in self.page_errors),
            *(f"CSP: {text}" for text in self.csp_violations),
            *(f"request: {text}" for text in self.failed_requests),
            *(f"request to another site: {url}" for url in self.left_the_site),
        ]


def elsewhere(url: str) -> bool:
    """A URL on another host than the test server's (which listens on localhost)."""
    return urlsplit(url).hostname not in LOCAL_HOSTS


@dataclass
class WatchedPage:
    page: Page
    watched: Watched

    def assert_clean(self) -> None:
        """Fails (AssertionError) listing every problem seen since the page opened."""
        problems = self.watched.problems()
        assert not problems, "the browser saw:\n" + "\n".join(problems)


def watch(page: Page) -> Watched:
    """Records the page's console errors, exceptions, CSP violations and failed requests.

    A response of 400 or more counts as failed unless the test expects its status
    (Watched.expect_status).
    """
    watched = Watched()
    page.on("console", watched.on_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: watched.failed_requests.append(f"{request.url}: {request.failure}"),
    )
    page.on("response", watched.on_response)
    page.expose_binding(
        "reportCspViolation", lambda _source, text: watched.csp_violations.append(text)
    )
    page.add_init_script(REPORT_CSP)
    page.route(elsewhere, lambda route: stand_in(route, watched))
    return watched


def stand_in(route: Route, watched: Watched) -> None:
    """Answers an allowed request to another site with its stand-in; refuses and records others."""
    url = route.request.url
    if url in STAND_INS:
        content_type, body = STAND_INS[url]
        route.fulfill(status=200, content_type=content_type, body=body)
    else:
        watched.left_the_site.append(url)
        route.abort("blockedbyclient")


@cache
def axe_source() -> str:
    """axe-core's script (650 KB), read once per test process."""
    return AXE.read_text()


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each.

    axe-core comes from the npm registry (package.json; `npm ci`, as `make install` runs it)
    and is run by the test through the DevTools protocol, which the page's CSP does not govern.
    Minor and moderate findings are left to review. https://github.com/dequelabs/axe-core
    """
    if not AXE.exists():
        pytest.skip(
            f"needs axe-core for the accessibility check: `npm ci` (installs "
            f"{AXE.relative_to(PROJECT_ROOT)}); the page's other checks passed"
        )
    page.evaluate(axe_source())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in AXE_FAILING_IMPACTS
    ]


def save_screenshot(page: Page, name: str) -> None:
    """Saves the page as <BROWSER_SCREENSHOTS_DIR>/<name>.png, when that variable is set."""
    if directory := os.environ.get("BROWSER_SCREENSHOTS_DIR"):
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(directory) / f"{name}.png")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module's tests (each test gets a fresh context)."""
    # Playwright's sync API keeps an asyncio loop in this thread (in a greenlet) while it runs,
    # and Django refuses ORM calls from a thread with a running loop. The tests' own database
    # calls are plain synchronous code, so they are allowed while the browser is up, as
    # Playwright's docs advise. https://playwright.dev/python/docs/test-runners#django
    with pytest.MonkeyPatch.context() as monkeypatch, sync_playwright() as playwright:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # undone however this ends
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[WatchedPage]:
    """A fresh page (no cookies, no storage) of 1280x800, watched from before its first load."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield WatchedPage(page, watch(page))
    context.close()
