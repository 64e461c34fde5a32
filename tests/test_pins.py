"""Every bake installs what the template tested: the locks, their narrowing, their upkeep.

The source of truth is `{{cookiecutter.project_slug}}/locks/python<X.Y>.lock` (scripts/pins.py);
the post-generation hook narrows it to a bake's pyproject.toml into uv.lock. Here: every
combination of the options that touch dependencies gets a lock uv accepts offline and would have
written itself; two bakes of the same answers get the same bytes; the locks agree with each
other, with the template's pyproject and with the uv the projects pin. The installed bakes
compare what they installed with the locks in test_generated_project.py.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COOKIECUTTER_JSON, TEMPLATE, UV, copy_template, locked_versions, run
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from find_python import find_python

LOCKS = TEMPLATE / "{{cookiecutter.project_slug}}" / "locks"
PYTHONS: list[str] = COOKIECUTTER_JSON["python_version"]
# The options that change pyproject.toml's dependencies, each with its values.
DEPENDENCY_OPTIONS = {
    option: COOKIECUTTER_JSON[option]
    for option in ("example_app", "use_celery", "use_graphql", "use_docker", "python_version")
}
COMBINATIONS = [
    dict(zip(DEPENDENCY_OPTIONS, values, strict=True))
    for values in itertools.product(*DEPENDENCY_OPTIONS.values())
]
# Project names that sort before, among and after the locked packages: the hook must place the
# project's own entry where uv would.
SLUGS = ("aardvark_api", "django_shop", "zz_store")


def bake_into(output_dir: Path, answers: dict[str, str]) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers
        )
    )


def uv_env(python: str, **extra: str) -> dict[str, str]:
    return os.environ | {"UV_PYTHON": find_python(python), "UV_PYTHON_DOWNLOADS": "never"} | extra


@pytest.mark.parametrize(
    "answers",
    COMBINATIONS,
    ids=["-".join(combination.values()) for combination in COMBINATIONS],
)
def test_every_combination_bakes_a_lock_uv_accepts_offline_and_would_have_written(
    tmp_path: Path, answers: dict[str, str]
) -> None:
    slug = SLUGS[COMBINATIONS.index(answers) % len(SLUGS)]
    project = bake_into(tmp_path, answers | {"project_slug": slug, "version": "2.0.0rc1"})
    lock = project / "uv.lock"
    written = lock.read_text()
    assert not (project / "locks").exists()
    # Current: the lock satisfies pyproject.toml with no network and nothing cached.
    empty_cache = str(tmp_path / "empty-uv-cache")
    run(
        [UV, "lock", "--locked", "--offline"],
        project,
        uv_env(answers["python_version"], UV_CACHE_DIR=empty_cache),
    )
    # Exact: with the project's own entry made stale, uv re-locks the project (keeping every
    # locked version) and writes back the very bytes the hook wrote, packages dropped included.
    name = slug.replace("_", "-")
    own_entry = f'name = "{name}"\nversion = "2.0.0rc1"\n'
    assert written.count(own_entry) == 1
    lock.write_text(written.replace(own_entry, f'name = "{name}"\nversion = "0.0.0"\n'))
    run([UV, "lock", "--quiet"], project, uv_env(answers["python_version"]))
    assert lock.read_text() == written


def test_two_bakes_of_the_same_answers_write_the_same_lock(tmp_path: Path) -> None:
    answers = {"python_version": "3.13", "use_celery": "n", "project_slug": "twice_shop"}
    first = bake_into(tmp_path / "first", answers)
    second = bake_into(tmp_path / "second", answers)
    assert (first / "uv.lock").read_bytes() == (second / "uv.lock").read_bytes()
    # Another name and version change the project's own entry and nothing else.
    other = bake_into(
        tmp_path / "other", answers | {"project_slug": "twice_mart", "version": "3.1.4"}
    )
    diff = difflib.unified_diff(
        (first / "uv.lock").read_text().splitlines(),
        (other / "uv.lock").read_text().splitlines(),
        n=0,
        lineterm="",
    )
    changed = [line for line in diff if line[:1] in "+-" and line[:3] not in {"+++", "---"}]
    assert changed == [
        '-name = "twice-shop"',
        '-version = "0.1.0"',
        '+name = "twice-mart"',
        '+version = "3.1.4"',
    ]


def test_there_is_a_lock_for_every_python_and_all_pin_the_same_versions() -> None:
    assert sorted(path.name for path in LOCKS.iterdir()) == [f"python{p}.lock" for p in PYTHONS]
    first, *others = PYTHONS
    reference = locked_versions(LOCKS / f"python{first}.lock")
    for python in others:
        assert locked_versions(LOCKS / f"python{python}.lock") == reference, python


def test_only_the_dependency_options_shape_the_projects_dependencies() -> None:
    """The combinations above cover every answer that can change what uv resolves."""
    pyproject = (TEMPLATE / "{{cookiecutter.project_slug}}" / "pyproject.toml").read_text()
    used = set(re.findall(r"cookiecutter\.(\w+)", pyproject))
    metadata = {"project_slug", "version", "description", "author_name", "author_email"}
    assert used - metadata <= set(DEPENDENCY_OPTIONS)


def test_the_locks_are_written_by_the_uv_the_generated_projects_pin() -> None:
    """A lock's format follows uv's version: the projects' CI and image run the same uv."""
    tooling = locked_versions(TEMPLATE / "uv.lock")["uv"]
    project = TEMPLATE / "{{cookiecutter.project_slug}}"
    for ci_file in (".github/workflows/ci.yml", ".gitlab-ci.yml"):
        assert f'UV_VERSION: "{tooling}"' in (project / ci_file).read_text(), ci_file
    assert f"ghcr.io/astral-sh/uv:{tooling} " in (project / "Dockerfile").read_text()
    assert (
        f"[uv](https://docs.astral.sh/uv/) {tooling} or newer"
        in (project / "README.md").read_text()
    )


