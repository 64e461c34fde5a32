"""The learning hub cannot rot: pages, registry, bakes and test suites checked against each other.

The practice registry ({{cookiecutter.project_slug}}/docs/practices.yml) names each practice's
page, the files that implement it in a generated project and the tests that prove it. These tests
fail when a page is missing from the registry (or the registry names a missing page), a page lacks
a section or a registered test, a listed file is absent from a bake that has the practice's
options, a listed test does not exist in that bake's suite, the options reference disagrees with
cookiecutter.json, or the site does not build.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

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


def entries(practice: dict, kind: str) -> Iterator[dict]:
    key = "path" if kind == "files" else "id"
    for entry in practice[kind]:
        yield {key: entry} if isinstance(entry, str) else entry


def applies(entry: dict, answers: dict[str, str]) -> bool:
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


@pytest.mark.parametrize("practice", REGISTRY, ids=lambda practice: practice["id"])
def test_every_page_has_the_sections_and_cites_its_registered_tests(practice: dict) -> None:
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


@pytest.mark.parametrize("name", list(BAKES))
def test_registered_files_and_tests_exist_in_every_bake_with_the_options(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    slug = project.path.name
    answers = answers_for(name)
    missing = []
    for practice in REGISTRY:
        if not applies(practice, answers):
            continue
        for entry in entries(practice, "files"):
            path = entry["path"].format(slug=slug)
            if applies(entry, answers) and not (project.path / path).exists():
                missing.append(f"{practice['id']}: file {path}")
        for entry in entries(practice, "tests"):
            if not applies(entry, answers):
                continue
            module, function = entry["id"].format(slug=slug).split("::")
            root = TEMPLATE if module.startswith("tests/") else project.path
            path = root / module
            if not path.is_file() or function not in defined_tests(path):
                missing.append(f"{practice['id']}: test {module}::{function}")
    assert missing == []


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
        for entry in entries(practice, "tests"):
            test_id = entry["id"].format(slug=project.path.name)
            assert (f"`{test_id}`" in text) == applies(entry, answers), test_id


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
