"""/graphql/: a DRF view, so GraphQL gets exactly REST's authentication, throttles and errors.

JWT and session authentication (with CSRF for sessions), the API-wide throttles and the 429 with
Retry-After all come from REST_FRAMEWORK settings. This view adds what is GraphQL's own: a size
cap before parsing, the per-mutation rate limits REST applies to the same actions, and the
execution itself.
"""

from collections import Counter
from collections.abc import Mapping
from typing import Any, TypeGuard

from django.conf import settings
from graphql import (
    DefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from rest_framework.exceptions import MethodNotAllowed, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from strawberry.django.context import StrawberryDjangoContext
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError

from {{ cookiecutter.project_slug }}.core.api.parsers import JSONParser
from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import (
    check_rate_limit,
)

from .schema import RATE_LIMITED_MUTATIONS
from .schema import schema as graphql_schema


def error_body(error: GraphQLError) -> dict[str, Any]:
    """A GraphQL error; business-rule errors carry their code, as REST bodies do."""
    body = error.formatted
    original = error.original_error
    if isinstance(original, ApplicationError):
        body["extensions"] = {"code": original.code, **original.extra}
    return dict(body)


def mutation_fields(query: str, operation_name: str | None) -> Counter[str]:
    """How many times each top-level field of the mutation the request will run is called.

    Empty for a query. Once per response key, its alias or else its name, including fields
    selected through fragments: `mutation { ...F }` must not slip past a rate limit, nor
    `mutation { a: place(...) b: place(...) }` be charged once for two calls. (Fields with the
    same response key are merged by GraphQL and run once.)
    """
    try:
        document = parse(query, max_tokens=settings.GRAPHQL["MAX_TOKENS"])
    except GraphQLError:
        return Counter()  # not parseable: execution will refuse it with the reason
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    fields: set[tuple[str, str]] = set()
    for definition in document.definitions:
        if is_mutation_to_run(definition, operation_name):
            fields |= root_fields(definition.selection_set, fragments, frozenset())
    return Counter(name for _, name in fields)


def is_mutation_to_run(
    definition: DefinitionNode, operation_name: str | None
) -> TypeGuard[OperationDefinitionNode]:
    """Whether `definition` is a mutation the request runs: the one named, or any if none is."""
    if not isinstance(definition, OperationDefinitionNode):
        return False
    if operation_name and (definition.name is None or definition.name.value != operation_name):
        return False
    return definition.operation is OperationType.MUTATION


def root_fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> set[tuple[str, str]]:
    """(response key, field name) of each root field, through inline fragments and spreads."""
    fields: set[tuple[str, str]] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields.add(((selection.alias or selection.name).value, selection.name.value))
        elif isinstance(selection, InlineFragmentNode):
            fields |= root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:  # a cycle is a validation error
                fields |= root_fields(fragments[name].selection_set, fragments, seen | {name})
    return fields


NOT_ALLOWED = (
    'GraphQL takes a POST with a JSON body, {"query": "..."}. No in-browser IDE is served here: '
    "use a GraphQL client, or read schema.graphql."
)


class GraphQLApi(APIView):
    # Public queries exist; each non-public field checks the user itself (users/graphql.py::require_user).
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]  # a GraphQL answer is JSON, whatever a browser accepts
    schema = None  # not part of the OpenAPI document: GraphQL describes itself (schema.graphql)

    # DRF's own stubs narrow Django's HttpRequest to its Request here, with the same ignore.
    def http_method_not_allowed(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        # No GET: no in-browser IDE is served. strawberry's GraphiQL page loads its code from
        # unpkg.com and starts it with an inline script, so it could only run with this origin's
        # Content-Security-Policy switched off (docs: GraphQL). A desktop client, or the schema
        # in schema.graphql, does the same from outside the site.
        raise MethodNotAllowed(request.method or "", detail=NOT_ALLOWED)

    def post(self, request: Request) -> Response:
        query, variables, operation_name = self.read_body(request)
        # A selected field is named in the text: without a limited name, no need to parse here
        # (execution parses the document anyway).
        named = {name for name in RATE_LIMITED_MUTATIONS if name in query}
        calls = mutation_fields(query, operation_name) if named else Counter()
        for field in sorted(named & set(calls)):  # over budget: 429 before anything runs
            for _ in range(calls[field]):  # each call counts, as each REST request does
                check_rate_limit(request, **RATE_LIMITED_MUTATIONS[field], fail_closed=False)
        try:
            result = graphql_schema.execute_sync(
                query,
                variable_values=variables,
                operation_name=operation_name,
                context_value=StrawberryDjangoContext(request=request._request, response=None),  # type: ignore[arg-type]
            )
        except CannotGetOperationTypeError as error:
            # An operationName the document does not define. strawberry raises this out of
            # execute_sync (its own views answer 400), where a GraphQL error was expected.
            raise ParseError(error.as_http_error_reason()) from None
        except MissingQueryError:
            raise ParseError("The query is empty.") from None
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error_body(error) for error in result.errors]
        # 200 whenever GraphQL answered, errors included (GraphQL over HTTP, application/json);
        # HTTP errors are for what happens before: bad JSON, too large, 401, 429.
        return Response(body)

    def read_body(self, request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            raise ParseError('Send JSON like {"query": "...", "variables": {...}}.')
        query: str = data["query"]
        limit = settings.GRAPHQL["MAX_QUERY_BYTES"]
        if len(query.encode()) > limit:
            raise ParseError(f"The query is {len(query.encode())} bytes; the limit is {limit}.")
        variables = data.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise ParseError("variables must be a JSON object.")
        operation_name = data.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise ParseError("operationName must be a string.")
        return query, variables, operation_name
