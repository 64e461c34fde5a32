"""A GraphQL request that names no runnable operation is a 400 that says why, never a 500.

Found in the field: strawberry raises CannotGetOperationTypeError and MissingQueryError out of
execute_sync (its own HTTP views turn them into 400s; a view of our own has to as well): an
operationName the document does not define was a 500.
"""

import logging

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/graphql/"


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"query": "{ __typename }", "operationName": "Nope"}, 'Unknown operation named "Nope".'),
        ({"query": ""}, "The query is empty."),
    ],
    ids=["unknown-operation-name", "empty-query"],
)
def test_a_request_without_an_operation_to_run_is_a_400(
    api_client: APIClient, caplog: pytest.LogCaptureFixture, payload: dict[str, str], detail: str
) -> None:
    with caplog.at_level(logging.WARNING):
        response = api_client.post(URL, payload, format="json")
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_naming_one_of_several_operations_runs_it(api_client: APIClient) -> None:
    payload = {"query": "query A { __typename } query B { __typename }", "operationName": "B"}
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


{%- if cookiecutter.example_app == "catalog" %}


@pytest.mark.parametrize(
    ("declared", "value", "message"),
    [
        ("Int", "x", "Int cannot represent non-integer value: 'x'"),
        ("Decimal", "abc", "Variable '$v' has invalid value: Value cannot represent a Decimal"),
        ("Decimal", [1, 2], "Variable '$v' has invalid value"),
    ],
    ids=["int-given-text", "decimal-given-text", "decimal-given-list"],
)
def test_a_variable_that_does_not_fit_its_type_is_named_not_masked(
    api_client: APIClient,
    caplog: pytest.LogCaptureFixture,
    declared: str,
    value: object,
    message: str,
) -> None:
    """Found in the field: these were "Unexpected error." with a traceback logged at ERROR."""
    argument = "pagination: {limit: $v}" if declared == "Int" else "filters: {minPrice: $v}"
    query = "query Q($v: " + declared + ") { products(" + argument + ") { id } }"
    payload = {"query": query, "variables": {"v": value}}
    with caplog.at_level(logging.WARNING):
        response = api_client.post(URL, payload, format="json")
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None
    (error,) = body["errors"]
    assert message in error["message"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
{%- endif %}
