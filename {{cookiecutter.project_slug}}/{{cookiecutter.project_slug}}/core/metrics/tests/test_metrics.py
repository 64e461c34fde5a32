"""The metrics recorded in process: routes, methods, status classes, SQL, cache, 429s."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from {{ cookiecutter.project_slug }}.core.cache import get_or_build, invalidate
from {{ cookiecutter.project_slug }}.core.metrics.middleware import UNMATCHED

from tests.support.fresh_process import run_in_production, run_with_settings

pytestmark = pytest.mark.django_db


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def responses(method: str, route: str, status_class: str) -> float:
    labels = {"method": method, "route": route, "status_class": status_class}
    return value("http_server_responses_total", **labels)


def test_a_request_is_counted_and_timed_under_its_route_name_not_its_path(client: Client) -> None:
    before = responses("GET", "api-v1:root", "2xx")
    timed = value("http_server_request_duration_seconds_count", method="GET", route="api-v1:root")
    assert client.get("/api/v1/").status_code == 200
    assert responses("GET", "api-v1:root", "2xx") == before + 1
    after = value("http_server_request_duration_seconds_count", method="GET", route="api-v1:root")
    assert after == timed + 1


def test_paths_no_pattern_matches_share_one_series(client: Client) -> None:
    before = responses("GET", UNMATCHED, "4xx")
    for path in ("/no/such/page/", "/wp-login.php", "/api/v1/nothing-here/"):
        assert client.get(path).status_code == 404
    assert responses("GET", UNMATCHED, "4xx") == before + 3


def test_what_a_middleware_answers_is_counted_under_its_route(client: Client) -> None:
    before = responses("GET", "health:live", "2xx")
    assert client.get("/health/live/").status_code == 200  # answered before the URLconf runs
    assert responses("GET", "health:live", "2xx") == before + 1


def test_a_made_up_method_is_one_label_value(client: Client) -> None:
    before = responses("other", "api-v1:root", "4xx")
    assert client.generic("BREW", "/api/v1/").status_code == 405
    assert responses("other", "api-v1:root", "4xx") == before + 1


def test_every_sql_statement_is_timed(client: Client, user) -> None:
    before = value("db_client_query_duration_seconds_count", alias="default")
    with CaptureQueriesContext(connection) as queries:
        list(type(user).objects.filter(pk=user.pk))
        type(user).objects.filter(pk=user.pk).update(is_active=True)
    after = value("db_client_query_duration_seconds_count", alias="default")
    assert after - before == len(queries) >= 2


def test_cache_lookups_count_hits_and_misses_per_namespace(require_redis: None) -> None:
    def hits(result: str) -> float:
        return value("cache_lookups_total", namespace="metrics-test", result=result)

    before = hits("hit"), hits("miss")
    for _ in range(3):
        get_or_build(["metrics-test"], "part", lambda: "built", timeout=60)
    invalidate("metrics-test")
    get_or_build(["metrics-test"], "part", lambda: "built", timeout=60)
    assert (hits("hit") - before[0], hits("miss") - before[1]) == (2, 2)


def test_cache_errors_are_counted(unreachable_cache: None) -> None:
    before = value("cache_lookups_total", namespace="metrics-test", result="error")
    assert get_or_build(["metrics-test"], "part", lambda: "built", timeout=60) == "built"
    assert value("cache_lookups_total", namespace="metrics-test", result="error") == before + 1


def test_a_429_is_counted_under_the_limit_that_refused_it(client: Client, settings) -> None:
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "login_ip": "2/d"}
    before = value("rate_limit_refusals_total", limit="login_ip")
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"email": f"guess{n}@example.com", "password": "wrong"},
            content_type="application/json",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]
    assert value("rate_limit_refusals_total", limit="login_ip") == before + 1


@pytest.mark.parametrize("enabled", ["false", "true"])
def test_metrics_can_be_switched_off_in_the_settings(enabled: str) -> None:
    result = run_in_production(
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.db.backends.signals import connection_created\n"
        "print(any('MetricsMiddleware' in m for m in settings.MIDDLEWARE),"
        " connection_created.has_listeners())",
        METRICS_ENABLED=enabled,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [enabled.title()] * 2


@pytest.mark.parametrize(
    "word", ["true", "True", "on", "ok", "y", "yes", "1", "false", "0", "no", "off", "N", ""]
)
def test_gunicorn_reads_metrics_enabled_as_the_settings_do(word: str) -> None:
    result = run_with_settings(
        "import runpy\n"
        "from config.settings.env import Env\n"
        "config = runpy.run_path('config/gunicorn.py')\n"
        "print(config['metrics_enabled'] == Env().bool('METRICS_ENABLED', default=True))",
        settings_module="config.settings.test",
        env={"METRICS_ENABLED": word, "PROMETHEUS_MULTIPROC_DIR": "/nonexistent"},
    )
    assert result.stdout.strip() == "True", result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("METRICS_PORT", "9100abc", "METRICS_PORT must be a whole number from 1 to 65535"),
        ("METRICS_PORT", "99999", "METRICS_PORT must be a whole number from 1 to 65535"),
        ("METRICS_PORT", "0", "METRICS_PORT must be a whole number from 1 to 65535"),
        ("WEB_CONCURRENCY", "two", "WEB_CONCURRENCY must be a whole number"),
        ("GUNICORN_TIMEOUT", "-1", "GUNICORN_TIMEOUT must be a whole number"),
        ("METRICS_ENABLED", "maybe", "METRICS_ENABLED must be true or false"),
    ],
)
def test_gunicorn_refuses_a_wrong_setting_in_one_line(name: str, value: str, message: str) -> None:
    result = run_with_settings(
        "import runpy; runpy.run_path('config/gunicorn.py')",
        settings_module="config.settings.test",
        env={name: value, "PROMETHEUS_MULTIPROC_DIR": "/nonexistent"},
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"{message}, not {value!r}"
