"""The learning hub in a real browser: the strict build served on 127.0.0.1 to Chromium.

Every page of the built site loads with no console error, every request it makes is answered
(< 400) and none leaves 127.0.0.1, every internal link and `#anchor` resolves, every image has
loaded, every diagram (one per `docs/diagrams/*.dot`) is shown on a page and visible, and
Material's search finds a practice by name. The same checks are run on a page broken on purpose,
so they are seen to fail. A screenshot of the home page is left in build/screenshots/.

Playwright drives Debian's Chromium (`apt-get install chromium`): Playwright's own browser
downloads do not work here. Without Chromium the module is skipped, saying so.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urldefrag, urlsplit
from urllib.request import urlopen

import pytest
from conftest import SCREENSHOTS, TEMPLATE, UV, run
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    sync_playwright,
)

CHROMIUM = shutil.which("chromium")
# Debian's build, headless; nothing of its own reaching out (updates, sync, field trials).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOT = SCREENSHOTS / "hub.png"  # `make screenshots` copies it into docs/screenshots/
DIAGRAMS = sorted(path.stem for path in (TEMPLATE / "docs" / "diagrams").glob("*.dot"))
# A practice a reader would look for by name, and the page search must lead to.
SEARCHED = ("Rate limiting", "practices/rate-limiting/")

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (apt-get install chromium): the hub's browser tests "
        "need Debian's build, as Playwright cannot download its own here",
    ),
    # One worker builds the site, serves it and starts the browser once for the whole module.
    pytest.mark.xdist_group("hub-browser"),
]


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file server that keeps its access log to itself (and its connections open)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


# What a visit reads from a loaded page, in one round trip to the browser.
CONTENTS = """() => ({
    links: Array.from(document.querySelectorAll("a[href]"), a => a.href),
    anchors: Array.from(document.querySelectorAll("[id]"), element => element.id),
    brokenImages: Array.from(document.images)
        .filter(image => !image.complete || image.naturalWidth === 0)
        .map(image => image.getAttribute("src")),
})"""


@dataclass
class Visit:
    """What one page did in the browser, and what it holds."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)  # answered >= 400, or not at all
    outside_requests: list[str] = field(default_factory=list)  # to anything but the site
    links: set[str] = field(default_factory=set)  # every <a href>, resolved
    anchors: set[str] = field(default_factory=set)  # every element id: the page's #targets
    broken_images: list[str] = field(default_factory=list)
    diagrams: dict[str, bool] = field(default_factory=dict)  # diagram name -> seen on screen


Serve = Callable[[Path], str]


@pytest.fixture(scope="module")
def serve() -> Iterator[Serve]:
    """serve(folder) -> its base URL on 127.0.0.1 (a free port); servers stop with the module."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hub as `mkdocs build --strict` writes it (diagrams rendered by the build's hook)."""
    folder = tmp_path_factory.mktemp("hub") / "site"
    mkdocs = str(Path(UV).with_name("mkdocs"))
    run([mkdocs, "build", "--strict", "--site-dir", str(folder)], TEMPLATE, timeout=300)
    return folder


