"""Other processes in tests: a fresh interpreter under given settings (exactly how a server loads
them), and servers or workers started on the test database and the real Redis."""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def run_with_settings(
    code: str, *, settings_module: str, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Variables set to None are removed; the project's .env file is not read."""
    full_env = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    full_env |= {"DJANGO_SETTINGS_MODULE": settings_module, "DJANGO_READ_ENV_FILE": "false"}
    return subprocess.run(  # noqa: S603 - our own interpreter, code from the test itself
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def skip_without_services() -> None:
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs the real PostgreSQL and Redis (set DATABASE_URL and REDIS_URL)")


def server_env(**overrides: str) -> dict[str, str]:
    """Environment for a server or worker subprocess on the test database and the real Redis.

    Not under coverage: its subprocess patch and forked workers (gunicorn's, Celery's pool) hang
    together. The project's .env file is not read.
    """
    database_url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format_map(
        connection.settings_dict
    )
    return (
        {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
        | {
            "DJANGO_READ_ENV_FILE": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": str(settings.REDIS_URL),
        }
        | overrides
    )
