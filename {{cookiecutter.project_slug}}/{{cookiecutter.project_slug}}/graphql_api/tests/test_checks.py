"""The system check that GraphQL's limits agree with each other and with the request size limit."""

from django.test import override_settings

from ..checks import check_graphql_limits


def test_the_shipped_graphql_limits_agree() -> None:
    assert check_graphql_limits(None) == []


@override_settings(
    STRAWBERRY_DJANGO={"PAGINATION_DEFAULT_LIMIT": 200, "PAGINATION_MAX_LIMIT": 100},
    GRAPHQL={"MAX_QUERY_BYTES": 2_000_000},
    DATA_UPLOAD_MAX_MEMORY_SIZE=1_000_000,
)
def test_graphql_limits_that_cannot_both_hold_are_errors() -> None:
    errors = check_graphql_limits(None)
    assert [error.id for error in errors] == ["graphql_api.E001", "graphql_api.E002"]
