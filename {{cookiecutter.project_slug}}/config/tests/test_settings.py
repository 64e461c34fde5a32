"""Production settings refuse to start on missing or placeholder configuration.

Each case imports the settings in a fresh interpreter, exactly as a server would at start-up.
"""

import secrets
import subprocess

import pytest

from tests.support.fresh_process import run_with_settings

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
    ],
)
def test_production_refuses_to_start_naming_the_variable(
    overrides: dict[str, str | None], message: str
) -> None:
    result = load_production_settings(**overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


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
