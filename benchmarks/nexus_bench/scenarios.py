"""What `make bench` serves under wrk: each endpoint with the settings it runs under, as data.

The order of `SCENARIOS` is the order of the tables and the chart; rounds alternate it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENDPOINT = "/api/v1/"
PRODUCTS = "/api/v1/products/"
ENDPOINT_CODE, PRODUCTS_CODE = f"`{ENDPOINT}`", f"`{PRODUCTS}`"

# Limits far above what the load generator sends: the stack does all its work, nobody is refused.
STACK_ON = {
    "IP_MONITOR_THRESHOLD": "1000000000",
    "THROTTLE_ANON_RATE": "1000000000/m",
    "THROTTLE_USER_RATE": "1000000000/m",
}
STACK_OFF = {
    "IP_MONITOR_ENABLED": "false",
    "RATELIMIT_ENABLE": "false",
    "THROTTLE_ENABLED": "false",
}
FLOORS = {"BASELINE_STACK": "django-drf"}  # the baseline app's floors (baseline.py)
# Metrics are on by default (METRICS_ENABLED), tracing off: each is measured both ways. Traces go
# to the bench's own OTLP receiver (otlp_sink.py), whose CPU is not the server's.
UNMEASURED = STACK_ON | {"METRICS_ENABLED": "false"}
TRACED = STACK_ON | {"OTEL_EXPORTER_OTLP_ENDPOINT": "{otlp}"}
SAMPLED = TRACED | {"OTEL_TRACES_SAMPLER_ARG": "0.1"}  # one trace in ten kept
ME = "/api/v1/users/me/"
CACHE_WARM = STACK_ON | {"CATALOG_CACHE_SECONDS": "300"}
CACHE_BYPASSED = STACK_ON | {"CATALOG_CACHE_SECONDS": "0"}
# The large catalogue (config.LARGE_DB), every request reaching PostgreSQL.
LARGE_BYPASSED = CACHE_BYPASSED | {"DATABASE_URL": "{large_db}"}
SEARCH = PRODUCTS + "?search=insulated+lantern"
ATTRIBUTES = PRODUCTS + "?attributes=colour:red,material:wool,size:M"


@dataclass(frozen=True)
class Scenario:
    """One configuration served by gunicorn and loaded by wrk."""

    key: str  # its key in results.json
    label: str  # its name in the tables (Markdown) and the chart
    endpoint: str  # the path wrk requests; `{product}` stands for a seeded product's id
    env: Mapping[str, str] = field(default_factory=dict)  # settings over the server's defaults
    # (`{otlp}` in a value: the bench's trace receiver)
    headers: Mapping[str, str] = field(default_factory=dict)  # `{token}`: an access token
    app: str = "config.wsgi:application"  # the WSGI application gunicorn serves
    chdir: str | None = None  # serve from this folder of the build directory, not the project
    script: str | None = None  # a wrk Lua script in the build directory (method, body)
    probe: str = "/health/live/"  # polled until the server answers
    server: str = "nexus"  # or "compare": the compared template's project (compare_http.py)

    def path(self, values: Mapping[str, str]) -> str:
        """The endpoint, with the product's id in it where it takes one."""
        return self.endpoint.format(**values)


def bench_app(
    key: str, label: str, endpoint: str, env: Mapping[str, str] | None = None, **options: Any
) -> Scenario:
    """A scenario served by the bench's own app (baseline.py), not by the project."""
    return Scenario(
        key,
        label,
        endpoint,
        env or {},
        app="baseline:application",
        chdir="baseline",
        probe="/",  # the bare view, served with the floors too
        **options,
    )


SCENARIOS: tuple[Scenario, ...] = (
    bench_app("baseline", "baseline: bare Django view", "/"),
    bench_app("ceiling", "ceiling: bare Django + one Redis GET of the product list", "/ceiling/"),
    # The floors: Django's default middleware and a DRF view, before any code of the project.
    bench_app("floor", "floor: Django's default middleware + a DRF view", "/floor/", FLOORS),
    bench_app(
        "floor_cached", "floor + one Redis GET of the product list", "/floor/cached/", FLOORS
    ),
    bench_app(
        "floor_me",
        "floor + a JWT checked and one user row read",
        "/floor/me/",
        FLOORS,
        headers={"Authorization": "Bearer {token}"},
    ),
    Scenario("health", "`/health/live/`", "/health/live/", STACK_ON),
    Scenario("off", "`/api/v1/`, abuse-protection stack off", ENDPOINT, STACK_OFF),
    Scenario("on", "`/api/v1/`, stack on", ENDPOINT, STACK_ON),
    Scenario("bypassed", "product list, cache bypassed", PRODUCTS, CACHE_BYPASSED),
    Scenario("warm", "product list, warm cache", PRODUCTS, CACHE_WARM),
    Scenario("detail", "one product, warm cache", PRODUCTS + "{product}/", CACHE_WARM),
    Scenario("on_unmeasured", "`/api/v1/`, stack on, metrics off", ENDPOINT, UNMEASURED),
    Scenario("on_traced", "`/api/v1/`, stack on, metrics and tracing on", ENDPOINT, TRACED),
    Scenario(
        "me",
        "`/api/v1/users/me/` with a JWT",
        ME,
        STACK_ON,
        headers={"Authorization": "Bearer {token}"},
    ),
    Scenario(
        "me_unmeasured",
        "`/api/v1/users/me/` with a JWT, metrics off",
        ME,
        UNMEASURED,
        headers={"Authorization": "Bearer {token}"},
    ),
    Scenario(
        "me_traced",
        "`/api/v1/users/me/` with a JWT, metrics and tracing on",
        ME,
        TRACED,
        headers={"Authorization": "Bearer {token}"},
    ),
    Scenario(
        "me_sampled",
        "`/api/v1/users/me/` with a JWT, metrics on, one trace in ten",
        ME,
        SAMPLED,
        headers={"Authorization": "Bearer {token}"},
    ),
    Scenario(
        "graphql",
        "GraphQL: 20 products with categories",
        "/graphql/",
        STACK_ON,
        script="graphql.lua",
    ),
    Scenario("large_list", "50,000 products: the list, cache bypassed", PRODUCTS, LARGE_BYPASSED),
    Scenario("large_search", "50,000 products: a search, cache bypassed", SEARCH, LARGE_BYPASSED),
    Scenario(
        "large_attributes",
        "50,000 products: three attributes, cache bypassed",
        ATTRIBUTES,
        LARGE_BYPASSED,
    ),
)
LARGE_SCENARIOS = ("large_list", "large_search", "large_attributes")

# The compared template's endpoints (`--compare` with cookiecutter-django), in the same rounds.
COMPARE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "compare_me",
        "cookiecutter-django `/api/users/me/` with a token",
        "/api/users/me/",
        headers={"Authorization": "Token {compare_token}"},
        probe="/admin/login/",
        server="compare",
    ),
    Scenario(
        "compare_users",
        "cookiecutter-django `/api/users/` (its user list)",
        "/api/users/",
        headers={"Authorization": "Token {compare_token}"},
        probe="/admin/login/",
        server="compare",
    ),
)
