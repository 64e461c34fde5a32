"""Install the default, minimal and rest-only bakes and run their own gates, as their CI would.

Each bake's suite runs twice: on SQLite and the in-process cache (zero services), then on the real
PostgreSQL and Redis on 127.0.0.1. These are the slowest tests (an install each, shared through
the `installed` fixture), marked `slow`.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable

import pytest
from conftest import SCREENSHOTS, TEMPLATE, UV, Bake, answers_for, locked_versions, run

pytestmark = pytest.mark.slow

# One xdist group per bake: its tests share one worker, hence one install.
INSTALLED = [
    pytest.param(name, marks=pytest.mark.xdist_group(name))
    for name in ("default", "minimal", "rest-only")
]


def passed(output: str) -> int:
    match = re.search(r"(\d+) passed", output)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("name", INSTALLED)
def test_the_installed_versions_are_the_ones_the_template_pins(
    installed: Callable[[str], Bake], name: str
) -> None:
    """What `make install` put in .venv, against the source of truth, not the bake's own lock."""
    project = installed(name)
    python = answers_for(name)["python_version"]
    pinned = locked_versions(
        TEMPLATE / "{{cookiecutter.project_slug}}" / "locks" / f"python{python}.lock"
    )
    venv_python = str(project.path / ".venv" / "bin" / "python")
    args = [UV, "pip", "list", "--format", "json", "--python", venv_python]
    listing = run(args, project.path, project.env()).stdout
    installed_versions = {entry["name"]: entry["version"] for entry in json.loads(listing)}
    assert len(installed_versions) >= 60
    assert {n: v for n, v in installed_versions.items() if pinned.get(n) != v} == {}
    # And nothing the bake's options do not need: each is in its uv.lock, which holds no more.
    assert set(installed_versions) <= set(locked_versions(project.path / "uv.lock"))


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_suite_passes_on_sqlite_with_no_services(
    installed: Callable[[str], Bake], name: str
) -> None:
    project = installed(name)
    # The browser tests open the same pages on either database: they run once, with the services
    # (below), and not here, where a minute of Chromium per bake would prove nothing more.
    result = project.suite("-m", "not browser")
    assert passed(result.stdout) >= 30
    assert "Required test coverage of 90" in result.stdout


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_suite_passes_on_real_postgres_and_redis(
    installed: Callable[[str], Bake], name: str
) -> None:
    project = installed(name)
    # The default bake's browser tests leave their screenshots for `make screenshots`.
    shots = {"BROWSER_SCREENSHOTS_DIR": str(SCREENSHOTS)} if name == "default" else {}
    result = project.suite(**project.service_env(), **shots)
    assert passed(result.stdout) >= 30
    assert " skipped" not in result.stdout.splitlines()[-1]  # nothing skipped for lack of a service


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_project_passes_check_deploy_under_production_settings(
    installed: Callable[[str], Bake], name: str
) -> None:
    project = installed(name)
    project.manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_READ_ENV_FILE="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="api.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_project_has_every_migration(installed: Callable[[str], Bake], name: str) -> None:
    installed(name).manage("makemigrations", "--check", "--dry-run")


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_openapi_schema_validates_without_warnings(
    installed: Callable[[str], Bake], name: str
) -> None:
    installed(name).manage("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_project_type_checks_with_mypy(
    installed: Callable[[str], Bake], name: str
) -> None:
    installed(name).tool("mypy", ".")


@pytest.mark.parametrize("name", INSTALLED)
def test_generated_project_keeps_its_import_contracts(
    installed: Callable[[str], Bake], name: str
) -> None:
    """import-linter's contracts ([tool.importlinter]): layers between apps and inside each."""
    installed(name).tool("lint-imports", "--no-cache")
