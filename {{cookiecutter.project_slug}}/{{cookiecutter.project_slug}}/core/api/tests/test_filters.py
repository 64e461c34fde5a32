"""The filter plumbing on its own: an empty typed parameter is refused, text may be empty."""

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from {{ cookiecutter.project_slug }}.core.api.filters import (
    SearchFilter,
    StrictFilterSet,
)

# The project's user model (core knows no app): a typed field and a text field to filter on.
User = get_user_model()


class UserFilter(StrictFilterSet):
    class Meta:
        model = User
        fields = ["is_active", "email"]


def check(query: str) -> dict[str, list[str]]:
    filterset = UserFilter(data=QueryDict(query), queryset=User.objects.none())
    return {} if filterset.is_valid() else filterset.errors


def test_an_empty_typed_parameter_is_refused() -> None:
    assert check("is_active=") == {"is_active": ["Give a value or leave the parameter out."]}


def test_absent_and_text_parameters_behave_as_usual() -> None:
    assert check("") == {}
    assert check("email=") == {}
    assert check("is_active=true&email=a@example.com") == {}


def test_a_bad_search_term_is_an_error_keyed_by_the_parameter() -> None:
    # Found by the fuzz test: DRF's own SearchFilter answers a NUL byte with a bare list.
    request = Request(APIRequestFactory().get("/", {"search": "a\x00b"}))
    with pytest.raises(ValidationError) as error:
        SearchFilter().get_search_terms(request)
    assert error.value.detail == {"search": ["Null characters are not allowed."]}
