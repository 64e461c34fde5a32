"""Limits on what one GraphQL request may ask, whether or not the client names them.

One request can ask for a lot: deep nesting (an item -> its parent -> its items -> ...), thousands
of aliases of one expensive field, a megabyte of query text, or lists multiplied by lists. Each
document limit below is a validation step: a document over any of them is refused whole, with an
error that names the limit, and nothing executes. Values come from settings.GRAPHQL.

Lists are bounded where they are served: a list field without `pagination` serves the default
page (strawberry-django would serve every row: strawberry-graphql/strawberry-django #846), and
its arguments are checked as REST checks its query parameters, so a bad one is a clear `invalid`
error instead of a database error. The cost rule counts exactly the page that will be served.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import strawberry
import strawberry_django
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    value_from_ast_untyped,
)
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext, has_object_definition
from strawberry.types.unset import UnsetType
from strawberry.utils.logging import StrawberryLogger
from strawberry.utils.str_converters import to_camel_case
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# Field metadata of a list that has no `pagination` argument: the most items it can hold (the
# lines of one document, say). The cost rule counts it; a list with neither counts as the largest
# page.
MAX_ITEMS = "max_items"


def default_page() -> int:
    return int(settings.STRAWBERRY_DJANGO["PAGINATION_DEFAULT_LIMIT"])


def largest_page() -> int:
    return int(settings.STRAWBERRY_DJANGO["PAGINATION_MAX_LIMIT"])


def served_page(pagination: object) -> OffsetPaginationInput:
    """The page a list field serves: the client's, checked as REST checks `page_size`, or the
    default page when the client names none (strawberry-django alone would serve every row).

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
    """The lookups a text filter offers: strawberry-django's `lookups=True` also offers `regex`
    and `iRegex`, which hand the database a client's pattern (an invalid one is a database
    error, a pathological one is unbounded work), so filters use this safe subset instead."""

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
        return super().apply_pagination(queryset, page, related_field_id=related_field_id)


def paginated_field(**options: Any) -> Any:
    """A list field with `pagination: {offset, limit}`, bounded as BoundedListField says."""
    return strawberry_django.field(field_cls=BoundedListField, pagination=True, **options)


def list_size(node: FieldNode, field: GraphQLField, variables: Mapping[str, Any]) -> int:
    """How many items a list field will serve: what served_page() will serve for its
    `pagination` (a literal or variables), else its MAX_ITEMS, else the largest page."""
    if "pagination" not in field.args:
        definition = field.extensions.get("strawberry-definition")
        declared = getattr(definition, "metadata", None) or {}
        return int(declared.get(MAX_ITEMS, largest_page()))
    pagination: Any = None
    for argument in node.arguments or ():
        if argument.name.value == "pagination":
            pagination = value_from_ast_untyped(argument.value, dict(variables))
    limit = pagination.get("limit") if isinstance(pagination, dict) else None
    if limit is None or limit is Undefined:
        return default_page()
    if isinstance(limit, int) and not isinstance(limit, bool):
        return max(0, min(limit, largest_page()))  # out of range: refused when served
    return largest_page()  # not an Int: execution refuses it; count the most it could be


class QueryCostRule(ValidationRule):
    """Estimated work of an operation: each field costs 1, and a list multiplies what is under it.

    `items(pagination: {limit: 10}) { parent { name } }` costs 10 x (1 + 2) = 30: each of the
    10 items counts 1, plus 2 for its `parent { name }`. A list counts the page it will be served
    (list_size), with the limit read from the request's variables when it is one: QueryCostLimiter
    binds them, as a validation rule alone never sees variables.
    """

    variables: ClassVar[Mapping[str, Any]] = {}
    values: dict[str, Any]  # the variables with their declared defaults, per operation

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        if root is None:
            return
        # A variable the request leaves out takes its declared default, as in execution.
        self.values = {
            definition.variable.name.value: value_from_ast_untyped(definition.default_value)
            for definition in node.variable_definitions or ()
            if definition.default_value is not None
        } | dict(self.variables)
        cost = self.selection_cost(node.selection_set, root, visited=frozenset())
        limit = settings.GRAPHQL["MAX_COST"]
        if cost > limit:
            self.report_error(
                GraphQLError(
                    f"Query cost {cost} exceeds the limit of {limit}: "
                    "request smaller pages or fewer nested lists.",
                    node,
                    extensions={"code": "query_too_costly", "cost": cost, "limit": limit},
                )
            )

    def selection_cost(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType,
        visited: frozenset[str],
    ) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = parent.fields.get(selection.name.value)
                if field is None:  # __typename, or an unknown field other rules report
                    continue
                is_list = isinstance(get_nullable_type(field.type), GraphQLList)
                inner = self.selection_cost(
                    selection.selection_set, get_named_type(field.type), visited
                )
                size = list_size(selection, field, self.values) if is_list else 1
                total += size * (1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_cost(selection.selection_set, parent, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is not None and name not in visited:  # cycles: NoFragmentCycles
                    total += self.selection_cost(fragment.selection_set, parent, visited | {name})
        return total


class QueryCostLimiter(SchemaExtension):
    """Adds QueryCostRule, bound to this request's variables."""

    def on_operation(self) -> Any:
        variables = self.execution_context.variables or {}
        rule = type("QueryCostRule", (QueryCostRule,), {"variables": variables})
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, rule)
        yield


def introspection_rule() -> AddValidationRules:
    closed = not settings.GRAPHQL["INTROSPECTION"]
    return AddValidationRules([NoSchemaIntrospectionCustomRule] if closed else [])


def is_unexpected(error: GraphQLError) -> bool:
    """A resolver failed for a reason the client did not cause (a bug, a lost database).

    Not unexpected: a business rule's refusal (ApplicationError), and a variable that does not fit
    its type, which graphql-core reports as a GraphQLError wrapping the coercion's GraphQLError
    (it was masked as "Unexpected error." and logged at ERROR).
    """
    original = error.original_error
    return original is not None and not isinstance(original, ApplicationError | GraphQLError)


def mask_unexpected_errors() -> MaskErrors:
    """Clients get "Unexpected error." for those: a bug's message can leak internals. The full
    error is still logged (logger "strawberry.execution", see Schema)."""
    return MaskErrors(should_mask_error=is_unexpected)


class Schema(strawberry.Schema):
    """Logs at ERROR only what an operator must act on.

    Strawberry logs every error at ERROR with its traceback, including documents the limits above
    refuse and business errors such as a conflict with the current state: any client could flood the
    error log and bury real failures. Those are the client's mistakes and go to DEBUG.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_unexpected(error):
                StrawberryLogger.error(error, execution_context)
            else:
                logger.debug("GraphQL request refused: %s", error.message)


# Factories, called for each request: the limits follow settings.GRAPHQL as it is then.
PROTECTION: list[Callable[[], SchemaExtension]] = [
    lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL["MAX_TOKENS"]),
    lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL["MAX_DEPTH"]),
    lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL["MAX_ALIASES"]),
    QueryCostLimiter,
    introspection_rule,
    mask_unexpected_errors,
]
