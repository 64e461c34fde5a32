"""GraphQL (strawberry-graphql-django): the /graphql/ endpoint's app, document limits, page sizes.

Owned by use_graphql=y (pruned otherwise). production.py turns introspection off. No in-browser
IDE is served (graphql_api/apis.py says why).
"""

from ..base import LOCAL_APPS
from ..env import PACKAGE, env

LOCAL_APPS.append(f"{PACKAGE}.graphql_api")

# Browsers on the origins CORS allows (security.py) may call /graphql/ as well as /api/.
CORS_URLS_REGEX = r"^/(api|graphql)/"

# /graphql/ beside REST, with REST's authentication and rate limits (graphql_api/apis.py). Every
# limit rejects an abusive document before anything runs. https://strawberry.rocks/docs/guides/security
GRAPHQL = {
    "INTROSPECTION": env.bool("GRAPHQL_INTROSPECTION", default=True),
    "MAX_QUERY_BYTES": env.int("GRAPHQL_MAX_QUERY_BYTES", default=10_000),
    "MAX_TOKENS": env.int("GRAPHQL_MAX_TOKENS", default=2_000),
    "MAX_DEPTH": env.int("GRAPHQL_MAX_DEPTH", default=8),
    "MAX_ALIASES": env.int("GRAPHQL_MAX_ALIASES", default=15),
    # Estimated fields a document may resolve: a list counts each item it can serve, so nested
    # lists multiply; a default page with 50 nested items of 6 fields each fits (graphql_api/security.py).
    "MAX_COST": env.int("GRAPHQL_MAX_COST", default=10_000),
}
# Page sizes of every GraphQL list, served even when the client names no `pagination`
# (graphql_api/inputs.py: strawberry-django alone would serve every row, its issue #846).
STRAWBERRY_DJANGO = {
    "PAGINATION_DEFAULT_LIMIT": env.int("GRAPHQL_PAGE_SIZE", default=20),
    "PAGINATION_MAX_LIMIT": env.int("GRAPHQL_MAX_PAGE_SIZE", default=100),
}
