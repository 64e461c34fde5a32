"""The list page's query string, held to the API's rules: `search`, `category` and `page`.

`search` and `category` are read by the API's own ProductFilter (filters.py), under the same
names, so a value the API refuses with a 400 is refused here too, with the same message: at most
200 characters of search text, no NUL byte, a category slug of at most 120. Only these two are
read: the other filters have no control on the page, and a parameter nobody reads must not make
a new cache entry (`?utm_source=...` is the same page).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from {{ cookiecutter.project_slug }}.core.api.filters import GIVEN_TWICE

from .. import selectors
from ..filters import ProductFilter

PARAMETERS = ("search", "category")


class BadParameter(Exception):
    """A query-string value the page cannot use; the message names the parameter."""


class PageForm(forms.Form):
    # Django's IntegerField: "abc", "1e9" or "-1" are errors, not page 1 (Paginator.get_page's
    # silent fallback would cache the first page under every malformed number).
    page = forms.IntegerField(min_value=1, required=False)


@dataclass(frozen=True)
class ListQuery:
    """What the list page shows: checked values, and the filtered products (not yet queried)."""

    search: str
    category: str
    page: int
    filterset: ProductFilter

    def key(self) -> tuple[str, str, int]:
        """The parts of the cache key: everything that changes what the page shows."""
        return (self.search, self.category, self.page)

    def url(self, page: int) -> str:
        """A link to `page` of this list, relative to the list's own path."""
        return list_query_string(search=self.search, category=self.category, page=page)


def list_query_string(*, search: str = "", category: str = "", page: int = 1) -> str:
    """`?search=...&category=...&page=2`, leaving out what is empty (and page 1's number)."""
    pairs = [("search", search), ("category", category), ("page", str(page) if page > 1 else "")]
    return "?" + urlencode([(name, value) for name, value in pairs if value])


def _first_error(form: forms.Form) -> str:
    name, errors = next(iter(form.errors.items()))
    return f"{name}: {errors[0]}"


def list_query(params: QueryDict) -> ListQuery:
    """Read `params`; BadParameter (one line, naming the parameter) for the first bad value.

    Runs no query: the filter set's queryset is lazy, so a cache hit never touches the database.
    """
    # The parameters read, every value of each: the filter set refuses one given twice, as the
    # API's does, rather than read the last (a dict of one value each would hide the first).
    data = QueryDict(mutable=True)
    for name in PARAMETERS:
        data.setlist(name, params.getlist(name))
    filterset = ProductFilter(data=data, queryset=selectors.product_list())
    if not filterset.is_valid():
        raise BadParameter(_first_error(filterset.form))
    if len(params.getlist("page")) > 1:
        raise BadParameter(f"page: {GIVEN_TWICE}")
    page = PageForm(params)
    if not page.is_valid():
        raise BadParameter(_first_error(page))
    cleaned = filterset.form.cleaned_data
    return ListQuery(
        search=cleaned["search"],
        category=cleaned["category"],
        page=page.cleaned_data["page"] or 1,
        filterset=filterset,
    )
