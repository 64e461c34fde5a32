"""Limits that reject an abusive GraphQL document before any resolver runs.

One request can ask for a lot: deep nesting (an item -> its parent -> its items -> ...), thousands
of aliases of one expensive field, a megabyte of query text, or lists multiplied by lists. Each
limit below is a validation step: a document over any of them is refused whole, with an error
that names the limit, and nothing executes. Values come from settings.GRAPHQL.
"""

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from django.conf import settings
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    NoSchemaIntrospectionCustomRule,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
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

from ..core.exceptions import ApplicationError

logger = logging.getLogger(__name__)


def list_size(field: FieldNode) -> int:
    """How many items a list field may return: its `pagination: {limit: N}` (a literal) capped
    at the largest page, else the default page (the largest for a limit passed as a variable)."""
    pages = settings.STRAWBERRY_DJANGO
    for argument in field.arguments or ():
        if argument.name.value == "pagination" and isinstance(argument.value, ObjectValueNode):
            for option in argument.value.fields:
                if option.name.value != "limit":
                    continue
                if isinstance(option.value, IntValueNode):
                    return max(0, min(int(option.value.value), int(pages["PAGINATION_MAX_LIMIT"])))
                return int(pages["PAGINATION_MAX_LIMIT"])
    return int(pages["PAGINATION_DEFAULT_LIMIT"])


class QueryCostRule(ValidationRule):
    """Estimated work of an operation: each field costs 1, and a list multiplies what is under it.

    `items(pagination: {limit: 10}) { parent { name } }` costs 10 x (1 + 2) = 30: each of the
    10 items counts 1, plus 2 for its `parent { name }`. A list without a literal limit counts
    as a full page (settings.STRAWBERRY_DJANGO).
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        if root is None:
            return
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
                total += (list_size(selection) if is_list else 1) * (1 + inner)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_cost(selection.selection_set, parent, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is not None and name not in visited:  # cycles: NoFragmentCycles
                    total += self.selection_cost(fragment.selection_set, parent, visited | {name})
        return total


def introspection_rule() -> AddValidationRules:
    closed = not settings.GRAPHQL["INTROSPECTION"]
    return AddValidationRules([NoSchemaIntrospectionCustomRule] if closed else [])


def is_unexpected(error: GraphQLError) -> bool:
    """A resolver failed for a reason the client did not cause (a bug, a lost database)."""
    original = error.original_error
    return original is not None and not isinstance(original, ApplicationError)


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
    lambda: AddValidationRules([QueryCostRule]),
    introspection_rule,
    mask_unexpected_errors,
]