@pytest.mark.parametrize("slug", ["six", "idna", "typing_extensions", "pre_commit"])
def test_a_project_named_like_a_package_it_installs_is_refused_before_anything_is_written(
    tmp_path: Path, slug: str
) -> None:
    """No lock can hold a project and a package of one name (six comes with python-dateutil)."""
    # Even over a folder of that name that exists (cookiecutter -f): nothing of it is touched.
    existing = tmp_path / slug
    existing.mkdir()
    (existing / "NOTES.txt").write_text("mine\n")
    script = (
        "from cookiecutter.main import cookiecutter; import sys; "
        "cookiecutter(sys.argv[1], no_input=True, output_dir=sys.argv[2],"
        " overwrite_if_exists=True, extra_context={'project_slug': sys.argv[3]})"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(TEMPLATE), str(tmp_path), slug],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    name = slug.replace("_", "-")
    assert (
        f"ERROR: project_slug '{slug}' is the name of a package Nexus projects install ({name})"
        in (result.stderr)
    )
    assert [path.name for path in existing.iterdir()] == ["NOTES.txt"]


def test_a_dependency_only_an_option_turned_off_asks_for_is_locked_too(tmp_path: Path) -> None:
    """The locks join every combination's requirements, not only the bake with everything on."""
    copy = copy_template(tmp_path / "template")
    pyproject = copy / "{{cookiecutter.project_slug}}" / "pyproject.toml"
    anchor = '  "whitenoise>=6.8",\n'
    extra = (
        '{%- if cookiecutter.use_celery == "n" %}\n  "sqlparse>=0.5",  # cron jobs\n{%- endif %}\n'
    )
    assert anchor in pyproject.read_text()
    pyproject.write_text(pyproject.read_text().replace(anchor, anchor + extra))
    answers = {"use_celery": "n", "project_slug": "cron_shop"}
    # Before the template is re-locked, a bake cannot get a lock: it fails, leaving nothing.
    stale = tmp_path / "stale"
    stale.mkdir()
    with pytest.raises(FailedHookException):
        cookiecutter(str(copy), no_input=True, output_dir=str(stale), extra_context=answers)
    assert list(stale.iterdir()) == []

    run([sys.executable, str(copy / "scripts" / "pins.py")], copy)
    project = Path(
        cookiecutter(str(copy), no_input=True, output_dir=str(tmp_path), extra_context=answers)
    )
    assert '{ name = "sqlparse", specifier = ">=0.5" }' in (project / "uv.lock").read_text()
    run([UV, "lock", "--locked", "--offline"], project, uv_env("3.12"))


def test_the_locks_are_what_the_pins_script_keeps() -> None:
    """scripts/pins.py --check: the template's pyproject.toml has not moved past its locks."""
    result = subprocess.run(
        [sys.executable, str(TEMPLATE / "scripts" / "pins.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 change(s) to the versions every bake installs" in result.stdout


def test_the_pins_script_upgrades_a_copy_of_the_template_and_reports_what_moved(
    tmp_path: Path,
) -> None:
    """--upgrade on a copy whose Django pin is taken back one patch release."""
    copy = copy_template(tmp_path / "template")
    first = PYTHONS[0]
    lock = copy / "{{cookiecutter.project_slug}}" / "locks" / f"python{first}.lock"
    pinned = locked_versions(lock)["django"]
    # An older lock: re-lock the copy with Django held one release back, as if it were last month.
    pyproject = copy / "{{cookiecutter.project_slug}}" / "pyproject.toml"
    original = pyproject.read_text()
    major, minor, patch = (int(part) for part in pinned.split("."))
    older = f"{major}.{minor}.{patch - 1}"
    pyproject.write_text(original.replace('"django>=5.2,<5.3"', f'"django=={older}"'))
    script = copy / "scripts" / "pins.py"
    run([sys.executable, str(script)], copy)
    pyproject.write_text(original)
    assert locked_versions(lock)["django"] == older

    result = run([sys.executable, str(script), "--upgrade"], copy)
    newest = locked_versions(lock)["django"]  # the template's pin, or a release made since
    assert tuple(map(int, newest.split("."))) >= tuple(map(int, pinned.split(".")))
    changes = (copy / "build" / "pins-changes.md").read_text()
    assert f"| django | {older} | {newest} |" in changes
    assert changes in result.stdout
    run([sys.executable, str(script), "--check"], copy)


def test_the_npm_packages_the_browser_tests_inject_are_pinned_exactly_with_integrity() -> None:
    """package.json asks for exact versions; package-lock.json holds them, each with its hash.

    `npm ci` installs the lock as it is and fails when the two disagree; a range in package.json
    would let `npm install` move the version the tests were proven with.
    """
    project = TEMPLATE / "{{cookiecutter.project_slug}}"
    wanted = json.loads((project / "package.json").read_text())["devDependencies"]
    lock = json.loads((project / "package-lock.json").read_text())
    assert lock["lockfileVersion"] == 3
    assert lock["packages"][""]["devDependencies"] == wanted
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: {version} is not exact"
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version
        assert entry["integrity"].startswith("sha512-")
