"""The storefront's views: read the query, call the selectors, render a template, cache the HTML.

Each page is kept as the HTML sent, under the namespaces of the API's cached responses
(caching.py): the writes that invalidate the API's product list and detail invalidate these pages
too, and a hit runs no query. One copy is right for every visitor because no page holds anything
about the visitor: templates are rendered without the request (no user, no session, no CSRF
token; the search form is a GET), and no link names the host, so the host is not in the key.
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from {{ cookiecutter.project_slug }}.core.cache import fingerprint, get_or_build

from .. import caching, popularity, selectors
from ..html import clean_description
from ..models import Product
from .query import BadParameter, ListQuery, list_query, list_query_string

PAGE_SIZE = 20
STYLESHEET = "catalog/storefront.css"
TEMPLATES = "catalog/storefront/"


def cached_html(namespaces: list[str], parts: tuple[object, ...], build: Callable[[], str]) -> str:
    """The page for `parts` from the cache, or `build()` stored under `namespaces`.

    The language and the stylesheet's URL are in the key: after a release the stylesheet's
    hashed name changes (production's manifest storage), and a page cached before it would link
    a file the new image no longer serves.
    """
    key = fingerprint(*parts, get_language(), static(STYLESHEET))
    return get_or_build(
        namespaces, f"html:shop:{key}", build, timeout=settings.CATALOG_CACHE_SECONDS
    )


def render(template: str, context: dict[str, Any]) -> str:
    """The template rendered without the request, so it can hold nothing about the visitor.

    The stylesheet's URL comes from the same call as the cache key's (cached_html).
    """
    return render_to_string(TEMPLATES + template, context | {"stylesheet": static(STYLESHEET)})


def error_page(status: int, message: str) -> HttpResponse:
    """A page with one line saying what was wrong (never cached: errors cost no cache entry)."""
    title = {400: "Bad request", 404: "Not found"}[status]
    context = {"title": title, "message": message}
    return HttpResponse(render("error.html", context), status=status)


def category_options(
    nodes: list[selectors.CategoryNode], depth: int = 0
) -> Iterator[tuple[str, str]]:
    """The category tree as (slug, label) in tree order, each level indented by a dash."""
    for node in nodes:
        yield node["slug"], "\u2014 " * depth + node["name"]
        yield from category_options(node["children"], depth + 1)


def page_links(page: Page[Product], query: ListQuery) -> list[dict[str, Any]]:
    """Links to nearby pages: number, url ("" for an ellipsis) and whether it is this page."""
    elided = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return [
        {
            "number": n,
            "url": query.url(n) if isinstance(n, int) else "",
            "current": n == page.number,
        }
        for n in elided
    ]


def list_html(query: ListQuery) -> str:
    """The list page; EmptyPage past the last page. Three queries: count, rows, categories."""
    page = Paginator(query.filterset.qs, PAGE_SIZE).page(query.page)
    return render(
        "product_list.html",
        {
            "query": query,
            "page": page,
            "page_links": page_links(page, query),
            "previous_url": query.url(page.number - 1) if page.has_previous() else "",
            "next_url": query.url(page.number + 1) if page.has_next() else "",
            "categories": list(category_options(selectors.category_tree())),
        },
    )


def attribute_rows(product: Product) -> list[tuple[str, str]]:
    """(label, value) for each attribute, by name: `capacity_ml` 500 is ("Capacity ml", "500")."""
    rows = []
    for name, value in sorted(product.attributes.items()):
        shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        rows.append((name.replace("_", " ").capitalize(), shown))
    return rows


def description_html(product: Product) -> SafeString:
    """The description as HTML: sanitised again on the way out, then marked safe.

    It was sanitised when written (services, admin), but the database is not a trust boundary:
    `QuerySet.update()`, a shell or an import write around the services, and rows written under
    an older allowlist keep what it allowed. nh3 runs once per cache fill, not per request, and
    what it returns holds only the tags and attributes of html.py's allowlist, with the text
    escaped: that output, and nothing else, is marked safe.
    """
    return mark_safe(clean_description(product.description))  # noqa: S308  # nosec B308, B703


def detail_html(pk: int) -> str:
    """One active product's page; Product.DoesNotExist if it is missing or inactive."""
    product = selectors.product_list().get(pk=pk)
    context = {
        "product": product,
        "description": description_html(product),
        "attributes": attribute_rows(product),
        "category_query": list_query_string(category=product.category.slug),
    }
    return render("product_detail.html", context)


@require_safe
def product_list(request: HttpRequest) -> HttpResponse:
    """`/shop/?search=&category=&page=`: active products, 20 a page, best match first when searching.

    400 page naming the parameter for a value the API refuses too (filters.py) or a page number
    that is not a whole number from 1; 404 page for a page past the last.
    """
    try:
        query = list_query(request.GET)
    except BadParameter as error:
        return error_page(400, str(error))
    namespaces = [caching.PRODUCTS, caching.CATEGORIES]
    try:
        html = cached_html(namespaces, ("list", *query.key()), lambda: list_html(query))
    except EmptyPage:
        return error_page(404, f"This list has no page {query.page}.")
    return HttpResponse(html)


@require_safe
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """`/shop/<id>/`: one active product. 404 page for a missing or inactive one."""
    namespaces = [caching.product_namespace(pk), caching.CATEGORIES]
    try:
        html = cached_html(namespaces, ("detail", pk), lambda: detail_html(pk))
    except Product.DoesNotExist:
        return error_page(404, "There is no such product in the shop.")
    # A view counts whichever door it came through, as the API's detail counts it (on a cache
    # hit too); the page is the same for everyone, the count is not.
    popularity.request_view_record(request, product_id=pk)
    return HttpResponse(html)


def page_not_found(request: HttpRequest) -> HttpResponse:
    return error_page(404, "There is no such page in the shop.")
