"""Every option set bakes into a complete, clean project (no install needed for these checks)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from conftest import (
    BAKES,
    COOKIECUTTER_JSON,
    Bake,
    answers_for,
    project_files,
    record_project_files,
)
from pytest_cookies.plugin import Cookies

RUFF = str(Path(sys.executable).with_name("ruff"))
UNRENDERED: list[str] = COOKIECUTTER_JSON["_copy_without_render"]


def test_the_bakes_cover_every_value_of_every_option() -> None:
    for option, values in COOKIECUTTER_JSON.items():
        if option.startswith("_") or not isinstance(values, list):
            continue
        default = values[0]
        baked = {bake.get(option, default) for bake in BAKES.values()}
        assert baked == set(values), f"{option}: no bake uses {set(values) - baked}"


def test_the_files_checked_are_those_the_template_wrote(tmp_path: Path) -> None:
    # The bakes are shared: another test may have run the bake's suite in one first.
    for name in ("settings.py", "notes.md"):
        (tmp_path / name).write_text("x\n")
    record_project_files(tmp_path)
    (tmp_path / ".coverage").write_bytes(b"SQLite {% \x00")
    (tmp_path / "notes.md").unlink()
    assert project_files(tmp_path) == [tmp_path / "settings.py"]


@pytest.mark.parametrize("name", list(BAKES))
def test_bake_leaves_no_jinja_in_any_file_or_file_name(
    bake: Callable[[str], Bake], name: str
) -> None:
    root = bake(name).path
    for path in project_files(root):
        rel = path.relative_to(root)
        assert "{{" not in str(rel), rel
        assert "{%" not in str(rel), rel
        text = path.read_text(errors="replace")
        if ".github" in rel.parts:  # GitHub's own expressions and docker/metadata-action's
            text = re.sub(
                r"\$\{\{.*?\}\}|\{\{(is_default_branch|version|major|minor)\}\}", "", text
            )
        # Files copied unrendered (_copy_without_render: Django templates, Prometheus rules,
        # Grafana dashboards): their {{ }} are Django's, Prometheus's or Grafana's.
        unrendered = any(fnmatch(str(rel), pattern) for pattern in UNRENDERED)
        for marker in ("cookiecutter.",) if unrendered else ("{{", "{%", "{#", "cookiecutter."):
            assert marker not in text, f"{rel} still holds {marker!r}"


@pytest.mark.parametrize("name", list(BAKES))
def test_bake_is_ruff_clean(bake: Callable[[str], Bake], name: str) -> None:
    root = bake(name).path
    for args in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [RUFF, *args], cwd=root, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"ruff {' '.join(args)}:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("name", list(BAKES))
def test_every_yaml_toml_and_json_file_parses(bake: Callable[[str], Bake], name: str) -> None:
    parsers: dict[str, Callable[[str], object]] = {
        ".toml": lambda text: tomllib.loads(text),
        ".json": lambda text: json.loads(text),
        ".yml": lambda text: list(yaml.safe_load_all(text)),
        ".yaml": lambda text: list(yaml.safe_load_all(text)),
    }
    checked = 0
    for path in project_files(bake(name).path):
        if path.suffix in parsers:
            parsers[path.suffix](path.read_text())
            checked += 1
    assert checked >= 1  # pyproject.toml at least


@pytest.mark.parametrize("name", list(BAKES))
def test_bake_writes_the_answers_into_the_project(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name)
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text())
    answers = answers_for(name)
    assert pyproject["project"]["requires-python"] == f">={answers['python_version']}"
    assert pyproject["project"]["description"] == answers["description"]
    assert (project.path / ".python-version").read_text().strip() == answers["python_version"]
    base = (project.path / "config" / "settings" / "base.py").read_text()
    assert f'TIME_ZONE = "{answers["timezone"]}"' in base
    assert answers["domain_name"] in (project.path / "Makefile").read_text()


EXPECTED_ALWAYS = [
    "README.md",
    "Makefile",
    "pyproject.toml",
    "manage.py",
    "conftest.py",
    ".env",
    ".env.example",
    ".gitignore",
    ".python-version",
    "config/settings/base.py",
    "config/settings/local.py",
    "config/settings/test.py",
    "config/settings/production.py",
    "config/settings/env.py",
    "config/settings/components/caches.py",
    "config/settings/components/security.py",
    "config/settings/components/rest_framework.py",
    "config/settings/components/throttling.py",
    "config/settings/components/jwt.py",
    "config/settings/components/spectacular.py",
    "config/settings/components/logging.py",
    "config/urls.py",
    "config/api_urls.py",
    "{slug}/core/health/readiness.py",
    "{slug}/core/api/middleware.py",
    "{slug}/core/health/middleware.py",
    "{slug}/core/observability/middleware.py",
    "tests/support/fresh_process.py",
    "{slug}/users/models.py",
    "{slug}/users/migrations/0001_initial.py",
]
CATALOG_FILES = [
    "{slug}/catalog/models.py",
    "{slug}/catalog/services.py",
    "{slug}/catalog/confirmations.py",
    "{slug}/catalog/selectors.py",
    "{slug}/catalog/apis.py",
    "{slug}/catalog/migrations/0001_initial.py",
    "{slug}/catalog/management/commands/seed_catalog.py",
    "{slug}/catalog/tests/test_concurrency.py",
    "config/settings/components/catalog.py",
]
CELERY_FILES = [
    "config/celery.py",
    "config/settings/components/celery.py",
    "{slug}/core/management/commands/worker_health.py",
    "config/tests/test_worker.py",
    "{slug}/ip_tracking/tasks.py",
]
CATALOG_CELERY_FILES = [
    "{slug}/catalog/tasks.py",
    "{slug}/catalog/tests/test_worker.py",
    "{slug}/catalog/tests/test_worker_lost.py",
]
GRAPHQL_FILES = [
    "schema.graphql",
    "{slug}/graphql_api/schema.py",
    "{slug}/graphql_api/apis.py",
    "{slug}/graphql_api/tests/test_endpoint.py",
    "config/settings/components/graphql.py",
    "{slug}/users/graphql.py",
    "tests/support/graphql_client.py",
]
CATALOG_GRAPHQL_FILES = [
    "{slug}/catalog/graphql.py",
    "{slug}/catalog/tests/graphql_documents.py",
    "{slug}/catalog/tests/test_graphql_queries.py",
    "{slug}/catalog/tests/test_graphql_mutations.py",
    "{slug}/catalog/tests/test_graphql_limits.py",
]
LICENSE_FIRST_LINES = {
    "MIT": "MIT License",
    "BSD-3-Clause": "BSD 3-Clause License",
    "Apache-2.0": "Apache License",
    "GPL-3.0": "GNU GENERAL PUBLIC LICENSE",
}


def check_option(
    project: Bake, *, chosen: bool, files: list[str], words: tuple[str, ...], texts: tuple[str, ...]
) -> None:
    """A chosen option's files are all there; an unchosen one leaves no file and no mention."""
    slug = project.path.name
    present = [rel for rel in files if (project.path / rel.format(slug=slug)).exists()]
    if chosen:
        assert present == files
        return
    assert present == []
    for rel in texts:
        text = (project.path / rel).read_text().lower()
        for word in words:
            assert word not in text, f"{rel} mentions {word!r}"


