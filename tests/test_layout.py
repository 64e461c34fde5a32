"""Where code lives in a bake: each app imports another only by its absolute name, and no module
grows past what a newcomer reads in one sitting.

import-linter's contracts (which app may import which) run inside the installed bakes
(tests/test_generated_project.py); these checks need no install, so they run on every bake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BAKES, Bake

# A module past this many lines holds more than one concern: split it (migrations excepted).
MAX_MODULE_LINES = 250
# A relative import at the start of a line. (A regular expression, not ast: the template's
# tooling may run an older Python than the bakes' syntax.)
RELATIVE_IMPORT = re.compile(r"^[ \t]*from (\.+)([\w.]*) import", re.MULTILINE)


def python_modules(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*.py")
        if ".venv" not in path.parts and "migrations" not in path.parts
    )


def climbing_imports(module: Path, package_root: Path) -> list[str]:
    """Relative imports in `module` whose target lies outside its own app.

    The app is the first folder under the project's package (`<slug>/<app>/...`); a relative import
    that resolves above it, or anywhere outside the package, is reported as `line: source`.
    """
    parts = module.relative_to(package_root.parent).with_suffix("").parts
    package = parts[:-1]  # the package a relative import starts from
    app = parts[:2]
    text = module.read_text()
    found = []
    for match in RELATIVE_IMPORT.finditer(text):
        dots, target = match.groups()
        base = package[: len(package) - (len(dots) - 1)]
        if len(base) < len(app) or base[: len(app)] != app:
            found.append(f"{text.count(chr(10), 0, match.start()) + 1}: {dots}{target}")
    return found


@pytest.mark.parametrize("name", list(BAKES))
def test_no_relative_import_leaves_its_app(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name).path
    package_root = project / project.name
    climbing = {
        str(module.relative_to(project)): found
        for module in python_modules(package_root)
        if (found := climbing_imports(module, package_root))
    }
    assert climbing == {}, "import other apps (and core) by their absolute name"


@pytest.mark.parametrize("name", list(BAKES))
def test_no_module_is_longer_than_a_newcomer_reads_at_once(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name).path
    long_modules = {
        str(module.relative_to(project)): lines
        for module in python_modules(project)
        if (lines := len(module.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long_modules == {}


def test_the_check_finds_an_import_that_climbs_out_of_its_app(tmp_path: Path) -> None:
    """The check above can fail: an import two levels up from an app's tests is caught."""
    package_root = tmp_path / "shop"
    module = package_root / "catalog" / "tests" / "test_x.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from ..models import Product\nfrom ...core.exceptions import ApplicationError\n"
    )
    assert climbing_imports(module, package_root) == ["2: ...core.exceptions"]
