"""REST's page size: a default when the client names none, refused (not replaced) out of range."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from {{ cookiecutter.project_slug }}.core.api.pagination import DefaultPagination

ROWS = list(range(224))


def page(**query: str) -> list[int]:
    request = Request(APIRequestFactory().get("/things/", query))
    # A list pages like a queryset (Django's Paginator takes any sequence); no database needed.
    return DefaultPagination().paginate_queryset(ROWS, request) or []  # type: ignore[arg-type]


def test_no_page_size_serves_the_default_page() -> None:
    assert page() == ROWS[:20]
    assert page(page="12") == ROWS[220:]


def test_the_largest_page_is_served_whole() -> None:
    assert len(page(page_size="100")) == 100


@pytest.mark.parametrize("size", ["101", "1000", "0", "-5", "1e3", ""])
def test_a_page_size_out_of_range_is_refused_with_the_range(size: str) -> None:
    with pytest.raises(ValidationError) as refused:
        page(page_size=size)
    assert refused.value.detail == {"page_size": ["Must be a whole number from 1 to 100."]}


def test_the_limits_are_stated_in_the_schema() -> None:
    parameters = DefaultPagination().get_schema_operation_parameters(view=None)
    size = next(p for p in parameters if p["name"] == "page_size")
    assert (size["schema"]["minimum"], size["schema"]["maximum"]) == (1, 100)
