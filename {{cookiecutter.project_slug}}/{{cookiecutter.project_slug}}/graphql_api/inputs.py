"""What arguments accept: an ID that is a valid key, a bounded page, filters checked before any query.

Lists are bounded where they are served: a list field without `pagination` serves the default
page (strawberry-django would serve every row: strawberry-graphql/strawberry-django #846), and
its arguments are checked as REST checks its query parameters, so a bad one is a clear `invalid`
error instead of a database error. The cost rule (security.py) counts exactly the page that will
be served.
"""

from typing import Any

import strawberry
import strawberry_django
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from strawberry.types import has_object_definition
from strawberry.types.unset import UnsetType
from strawberry.utils.str_converters import to_camel_case
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.core.models import MAX_ID

# Field metadata of a list that has no `pagination` argument: the most items it can hold (the
# lines of one document, say). The cost rule counts it; a list with neither counts as the largest
# page.
MAX_ITEMS = "max_items"


def parse_id(value: object) -> int:
    """An ID argument as a primary key, or a clear `invalid` error (not a database error)."""
    try:
        pk = int(str(value))
    except ValueError:
        raise ApplicationError(f"{value!r} is not a valid id.") from None
    if not 0 < pk <= MAX_ID:
        raise ApplicationError(f"{value!r} is not a valid id.")
    return pk


def default_page() -> int:
    return int(settings.STRAWBERRY_DJANGO["PAGINATION_DEFAULT_LIMIT"])


def largest_page() -> int:
    return int(settings.STRAWBERRY_DJANGO["PAGINATION_MAX_LIMIT"])


def served_page(pagination: object) -> OffsetPaginationInput:
    """The page a list field serves: the client's, or the default page when it names none.

    The client's page is checked as REST checks `page_size`; with no page, strawberry-django alone
    would serve every row.

    Raises ApplicationError (code `invalid`, `extensions.argument` naming the argument) for an
    offset below 0 or a limit outside 1..PAGINATION_MAX_LIMIT; `limit: null` is the default page.
    """
    if not isinstance(pagination, OffsetPaginationInput):  # absent (None or UNSET)
        return OffsetPaginationInput(offset=0, limit=default_page())
    if pagination.offset < 0:
        raise ApplicationError(
            "pagination.offset: must be 0 or more.", extra={"argument": "pagination.offset"}
        )
    limit = pagination.limit
    if not isinstance(limit, int):
        limit = default_page()
    elif not 1 <= limit <= largest_page():
        raise ApplicationError(
            f"pagination.limit: must be a whole number from 1 to {largest_page()}.",
            extra={"argument": "pagination.limit"},
        )
    return OffsetPaginationInput(offset=pagination.offset, limit=limit)


@strawberry.input(description="Text lookups. Each value: at most the column's length, no NUL.")
class TextLookup:
    """The lookups a text filter offers: a safe subset of strawberry-django's.

    Its `lookups=True` also offers `regex` and `iRegex`, which hand the database a client's
    pattern (an invalid one is a database error, a pathological one is unbounded work).
    """

    exact: str | None = strawberry.UNSET
    i_exact: str | None = strawberry.UNSET
    i_contains: str | None = strawberry.UNSET
    i_starts_with: str | None = strawberry.UNSET


def check_filters(value: object, path: str = "filters", *, max_length: int = 255) -> None:
    """Refuse a filter argument the database would choke on, naming the offending input.

    Text is held to its column's `max_length` (a longer value can never match) and may not hold
    NUL, which PostgreSQL refuses: the same Django form field, so the same messages, as REST's
    filters. Lists hold at most a page of items, and AND/OR/NOT nest at most MAX_DEPTH deep.
    Raises ApplicationError (code `invalid`) with `extensions.argument`, e.g. `filters.name.exact`.
    """
    if value is None or isinstance(value, UnsetType):
        return
    if isinstance(value, str):
        try:
            forms.CharField(max_length=max_length, required=False, strip=False).clean(value)
        except DjangoValidationError as error:
            raise ApplicationError(
                f"{path}: {' '.join(error.messages)}", extra={"argument": path}
            ) from None
    elif isinstance(value, list):
        if len(value) > largest_page():
            raise ApplicationError(
                f"{path}: at most {largest_page()} items.", extra={"argument": path}
            )
        for item in value:
            check_filters(item, path, max_length=max_length)
    elif has_object_definition(value):
        if path.count(".") > settings.GRAPHQL["MAX_DEPTH"]:
            raise ApplicationError(
                f"{path}: filters nest at most {settings.GRAPHQL['MAX_DEPTH']} levels deep.",
                extra={"argument": path},
            )
        django_definition = getattr(value, "__strawberry_django_definition__", None)
        model = django_definition.model if django_definition is not None else None
        for field in value.__strawberry_definition__.fields:
            check_filters(
                getattr(value, field.python_name),
                f"{path}.{field.graphql_name or to_camel_case(field.python_name)}",
                max_length=column_length(model, field.python_name, default=max_length),
            )


def column_length(model: type[Model] | None, name: str, *, default: int) -> int:
    """The `max_length` of `model.name` when that is a text column; else `default`."""
    if model is None:
        return default
    try:
        return getattr(model._meta.get_field(name), "max_length", None) or default
    except FieldDoesNotExist:  # AND/OR/NOT, or a filter method such as minPrice
        return default


class BoundedListField(StrawberryDjangoField):
    """A list field that always serves a bounded page and checks its filters before querying."""

    def get_queryset(self, queryset: QuerySet[Any], info: strawberry.Info, **kwargs: Any) -> Any:
        check_filters(kwargs.get("filters"))
        return super().get_queryset(queryset, info, **kwargs)  # type: ignore[no-untyped-call]

    def apply_pagination(
        self,
        queryset: Any,
        pagination: object | None = None,
        *,
        related_field_id: str | None = None,
    ) -> Any:
        # The one place strawberry-django slices a list, at the top level and when the
        # optimiser prefetches a nested one: no path skips the default page.
        page = served_page(pagination)
        return super().apply_pagination(
            stable_ordering(queryset), page, related_field_id=related_field_id
        )


def stable_ordering(queryset: Any) -> Any:
    """`queryset` with the primary key as its last sort key, as REST's OrderingFilter does.

    Rows that tie on `ordering: [{name: ASC}]` come back in whatever sequence the database finds
    them, which may differ between two pages' queries: without a last key, pages repeat some rows
    and skip others.
    """
    if not isinstance(queryset, QuerySet):
        return queryset
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not ordering or any(str(key).lstrip("-") in ("pk", "id") for key in ordering):
        return queryset
    return queryset.order_by(*ordering, "pk")


def paginated_field(**options: Any) -> Any:
    """A list field with `pagination: {offset, limit}`, bounded as BoundedListField says."""
    return strawberry_django.field(field_cls=BoundedListField, pagination=True, **options)