@pytest.mark.parametrize("name", list(BAKES))
def test_expected_files_are_present_and_pruned_ones_absent(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    slug = project.path.name
    answers = answers_for(name)

    def exists(rel: str) -> bool:
        return (project.path / rel.format(slug=slug)).exists()

    assert [rel for rel in EXPECTED_ALWAYS if not exists(rel)] == []
    assert not exists("LICENSES")
    if answers["example_app"] == "catalog":
        assert [rel for rel in CATALOG_FILES if not exists(rel)] == []
    else:
        assert not exists("{slug}/catalog")
        for rel in ("config/settings/base.py", "config/api_urls.py", "Makefile", "README.md"):
            assert "catalog" not in (project.path / rel).read_text().lower(), rel
    catalog = answers["example_app"] == "catalog"
    check_option(
        project,
        chosen=answers["use_celery"] == "y",
        files=CELERY_FILES + (CATALOG_CELERY_FILES if catalog else []),
        words=("celery",),
        texts=("pyproject.toml", "config/settings/base.py", "Makefile", ".env.example"),
    )
    if answers["use_celery"] == "n":
        assert not exists("{slug}/core/management")  # no empty package left behind
        assert (project.path / "config/__init__.py").read_text() == ""
    check_option(
        project,
        chosen=answers["use_graphql"] == "y",
        files=GRAPHQL_FILES + (CATALOG_GRAPHQL_FILES if catalog else []),
        words=("graphql", "strawberry"),
        texts=(
            "pyproject.toml",
            "config/settings/base.py",
            "config/settings/components/security.py",
            "config/urls.py",
            "README.md",
        ),
    )
    license_file = project.path / "LICENSE"
    if answers["open_source_license"] == "Not open source":
        assert not license_file.exists()
    else:
        first_line = license_file.read_text().strip().splitlines()[0].strip()
        assert first_line == LICENSE_FIRST_LINES[answers["open_source_license"]]


def test_post_gen_prints_the_next_steps_and_keeps_env_private(
    cookies: Cookies, capfd: pytest.CaptureFixture[str]
) -> None:
    result = cookies.bake()
    assert result.exit_code == 0
    out = capfd.readouterr().out
    for step in ("make install", "make run", "make test"):
        assert step in out
    env_file = result.project_path / ".env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
