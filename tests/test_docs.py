"""The learning hub cannot rot: pages, registry, bakes and test suites checked against each other.

The practice registry ({{cookiecutter.project_slug}}/docs/practices.yml) names each practice's
page, the package it lives in, its files, the code that uses it and the tests that prove it. These
tests fail when a page is missing from the registry (or the registry names a missing page), a page
lacks a section or a registered test, a registered file or test exists in no bake (a bake lists
those it has), a practice's files leave its package or the bake's README does not name it, a page
cites a project path no bake has, the options reference disagrees with cookiecutter.json, or the
site does not build.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BAKES, COOKIECUTTER_JSON, TEMPLATE, UV, Bake, answers_for, run

DOCS = TEMPLATE / "docs"
REGISTRY = yaml.safe_load(
    (TEMPLATE / "{{cookiecutter.project_slug}}" / "docs" / "practices.yml").read_text()
)["practices"]
SECTIONS = ["What", "Why", "How it is built here", "Proof", "Pitfalls", "Try it"]
FIELD = "Found in the field"
# A test cited as `<project_slug>/users/tests/test_x.py::test_y` (or `<slug>/...`), or
# `tests/test_x.py::test_y` for the template's own.
CITED_TEST = re.compile(r"`((?:<project_slug>|<slug>|config|tests)/[\w/]+\.py)::(test_\w+)`")
OPTIONS = {key: value for key, value in COOKIECUTTER_JSON.items() if not key.startswith("_")}


def entries(practice: dict[str, Any], kind: str) -> Iterator[dict[str, Any]]:
    key = "path" if kind == "files" else "id"
    for entry in practice[kind]:
        yield {key: entry} if isinstance(entry, str) else entry


def applies(entry: dict[str, Any], answers: dict[str, str]) -> bool:
    return all(answers[option] == value for option, value in entry.get("when", {}).items())


@cache
def defined_tests(path: Path) -> frozenset[str]:
    """Names of the test functions (top level or in classes) a test module defines."""
    tree = ast.parse(path.read_text())
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


def test_every_practice_page_is_registered_and_every_entry_has_its_page() -> None:
    pages = {f"practices/{path.name}" for path in (DOCS / "practices").glob("*.md")}
    registered = [practice["page"] for practice in REGISTRY]
    assert len(registered) == len(set(registered)), "a page is registered twice"
    assert set(registered) == pages
    for practice in REGISTRY:
        assert practice["id"] == Path(practice["page"]).stem
        assert practice["files"], practice["id"]
        assert practice["tests"], practice["id"]


def test_the_home_page_links_every_practice() -> None:
    home = (DOCS / "index.md").read_text()
    assert [practice["page"] for practice in REGISTRY if f"]({practice['page']})" not in home] == []


def test_conditions_name_real_options_and_values() -> None:
    for practice in REGISTRY:
        for entry in [practice, *entries(practice, "files"), *entries(practice, "tests")]:
            for option, value in entry.get("when", {}).items():
                assert option in OPTIONS, f"{practice['id']}: unknown option {option!r}"
                assert value in OPTIONS[option], f"{practice['id']}: {option}={value!r}"


def test_files_and_project_tests_state_no_options_the_bake_already_decides() -> None:
    """One source of option truth: a file or a project test is listed where the bake has it.

    Only a practice, and the template's own tests (which no bake holds), carry `when`.
    """
    stated = [
        f"{practice['id']}: {entry.get('path') or entry['id']}"
        for practice in REGISTRY
        for entry in [*entries(practice, "files"), *entries(practice, "tests")]
        if "when" in entry and not entry.get("id", "").startswith("tests/")
    ]
    assert stated == []


@pytest.mark.parametrize("practice", REGISTRY, ids=lambda practice: practice["id"])
def test_every_page_has_the_sections_and_cites_its_registered_tests(
    practice: dict[str, Any],
) -> None:
    text = (DOCS / practice["page"]).read_text()
    assert text.startswith("# "), "a page starts with its title"
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    # "Found in the field" (faults real users hit, each with its test) is optional, after Pitfalls.
    assert [heading for heading in headings if heading != FIELD] == SECTIONS
    if FIELD in headings:
        assert headings.index(FIELD) == SECTIONS.index("Pitfalls") + 1
    proof = text.split("\n## Proof\n", 1)[1].split("\n## Pitfalls\n", 1)[0]
    for entry in entries(practice, "tests"):
        name = entry["id"].rsplit("::", 1)[1]
        assert name in proof, f"the Proof section does not cite {name}"


def test_every_fault_found_in_the_field_cites_a_test_that_exists(
    bake: Callable[[str], Bake],
) -> None:
    """Each bullet names the fault, the fix and a test of the default bake (or the template)."""
    project = bake("default")
    missing = []
    for practice in REGISTRY:
        text = (DOCS / practice["page"]).read_text()
        if f"\n## {FIELD}\n" not in text:
            continue
        section = text.split(f"\n## {FIELD}\n", 1)[1].split("\n## ", 1)[0]
        bullets = [line for line in section.splitlines() if line.startswith("- ")]
        assert bullets, f"{practice['id']}: an empty {FIELD} section"
        for bullet in section.split("\n- ")[1:]:
            cited = CITED_TEST.findall(bullet)
            assert cited, f"{practice['id']}: a fault without its test: {bullet[:60]}"
            for module, function in cited:
                root = TEMPLATE if module.startswith("tests/") else project.path
                path = root / re.sub(r"^<(?:project_)?slug>", project.path.name, module)
                if not path.is_file() or function not in defined_tests(path):
                    missing.append(f"{practice['id']}: {module}::{function}")
    assert missing == []


def registry_rows(project: Bake, practice: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The practice's files (its own and those that use it) and project tests this bake has."""
    slug = project.path.name
    files = [
        path.format(slug=slug)
        for path in [*practice["files"], *practice.get("elsewhere", [])]
        if (project.path / path.format(slug=slug)).exists()
    ]
    tests = []
    for entry in entries(practice, "tests"):
        test_id = entry["id"].format(slug=slug)
        module, function = test_id.split("::")
        path = project.path / module
        if not module.startswith("tests/") and path.is_file() and function in defined_tests(path):
            tests.append(test_id)
    return files, tests


