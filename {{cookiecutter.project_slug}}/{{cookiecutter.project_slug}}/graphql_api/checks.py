"""GraphQL's settings that must agree with each other, checked at every start-up (core/checks.py)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from {{ cookiecutter.project_slug }}.core.checks import SETTINGS


@checks.register(SETTINGS)
def check_graphql_limits(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The default page within the largest, and the query limit within the body limit."""
    pages = settings.STRAWBERRY_DJANGO
    errors: list[checks.CheckMessage] = []
    if pages["PAGINATION_DEFAULT_LIMIT"] > pages["PAGINATION_MAX_LIMIT"]:
        errors.append(
            checks.Error(
                f"GRAPHQL_PAGE_SIZE ({pages['PAGINATION_DEFAULT_LIMIT']}) must not exceed "
                f"GRAPHQL_MAX_PAGE_SIZE ({pages['PAGINATION_MAX_LIMIT']}).",
                id="graphql_api.E001",
            )
        )
    query_limit = settings.GRAPHQL["MAX_QUERY_BYTES"]
    body_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if body_limit is not None and query_limit > body_limit:
        errors.append(
            checks.Error(
                f"GRAPHQL_MAX_QUERY_BYTES ({query_limit}) must not exceed "
                f"DATA_UPLOAD_MAX_MEMORY_SIZE ({body_limit}): the body limit would always "
                "answer first, and the query limit would promise what it cannot keep.",
                id="graphql_api.E002",
            )
        )
    return errors
