"""Settings as a process loads them: production refuses bad configuration, the others adapt.

Production settings refuse to start on missing or placeholder configuration; local and test
settings pick their services from the environment.

Each case imports the settings in a fresh interpreter, exactly as a server would at start-up.
"""

import secrets
import subprocess
from typing import Any

import pytest

from tests.support.fresh_process import inherited_env, run_with_settings

GOOD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "api.example.com",
    "DATABASE_URL": "postgres://app:pw@db.internal:5432/app",
    "REDIS_URL": "redis://cache.internal:6379/0",
}
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def load_production_settings(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    return run_with_settings(
        PROBE, settings_module="config.settings.production", env=GOOD_ENV | overrides
    )


def test_production_settings_load_with_every_variable_set() -> None:
    result = load_production_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "Set the SECRET_KEY environment variable"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY still holds a placeholder"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 50}, "SECRET_KEY still holds a placeholder"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"DATABASE_URL": None}, "Set the DATABASE_URL environment variable"),
        ({"DATABASE_URL": "postgres://change-me@db/app"}, "DATABASE_URL still holds a placeholder"),
        ({"ALLOWED_HOSTS": None}, "Set the ALLOWED_HOSTS environment variable"),
        ({"ALLOWED_HOSTS": " "}, "Set the ALLOWED_HOSTS environment variable"),
        ({"REDIS_URL": None}, "Set the REDIS_URL environment variable"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be 'readable' or 'json'"),
        ({"RATELIMIT_LOGIN_IP": "lots"}, "RATELIMIT_LOGIN_IP must look like 20/m"),
        ({"THROTTLE_ANON_RATE": "0/m"}, "THROTTLE_ANON_RATE must look like 20/m"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or more"),
        # A flag that says neither true nor false: django-environ alone reads it as False.
        ({"SECURE_SSL_REDIRECT": "ture"}, "SECURE_SSL_REDIRECT must be true or false, not 'ture'"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false, not 'maybe'"),
        ({"METRICS_ENABLED": "yess"}, "METRICS_ENABLED must be true or false, not 'yess'"),
    ],
    ids=[
        "secret-missing",
        "secret-placeholder",
        "secret-insecure-prefix",
        "secret-short",
        "database-missing",
        "database-placeholder",
        "hosts-missing",
        "hosts-blank",
        "redis-missing",
        "log-format-unknown",
        "rate-malformed",
        "rate-zero",
        "proxy-count-negative",
        "flag-typo-ssl-redirect",
        "flag-typo-debug",
        "flag-typo-metrics",
    ],
)
def test_production_refuses_to_start_naming_the_variable(
    overrides: dict[str, str | None], message: str
) -> None:
    result = load_production_settings(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_an_empty_flag_is_its_default() -> None:
    # Found by a review: "SECURE_SSL_REDIRECT=" (a line of an env file or a ConfigMap left empty)
    # read as false and turned the redirect off; empty now means unset, as for any variable.
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECURE_SSL_REDIRECT, settings.RATELIMIT_ENABLE, settings.DEBUG)"
    )
    env = GOOD_ENV | {"SECURE_SSL_REDIRECT": "", "RATELIMIT_ENABLE": " ", "DEBUG": ""}
    result = run_with_settings(code, settings_module="config.settings.production", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]


LOCAL_PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
    "settings.CACHES['default']['BACKEND'])"
)


def load_local_settings(**env_vars: str) -> str:
    env: dict[str, str | None] = {"DATABASE_URL": None, "REDIS_URL": None} | env_vars
    result = run_with_settings(LOCAL_PROBE, settings_module="config.settings.local", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_local_settings_need_no_services() -> None:
    assert load_local_settings() == (
        "True django.db.backends.sqlite3 django.core.cache.backends.locmem.LocMemCache"
    )


def test_local_settings_use_postgres_and_redis_when_their_urls_are_set() -> None:
    assert load_local_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/app", REDIS_URL="redis://127.0.0.1:6379/0"
    ) == ("True django.db.backends.postgresql django_redis.cache.RedisCache")


# The cache's Redis database.
REDIS_PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.CACHES['default']['LOCATION'])"
)


@pytest.mark.parametrize(
    ("redis_url", "test_process", "expected"),
    [
        ("redis://127.0.0.1:6379/4", None, "redis://127.0.0.1:6379/4"),
        ("redis://127.0.0.1:6379/4", "gw0", "redis://127.0.0.1:6379/4"),
        ("redis://127.0.0.1:6379/4", "gw3", "redis://127.0.0.1:6379/7"),
        ("redis://:secret@cache.internal:6380", "gw1", "redis://:secret@cache.internal:6380/1"),
    ],
)
def test_each_parallel_test_process_has_its_own_redis_database(
    redis_url: str, test_process: str | None, expected: str
) -> None:
    env = {"REDIS_URL": redis_url, "PYTEST_XDIST_WORKER": test_process}
    result = run_with_settings(REDIS_PROBE, settings_module="config.settings.test", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_parallel_tests_need_a_database_number_in_the_redis_url() -> None:
    env = {"REDIS_URL": "unix:///run/redis.sock?db=2", "PYTEST_XDIST_WORKER": "gw1"}
    result = run_with_settings(REDIS_PROBE, settings_module="config.settings.test", env=env)
    assert result.returncode != 0
    assert "Parallel tests need REDIS_URL to name its database in the path" in result.stderr


def test_a_process_a_test_starts_uses_that_test_process_redis_database(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # As in the test process gw3 of a run on REDIS_URL=.../4: its settings moved it to .../7.
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/4")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    settings.REDIS_URL = "redis://127.0.0.1:6379/7"
    env = inherited_env()
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/7"
    assert "PYTEST_XDIST_WORKER" not in env
    # The child's test settings keep it there, not three further on again.
    result = run_with_settings(REDIS_PROBE, settings_module="config.settings.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis://127.0.0.1:6379/7"