@pytest.fixture(scope="module")
def site_url(site: Path, serve: Serve) -> str:
    return serve(site)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def visit(page: Page, url: str) -> Visit:
    """Open `url` in `page` and record what it did: errors, requests, links, images, diagrams.

    A request to anything but the page's own host and port is recorded as outside (listened
    to, not intercepted: interception would turn the browser's cache off and slow every page).
    """
    report = Visit(url)
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(url))

    def on_request(request: Request) -> None:
        if not request.url.startswith((origin, "data:", "blob:")):
            report.outside_requests.append(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            report.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_page_error(error: Exception) -> None:
        report.console_errors.append(f"uncaught: {error}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            report.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request: Request) -> None:
        # Outside: reported as such. Aborted: still in flight when the next page was opened (the
        # search worker's index, say), which the load event does not wait for.
        if request.url not in report.outside_requests and request.failure != "net::ERR_ABORTED":
            report.failed_requests.append(f"{request.failure} {request.url}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    try:
        page.goto(url, wait_until="load")  # the page, its scripts, styles and images
        found = page.evaluate(CONTENTS)
        report.links, report.anchors = set(found["links"]), set(found["anchors"])
        report.broken_images = found["brokenImages"]
        images = page.locator("img[src*='diagrams/']")
        for index in range(images.count()):
            image = images.nth(index)
            name = Path(urlsplit(image.get_attribute("src") or "").path).stem
            report.diagrams[name] = on_screen(page, image)
    finally:
        page.remove_listener("request", on_request)
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_request_failed)
    return report


def on_screen(page: Page, element: Locator) -> bool:
    """Whether an element, scrolled to, is visible, has a size, and lies in the viewport."""
    if not element.is_visible():  # hidden: nothing to scroll to (Playwright would wait)
        return False
    element.scroll_into_view_if_needed(timeout=5_000)
    box = element.bounding_box()
    if box is None or box["width"] <= 0 or box["height"] <= 0:
        return False
    viewport = page.viewport_size or VIEWPORT
    inside_x = box["x"] < viewport["width"] and box["x"] + box["width"] > 0
    inside_y = box["y"] < viewport["height"] and box["y"] + box["height"] > 0
    return bool(inside_x and inside_y)


def broken_links(visits: list[Visit], base: str) -> list[str]:
    """Internal links whose target does not answer, or whose #anchor is not on its page.

    Each distinct target is fetched once; anchors are checked against the ids of the visited
    pages (a target that was not visited as a page is only fetched).
    """
    ids = {visit_.url: visit_.anchors for visit_ in visits}
    broken = []
    checked: dict[str, bool] = {}
    for visit_ in visits:
        for link in sorted(visit_.links):
            if not link.startswith(base):
                continue  # another site's page: not requested (offline), not checked here
            target, fragment = urldefrag(link)
            if target not in checked:
                checked[target] = answers(target)
            if not checked[target]:
                broken.append(f"{visit_.url}: {link}")
            elif fragment and target in ids and fragment not in ids[target]:
                broken.append(f"{visit_.url}: {link} (no such anchor)")
    return broken


def answers(url: str) -> bool:
    try:
        with urlopen(url, timeout=10) as response:  # the served site, on 127.0.0.1
            return int(response.status) < 400
    except HTTPError:
        return False


def site_pages(site: Path, base: str) -> list[str]:
    """Every page of the built site (its HTML files but the 404 page), as URLs."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative == "404.html":
            continue
        pages.append(base + relative.removesuffix("index.html"))
    return pages


@pytest.fixture(scope="module")
def visits(page: Page, site: Path, site_url: str) -> list[Visit]:
    return [visit(page, url) for url in site_pages(site, site_url)]


def test_every_page_loads_with_no_console_error_and_no_failed_request(
    visits: list[Visit],
) -> None:
    assert len(visits) > 30  # every page of the nav, not a handful
    problems = [
        f"{item.url}: {problem}"
        for item in visits
        for problem in item.console_errors + item.failed_requests
    ]
    assert problems == []


def test_no_page_requests_anything_from_outside_the_site(visits: list[Visit]) -> None:
    """Material's default fonts come from Google: `theme.font: false` keeps the hub offline."""
    outside = [f"{item.url}: {request}" for item in visits for request in item.outside_requests]
    assert outside == []


def test_every_internal_link_and_anchor_resolves(visits: list[Visit], site_url: str) -> None:
    assert sum(len(item.links) for item in visits) > 1000
    assert broken_links(visits, site_url) == []


def test_every_image_loads(visits: list[Visit]) -> None:
    broken = [f"{item.url}: {src}" for item in visits for src in item.broken_images]
    assert broken == []


def test_every_diagram_is_shown_and_visible(visits: list[Visit], site: Path) -> None:
    """Each docs/diagrams/*.dot is an SVG of the site, on a page, drawn on screen."""
    assert DIAGRAMS, "no diagram sources in docs/diagrams/"
    shown: dict[str, list[bool]] = {}
    for item in visits:
        for name, visible in item.diagrams.items():
            shown.setdefault(name, []).append(visible)
    assert sorted(shown) == DIAGRAMS
    assert {name: all(seen) for name, seen in shown.items()} == dict.fromkeys(DIAGRAMS, True)
    for name in DIAGRAMS:
        svg = (site / "diagrams" / f"{name}.svg").read_text()
        assert svg.startswith("<svg"), name
        # Nothing in the drawing points anywhere: only XML namespace names, never fetched.
        addresses = {word for word in svg.split('"') if word.startswith(("http:", "https:"))}
        assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, name
        assert "<script" not in svg
    assert not list(site.rglob("*.dot"))  # the sources stay out of the site


def test_search_finds_a_practice_by_name(page: Page, site_url: str) -> None:
    """Material's search (a web worker on the site's own index) leads to the practice's page."""
    name, path = SEARCHED
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.fill(name)
    results = page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=10_000)
    hrefs = results.evaluate_all("links => links.map(link => link.href)")
    targets = [urlsplit(href).path for href in hrefs]
    assert f"/{path}" in targets


def test_a_screenshot_of_the_home_page(page: Page, site_url: str) -> None:
    page.goto(site_url, wait_until="load")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")


def test_the_checks_report_a_page_broken_on_purpose(
    page: Page, serve: Serve, tmp_path: Path
) -> None:
    """A console error, a thrown error, a missing file, an image that does not load, a request to
    another host, a dead link, a missing anchor and a hidden diagram: each one reported."""
    (tmp_path / "diagrams").mkdir()
    (tmp_path / "diagrams" / "drawn.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" '
        'height="20"/></svg>'
    )
    (tmp_path / "index.html").write_text(
        """<!doctype html><html><head><title>broken</title>
        <script>console.error("deliberate console error")</script>
        <script>throw new Error("deliberate uncaught error")</script>
        <link rel="stylesheet" href="missing.css">
        <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
        </head><body><h1 id="top">Broken on purpose</h1>
        <a href="missing/">dead link</a> <a href="#nowhere">missing anchor</a>
        <a href="#top">fine anchor</a>
        <img src="missing.png" alt="broken image">
        <img src="diagrams/drawn.svg" alt="a hidden diagram" style="display: none">
        </body></html>"""
    )
    base = serve(tmp_path)
    report = visit(page, base)
    assert any("deliberate console error" in error for error in report.console_errors)
    assert any("deliberate uncaught error" in error for error in report.console_errors)
    assert any(failed.endswith("missing.css") for failed in report.failed_requests)
    assert any(src == "missing.png" for src in report.broken_images)
    assert any("fonts.googleapis.com" in url for url in report.outside_requests)
    assert report.diagrams == {"drawn": False}
    assert sorted(broken_links([report], base)) == [
        f"{base}: {base}#nowhere (no such anchor)",
        f"{base}: {base}missing/",
    ]
