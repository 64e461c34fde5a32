"""Filtering every list shares: a typed parameter sent empty, or a bad search, is a 400."""

from typing import Any

import django_filters
from django import forms
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


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
        return not self.form.errors


class SearchFilter(filters.SearchFilter):
    """DRF's, with its error keyed by the parameter like every other 400.

    (DRF answers a search term holding a NUL byte with a bare list, which no client expects.)
    """

    def get_search_terms(self, request: Request) -> Any:
        try:
            return super().get_search_terms(request)
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from error
