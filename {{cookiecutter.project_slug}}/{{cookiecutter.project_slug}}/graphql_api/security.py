"""Limits on what one GraphQL request may ask, whether or not the client names them.

One request can ask for a lot: deep nesting (an item -> its parent -> its items -> ...), thousands
of aliases of one expensive field, a megabyte of query text, or lists multiplied by lists. Each
document limit below is a validation step: a document over any of them is refused whole, with an
error that names the limit, and nothing executes. Values come from settings.GRAPHQL. What a list
serves, and the arguments it accepts, are bounded where it is served (inputs.py); the cost rule
counts exactly that page.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import strawberry
from django.conf import settings
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
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

from .inputs import MAX_ITEMS, default_page, largest_page

logger = logging.getLogger(__name__)


def list_size(node: FieldNode, field: GraphQLField, variables: Mapping[str, Any]) -> int:
    """How many items a list field will serve.

    What served_page() will serve for its `pagination` (a literal or variables), else its
    MAX_ITEMS, else the largest page.
    """
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
    """Clients get "Unexpected error." for those: a bug's message can leak internals.

    The full error is still logged (logger "strawberry.execution", see Schema).
    """
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
