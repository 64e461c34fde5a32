"""The page and filter checks every paginated GraphQL list goes through, on their own.

Each refusal names the argument (`extensions.argument`) and says what is allowed, as REST's query
parameters do; the schema's own lists prove them end to end where the example app has lists.
"""

import pytest
import strawberry
from strawberry_django.pagination import OffsetPaginationInput

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.users.models import User

from ..inputs import check_filters, column_length, served_page


@strawberry.input
class NameFilter:
    email: str | None = strawberry.UNSET
    emails: list[str] | None = strawberry.UNSET
    AND: "NameFilter | None" = strawberry.UNSET


def refusal(call: object) -> tuple[str, str]:
    with pytest.raises(ApplicationError) as caught:
        call()  # type: ignore[operator]
    return caught.value.message, caught.value.extra["argument"]


def test_no_pagination_or_a_null_limit_is_the_default_page(settings) -> None:
    settings.STRAWBERRY_DJANGO = {"PAGINATION_DEFAULT_LIMIT": 20, "PAGINATION_MAX_LIMIT": 100}
    assert (served_page(None).offset, served_page(None).limit) == (0, 20)
    page = served_page(OffsetPaginationInput(offset=40, limit=None))
    assert (page.offset, page.limit) == (40, 20)
    page = served_page(OffsetPaginationInput(offset=0, limit=100))
    assert page.limit == 100


@pytest.mark.parametrize(
    ("offset", "limit", "argument"),
    [(-5, 3, "pagination.offset"), (0, 0, "pagination.limit"), (0, 101, "pagination.limit")],
)
def test_a_page_out_of_range_is_refused_naming_the_argument(
    offset: int, limit: int, argument: str
) -> None:
    message, named = refusal(lambda: served_page(OffsetPaginationInput(offset=offset, limit=limit)))
    assert named == argument
    assert message.startswith(f"{argument}: must be")


def test_text_filters_are_held_to_the_column_and_refuse_nul() -> None:
    check_filters(NameFilter(email="ada@example.com"))
    message, named = refusal(lambda: check_filters(NameFilter(email="a\x00b")))
    assert (named, message) == ("filters.email", "filters.email: Null characters are not allowed.")
    message, named = refusal(lambda: check_filters(NameFilter(email="x" * 300)))
    assert named == "filters.email"
    assert "at most 255 characters" in message


def test_a_filter_list_holds_at_most_a_page_and_nesting_is_bounded(settings) -> None:
    check_filters(NameFilter(emails=["a", "b"]))
    message, named = refusal(lambda: check_filters(NameFilter(emails=["a"] * 101)))
    assert (named, message) == ("filters.emails", "filters.emails: at most 100 items.")
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_DEPTH": 2}
    nested = NameFilter(AND=NameFilter(AND=NameFilter(AND=NameFilter(email="x"))))
    message, named = refusal(lambda: check_filters(nested))
    assert named == "filters.AND.AND.AND"
    assert "nest at most 2 levels" in message


def test_column_length_reads_the_model_and_falls_back() -> None:
    assert column_length(User, "email", default=1) == User._meta.get_field("email").max_length
    assert column_length(User, "no_such_field", default=7) == 7
    assert column_length(None, "email", default=9) == 9