def test_every_registered_file_and_test_exists_in_a_bake_with_the_options(
    bake: Callable[[str], Bake],
) -> None:
    """Listed where a bake has it, so a misspelt path would vanish from every list: not here."""
    found: set[str] = set()
    for name in BAKES:
        project = bake(name)
        for practice in REGISTRY:
            if applies(practice, answers_for(name)):
                files, tests = registry_rows(project, practice)
                found |= {path.replace(project.path.name, "{slug}", 1) for path in files}
                found |= {test_id.replace(project.path.name, "{slug}", 1) for test_id in tests}
    registered = {
        entry.get("path") or entry["id"]
        for practice in REGISTRY
        for entry in [*entries(practice, "files"), *entries(practice, "tests")]
    } | {path for practice in REGISTRY for path in practice.get("elsewhere", [])}
    missing = sorted(item for item in registered - found if not item.startswith("tests/"))
    assert missing == []
    for practice in REGISTRY:
        for entry in entries(practice, "tests"):
            if entry["id"].startswith("tests/"):
                module, function = entry["id"].split("::")
                assert function in defined_tests(TEMPLATE / module), entry["id"]


@pytest.mark.parametrize("name", list(BAKES))
def test_every_practice_of_a_bake_lists_files_and_tests_there(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    empty = []
    for practice in REGISTRY:
        if applies(practice, answers_for(name)):
            files, tests = registry_rows(project, practice)
            tests += [
                entry["id"]
                for entry in entries(practice, "tests")
                if entry["id"].startswith("tests/") and applies(entry, answers_for(name))
            ]
            if not files or not tests:
                empty.append(practice["id"])
    assert empty == []


@pytest.mark.parametrize("name", list(BAKES))
def test_the_project_lists_its_practices_from_the_registry(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    text = (project.path / "docs/PRACTICES.md").read_text()
    answers = answers_for(name)
    expected = [practice["title"] for practice in REGISTRY if applies(practice, answers)]
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == expected
    for practice in REGISTRY:
        if not applies(practice, answers):
            continue
        files, tests = registry_rows(project, practice)
        for listed in [*files, *tests]:
            assert f"`{listed}`" in text, listed
        for entry in entries(practice, "tests"):
            if entry["id"].startswith("tests/"):
                assert (f"`{entry['id']}`" in text) == applies(entry, answers), entry["id"]
    bullets = re.findall(r"^- `([^`]+)`", text, re.MULTILINE)
    for item in bullets:
        module = item.split("::")[0]
        template_test = "::" in item and module.startswith("tests/")
        root = TEMPLATE if template_test else project.path
        assert (root / module).exists(), f"PRACTICES.md lists {item}, which this bake lacks"


@pytest.mark.parametrize("name", list(BAKES))
def test_each_practice_lives_in_one_package_the_readme_names(
    bake: Callable[[str], Bake], name: str
) -> None:
    """A practice's own files sit in its `package`; the bake's README layout names that place."""
    project = bake(name)
    slug = project.path.name
    readme = (project.path / "README.md").read_text()
    layout = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    problems = []
    for practice in REGISTRY:
        if "package" not in practice or not applies(practice, answers_for(name)):
            continue
        package = practice["package"].format(slug=slug)
        if not (project.path / package).exists():
            problems.append(f"{practice['id']}: no {package}")
        outside = [
            path
            for path in practice["files"]
            if path != practice["package"] and not path.startswith(practice["package"] + "/")
        ]
        if outside:
            problems.append(
                f"{practice['id']}: files outside {package} belong in elsewhere: {outside}"
            )
        if package not in layout:
            problems.append(f"{practice['id']}: the README's layout does not name {package}")
    assert problems == []


def option_rows(markdown: str) -> dict[str, tuple[str, str]]:
    """option -> (default cell, values cell) from an `| option | default | values |` table."""
    rows = {}
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for option in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[option] = (cells[1], cells[2])
    return rows


@pytest.mark.parametrize("document", ["docs/options.md", "README.md"])
def test_the_options_reference_agrees_with_cookiecutter_json(document: str) -> None:
    rows = option_rows((TEMPLATE / document).read_text())
    assert set(rows) == set(OPTIONS)
    for option, value in OPTIONS.items():
        default, values = rows[option]
        if isinstance(value, list):
            assert default == f"`{value[0]}`", option
            assert re.findall(r"`([^`]+)`", values) == value, option
        elif "{{" not in value and default.startswith("`"):
            assert default == f"`{value}`", option


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    mkdocs = str(Path(UV).with_name("mkdocs"))
    result = run([mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")], TEMPLATE)
    assert (tmp_path / "site/index.html").is_file(), result.stderr


# What the browser tests save (save_screenshot(page, "<name>") in the bakes' tests, and the hub's
# own test), as the getting-started page shows them from docs/screenshots/ (`make screenshots`).
SCREENSHOTS = ("swagger-ui", "redoc", "storefront", "hub")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_the_getting_started_page_shows_the_screenshots_the_browser_tests_take() -> None:
    page = (DOCS / "getting-started.md").read_text()
    taken = "\n".join(
        path.read_text()
        for path in [
            *TEMPLATE.glob("{{cookiecutter.project_slug}}/**/test_*browser*.py"),
            *TEMPLATE.glob("tests/test_*browser*.py"),
        ]
    )
    for name in SCREENSHOTS:
        assert f"](screenshots/{name}.png)" in page, name
        assert f'"{name}"' in taken or f"{name}.png" in taken, f"no browser test saves {name}"
        image = DOCS / "screenshots" / f"{name}.png"
        assert image.read_bytes()[:8] == PNG_SIGNATURE, image
        assert image.stat().st_size > 10_000, f"{image} looks blank"
    assert sorted(path.stem for path in (DOCS / "screenshots").glob("*")) == sorted(SCREENSHOTS)


def test_every_project_path_a_page_cites_exists_in_a_bake(bake: Callable[[str], Bake]) -> None:
    """A generated-project file or folder a hub page names in backticks is in at least one bake.

    Cited as `<project_slug>/...` or `<slug>/...` (the package), `config/...`, `tests/support/...`
    or `docker/...` (the project's root), or `core/...`, `catalog/...` and the other apps (inside
    the package); a module, template, config or script, or a folder with its trailing slash. A
    file moved or renamed in the template without its pages fails here, naming page and path.
    """
    cited_path = re.compile(
        r"`(?:(?P<package><project_slug>/|<slug>/)|(?P<root>config/|tests/support/|docker/)"
        r"|(?P<app>(?:core|catalog|users|ip_tracking|graphql_api|idempotency)/))"
        r"(?P<rest>[\w./-]*(?:\.py|\.yml|\.html|\.toml|\.sh|Caddyfile|/))(?:::\w+)?`"
    )
    projects = [bake(name).path for name in BAKES]
    stale = []
    for page in sorted(DOCS.rglob("*.md")):
        # Commands in fenced blocks are not citations.
        prose = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
        for match in cited_path.finditer(prose):
            if match["root"]:
                relative = f"{match['root']}{match['rest']}"
            else:
                relative = f"{{slug}}/{match['app'] or ''}{match['rest']}"
            if not any((root / relative.format(slug=root.name)).exists() for root in projects):
                stale.append(f"{page.relative_to(DOCS)}: {match[0]}")
    assert stale == []
