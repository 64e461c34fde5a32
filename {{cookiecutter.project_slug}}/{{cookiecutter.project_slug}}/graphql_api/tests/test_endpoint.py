"""/graphql/ itself: authentication as REST, and every limit refusing a document before it runs."""

import logging
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from graphql import GraphQLList, GraphQLObjectType, get_nullable_type
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from {{ cookiecutter.project_slug }}.users import graphql as users_graphql
from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.fresh_process import PROJECT_ROOT
from tests.support.graphql_client import URL, codes, gql, messages

from ..apis import mutation_fields
from ..inputs import MAX_ITEMS, BoundedListField
from ..schema import schema

pytestmark = pytest.mark.django_db


def test_me_with_a_jwt_as_in_rest(api_client: APIClient, user: User) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    assert gql(api_client, "{ me { email } }") == {"data": {"me": {"email": user.email}}}


def test_me_with_a_session_as_in_rest(api_client: APIClient, user: User) -> None:
    api_client.force_login(user)
    assert gql(api_client, "{ me { id } }")["data"]["me"]["id"] == str(user.pk)


def test_anonymous_me_is_an_unauthenticated_error(api_client: APIClient) -> None:
    body = gql(api_client, "{ me { email } }")
    assert body["data"] is None
    assert codes(body) == ["unauthenticated"]


def test_a_bad_token_is_a_401_as_in_rest(api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.post(URL, {"query": "{ __typename }"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "payload",
    [{"nothing": 1}, {"query": 5}, {"query": "{ __typename }", "variables": [1]}],
)
def test_malformed_requests_are_400(api_client: APIClient, payload: dict[str, Any]) -> None:
    response = api_client.post(URL, payload, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_an_oversized_query_is_refused_before_parsing(api_client: APIClient, settings) -> None:
    query = "{ __typename }" + " " * settings.GRAPHQL["MAX_QUERY_BYTES"]
    response = api_client.post(URL, {"query": query}, format="json")
    assert response.status_code == 400
    assert "the limit is" in response.json()["detail"]


def test_too_many_tokens_are_refused(api_client: APIClient, settings) -> None:
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_QUERY_BYTES": 10**6}
    body = gql(api_client, "{" + " __typename" * 3000 + " }")
    assert body["data"] is None
    assert "token" in messages(body).lower()


def test_too_deep_a_query_is_refused_with_the_reason(api_client: APIClient, settings) -> None:
    settings.GRAPHQL = settings.GRAPHQL | {"MAX_DEPTH": 0}  # so that `me { id }` is too deep
    body = gql(api_client, "{ me { id } }")
    assert body["data"] is None
    assert "exceeds maximum operation depth of 0" in messages(body)


def test_an_alias_bomb_is_refused_with_the_reason(api_client: APIClient) -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(50))
    body = gql(api_client, "{ " + aliases + " }")
    assert body["data"] is None
    assert "aliases found" in messages(body)


def test_introspection_can_be_switched_off(api_client: APIClient, settings) -> None:
    query = "{ __schema { queryType { name } } }"
    assert gql(api_client, query)["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    settings.GRAPHQL = settings.GRAPHQL | {"INTROSPECTION": False}  # production's default
    body = gql(api_client, query)
    assert body["data"] is None
    assert "introspection" in messages(body).lower()


def test_no_in_browser_ide_is_served_outside_the_csp(api_client: APIClient) -> None:
    # GraphiQL would need the CDN and an inline script the site's policy refuses: not served,
    # in any environment (docs: GraphQL). A browser's GET is the API's JSON 405, saying what to do.
    response = api_client.get(URL, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "POST, OPTIONS"
    assert response.json()["detail"].startswith("GraphQL takes a POST with a JSON body")


def test_the_api_wide_throttle_covers_graphql(api_client: APIClient, settings) -> None:
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"anon": "2/m", "user": "600/m"}
    }
    for _ in range(2):
        gql(api_client, "{ __typename }")
    response = api_client.post(URL, {"query": "{ __typename }"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_the_exported_schema_matches_the_code() -> None:
    exported = (PROJECT_ROOT / "schema.graphql").read_text()
    assert exported.strip() == str(schema).strip(), "run `make graphql-schema` and commit it"


def test_the_export_command_writes_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    call_command("export_graphql_schema", "--output", str(target), stdout=StringIO())
    assert target.read_text() == f"{schema}\n"


def test_the_export_check_passes_on_a_current_file_and_fails_with_a_diff_on_a_stale_one(
    tmp_path: Path,
) -> None:
    target = tmp_path / "schema.graphql"
    call_command("export_graphql_schema", "--output", str(target), stdout=StringIO())
    call_command("export_graphql_schema", "--output", str(target), "--check", stdout=StringIO())

    target.write_text(target.read_text().replace("type Query", "type Querry"))
    err = StringIO()
    with pytest.raises(CommandError, match="is stale"):
        call_command("export_graphql_schema", "--output", str(target), "--check", stderr=err)
    assert "-type Querry" in err.getvalue()
    assert "+type Query" in err.getvalue()
    assert "Querry" in target.read_text()  # --check writes nothing


def test_an_unexpected_error_is_masked_and_logged(
    api_client: APIClient, user: User, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    def broken(info: object) -> User:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(users_graphql, "require_user", broken)
    api_client.force_login(user)
    body = gql(api_client, "{ me { id } }")
    assert messages(body) == "Unexpected error."
    [record] = [r for r in caplog.records if r.name == "strawberry.execution"]
    assert record.levelname == "ERROR"
    assert "hunter2" in caplog.text  # for the operator, not the client


def test_refused_documents_and_client_errors_stay_out_of_the_error_log(
    api_client: APIClient, caplog
) -> None:
    # Every client could send these all day: at ERROR they would bury the real failures.
    aliases = " ".join(f"a{n}: __typename" for n in range(50))
    for document in ("{ " + aliases + " }", "{ me { email } }", "{ nope }"):
        assert gql(api_client, document)["errors"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_mutation_fields_follow_fragments_and_the_chosen_operation() -> None:
    document = (
        "mutation A { x: first ...F ... on Mutation { second } }"
        " mutation B { third } query C { fourth }"
        " fragment F on Mutation { fifth ...G } fragment G on Mutation { sixth ...F }"
    )
    assert set(mutation_fields(document, "A")) == {"first", "second", "fifth", "sixth"}
    assert mutation_fields(document, "B") == {"third": 1}
    assert mutation_fields(document, "C") == {}
    assert mutation_fields("mutation {", None) == {}  # execution reports the syntax error


def test_each_alias_of_a_mutation_is_a_call_and_a_repeated_spread_is_not() -> None:
    document = (
        "mutation { a: first b: first first ...F ...F second } fragment F on Mutation { c: first }"
    )
    assert mutation_fields(document, None) == {"first": 4, "second": 1}


def test_every_list_field_serves_a_bounded_number_of_items() -> None:
    # strawberry-django serves every row of a list the client does not paginate (its #846):
    # each list is a BoundedListField (a default and a largest page) or declares its MAX_ITEMS,
    # which the cost rule counts.
    unbounded = []
    for graphql_type in schema._schema.type_map.values():
        if graphql_type.name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue  # introspection's own types
        for name, field in graphql_type.fields.items():
            if not isinstance(get_nullable_type(field.type), GraphQLList):
                continue
            definition = field.extensions["strawberry-definition"]
            bounded = isinstance(definition, BoundedListField) or MAX_ITEMS in definition.metadata
            if not bounded:
                unbounded.append(f"{graphql_type.name}.{name}")
    assert unbounded == []
