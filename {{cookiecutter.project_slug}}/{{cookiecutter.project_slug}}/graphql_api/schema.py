"""The GraphQL schema: each app contributes its queries and mutations; this file joins them.

Export it with `make graphql-schema` (schema.graphql at the project root, checked by a test).
"""

from strawberry.tools import merge_types
from strawberry_django.optimizer import DjangoOptimizerExtension
{% if cookiecutter.example_app == "catalog" %}
from {{ cookiecutter.project_slug }}.catalog.graphql import (
    RATE_LIMITED_MUTATIONS as CATALOG_LIMITS,
)
from {{ cookiecutter.project_slug }}.catalog.graphql import (
    CatalogMutation,
    CatalogQuery,
)
{%- endif %}
from {{ cookiecutter.project_slug }}.users.graphql import UsersQuery

from .security import PROTECTION, Schema
{% if cookiecutter.example_app == "catalog" %}
Query = merge_types("Query", (UsersQuery, CatalogQuery))
Mutation = merge_types("Mutation", (CatalogMutation,))

schema = Schema(
    query=Query,
    mutation=Mutation,
{%- else %}
Query = merge_types("Query", (UsersQuery,))

schema = Schema(
    query=Query,
{%- endif %}
    extensions=[
        *PROTECTION,
        # Reads the selected fields and adds select_related/prefetch_related/only: no N+1.
        DjangoOptimizerExtension,
    ],
)

# Mutations that spend a REST rate-limit budget (graphql_api/apis.py checks them before running).
{%- if cookiecutter.example_app == "catalog" %}
RATE_LIMITED_MUTATIONS: dict[str, dict[str, str]] = {**CATALOG_LIMITS}
{%- else %}
RATE_LIMITED_MUTATIONS: dict[str, dict[str, str]] = {}
{%- endif %}
