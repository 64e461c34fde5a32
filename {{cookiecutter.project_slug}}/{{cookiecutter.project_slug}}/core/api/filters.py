"""Filtering every list shares: strict parameters and stable orderings.

A parameter sent empty or twice, or a bad search, is a 400; orderings end with the primary key,
so pages are stable.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

# Every filter takes one value: a second is refused rather than silently win.
GIVEN_TWICE = "Give this parameter once."


class StrictFilterSet(django_filters.FilterSet):
    """A typed parameter sent empty (`?max_price=`) is a 400, not read as "no filter".

    django-filter skips empty values, which suits HTML forms; an API client that sends one has
    a bug it should hear about. Text parameters may still be empty: "" is a string.
    """

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        for name, field in self.form.fields.items():
            if not isinstance(field, forms.CharField) and self.data.get(name) == "":
                self.form.add_error(name, "Give a value or leave the parameter out.")
            # django-filter reads the last of `?search=a&search=b`: the first would be dropped
            # without a word. A filter takes one value; say so.
            if hasattr(self.data, "getlist") and len(self.data.getlist(name)) > 1:
                self.form.add_error(name, GIVEN_TWICE)
        return not self.form.errors


class OrderingFilter(filters.OrderingFilter):
    """DRF's, with the primary key as the last sort key, so pages never repeat or skip a row.

    `?ordering=name` alone leaves rows with the same name in whatever sequence PostgreSQL finds
    them, which may differ between the queries of page 1 and page 2.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or any(field.lstrip("-") in ("pk", "id") for field in ordering):
            return ordering
        return [*ordering, "-pk" if ordering[-1].startswith("-") else "pk"]


class SearchFilter(filters.SearchFilter):
    """DRF's, with its error keyed by the parameter like every other 400.

    (DRF answers a search term holding a NUL byte with a bare list, which no client expects.)
    """

    def get_search_terms(self, request: Request) -> Any:
        try:
            return super().get_search_terms(request)
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from error
