"""Settings that are valid one by one but contradict each other stop every process at start-up.

Each relation is a system check (core/checks.py, tag "settings"); CoreConfig.ready runs them, so
gunicorn and task workers, which run no system checks of their own, refuse to start too.
"""

from datetime import timedelta

import pytest
from django.core import checks

from {{ cookiecutter.project_slug }}.core.checks import check_token_lifetimes

from tests.support.fresh_process import run_with_settings

START = "import django; django.setup(); print('started')"


def test_the_shipped_settings_contradict_nothing() -> None:
    assert checks.run_checks(tags=["settings"]) == []


def test_an_access_token_that_outlives_its_refresh_token_is_an_error(settings) -> None:
    settings.SIMPLE_JWT = settings.SIMPLE_JWT | {
        "ACCESS_TOKEN_LIFETIME": timedelta(days=2),
        "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    }
    assert [error.id for error in check_token_lifetimes(None)] == ["core.E001"]


@pytest.mark.parametrize("settings_module", ["config.settings.local", "config.settings.test"])
def test_a_process_with_contradicting_settings_does_not_start(settings_module: str) -> None:
    result = run_with_settings(
        START,
        settings_module=settings_module,
        env={"JWT_ACCESS_MINUTES": str(3 * 24 * 60), "JWT_REFRESH_DAYS": "1"},
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: Settings contradict")
    assert (
        "(core.E001) JWT_ACCESS_MINUTES (3 days, 0:00:00) must be shorter than JWT_REFRESH_DAYS"
        " (1 day, 0:00:00)"
    ) in last


def test_a_process_with_consistent_settings_starts() -> None:
    result = run_with_settings(START, settings_module="config.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
