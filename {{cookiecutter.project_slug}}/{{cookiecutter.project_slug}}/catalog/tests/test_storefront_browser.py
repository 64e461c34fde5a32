"""The storefront in a real browser: by mouse and by keyboard, under the site's CSP, accessible.

The Django test client proves what the pages hold (test_storefront.py); this proves a visitor can
use them: follow the links and the pages, search, reach everything with the keyboard alone, with
nothing blocked by the Content-Security-Policy and no serious accessibility fault (axe-core).
"""

from urllib.parse import urldefrag, urljoin

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.support.browser import WatchedPage, accessibility_violations, save_screenshot
from tests.support.html_page import resources

from .factories import CategoryFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAMPS = 24  # with the tent: two pages of 20
MAX_TABS = 40  # presses of Tab to reach any control of a page
MAX_PAGES = 100  # the link walk's bound: every page of the test's catalogue, with room to spare


@pytest.fixture
def shop(live_server: LiveServer) -> str:
    """A catalogue of two pages, one product of which is a tent; the shop's address."""
    lighting = CategoryFactory.create(name="Lighting", slug="lighting")
    for number in range(LAMPS):
        ProductFactory.create(name=f"Desk lamp {number:02}", category=lighting)
    ProductFactory.create(
        name="Trail tent", category=CategoryFactory.create(name="Camping", slug="camping")
    )
    return f"{live_server.url}/shop/"


def tab_to(page: Page, name: str) -> None:
    """Presses Tab until the focused element's text (or label) is `name`; fails if never."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText).trim(); }"
        )
        if focused == name:
            return
    pytest.fail(f"{name!r} cannot be reached with Tab")


def test_list_pages_search_and_detail_by_clicking(shop: str, browser_page: WatchedPage) -> None:
    page = browser_page.page
    page.goto(shop)
    expect(page.locator("p.count")).to_have_text("25 products, page 1 of 2")
    save_screenshot(page, "storefront")

    page.get_by_role("link", name="Next").click()
    expect(page.locator('[aria-current="page"]')).to_have_text("2")
    expect(page.locator("ul.products li")).to_have_count(5)

    page.get_by_role("link", name="Desk lamp 00").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Desk lamp 00")
    page.get_by_role("link", name="Lighting").click()  # the breadcrumb: the category's list
    expect(page.locator("p.count")).to_have_text("24 products, page 1 of 2")

    page.get_by_label("Search").fill("tent")
    page.get_by_label("Category").select_option("")
    page.get_by_role("button", name="Show products").click()
    expect(page.locator("ul.products a")).to_have_text(["Trail tent"])
    browser_page.assert_clean()


def test_every_link_of_every_page_leads_somewhere(shop: str, browser_page: WatchedPage) -> None:
    # Every page reachable from the list by its links (the pages, the categories, each product,
    # the breadcrumbs, the header) is fetched once, as the browser resolves its links; each must
    # answer 200. (Rendering each is the other tests' work: here only the links are followed.)
    request = browser_page.page.request
    seen: set[str] = set()
    queue = [shop]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = request.get(url)
        assert response.status == 200, url
        hrefs = [link.attrs.get("href") or "" for link in resources(response.text()).find("a")]
        queue.extend(
            link for href in hrefs if (link := urldefrag(urljoin(url, href)).url).startswith(shop)
        )
    assert len(seen) > 2 + LAMPS  # two list pages, every product and the category lists


def test_everything_is_reachable_by_keyboard(shop: str, browser_page: WatchedPage) -> None:
    page = browser_page.page
    page.goto(shop)
    page.keyboard.press("Tab")  # the first stop is the skip link, which moves focus to the content
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to(page, "Next")
    page.keyboard.press("Enter")
    expect(page.locator('[aria-current="page"]')).to_have_text("2")

    tab_to(page, "Search")
    page.keyboard.type("tent")
    page.keyboard.press("Enter")  # submits the form
    expect(page.locator("ul.products a")).to_have_text(["Trail tent"])
    tab_to(page, "Trail tent")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trail tent")
    browser_page.assert_clean()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("", 200),
        ("?page=2", 200),
        ("?search=tent", 200),
        ("?search=nothing-matches", 200),
        ("?page=x", 400),
        ("no-such-page/", 404),
    ],
)
def test_no_serious_accessibility_violation(
    shop: str, browser_page: WatchedPage, path: str, status: int
) -> None:
    browser_page.watched.expect_status(status)
    assert browser_page.page.goto(shop + path).status == status  # type: ignore[union-attr]
    browser_page.assert_clean()
    assert accessibility_violations(browser_page.page) == []


def test_a_products_page_has_no_serious_accessibility_violation(
    shop: str, browser_page: WatchedPage
) -> None:
    page = browser_page.page
    page.goto(shop)
    page.get_by_role("link", name="Trail tent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trail tent")
    browser_page.assert_clean()
    assert accessibility_violations(page) == []


def test_the_accessibility_check_finds_a_field_without_a_label(
    shop: str, browser_page: WatchedPage
) -> None:
    # The check above can fail: the same page with its search field's label taken away.
    page = browser_page.page
    page.goto(shop)
    page.evaluate("document.querySelector('label[for=search]').remove()")
    assert any("label" in violation for violation in accessibility_violations(page))
