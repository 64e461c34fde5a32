"""Where code lives: apps import each other by name, and no module outgrows one sitting.

Which app may import which is import-linter's part (`[tool.importlinter]` in pyproject.toml, run
by `make lint`); these two rules it cannot see.

Plain Python on the source files (no Django), so the Nexus template runs the same checks on every
option set it bakes.
"""

import re
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = PROJECT_ROOT / "{{ cookiecutter.project_slug }}"
# A module past this many lines holds more than one concern: split it (migrations excepted).
MAX_MODULE_LINES = 250
# A relative import at the start of a line: `from ..models import User`.
RELATIVE_IMPORT = re.compile(r"^[ \t]*from (\.+)([\w.]*) import", re.MULTILINE)


def python_modules(root: Path) -> list[Path]:
    """The project's Python files under `root`: no virtualenv, no migrations."""
    return sorted(
        path
        for path in root.rglob("*.py")
        if ".venv" not in path.parts and "migrations" not in path.parts
    )


def imports_leaving_their_app(module: Path, package_root: Path) -> list[str]:
    """Relative imports in `module` that resolve outside its own app, as `line: .target`.

    The app is the first folder under the package (`<package>/<app>/...`): `from ..core import x`
    in `<package>/users/apis.py` climbs out of `users` and is reported.
    """
    parts = module.relative_to(package_root.parent).with_suffix("").parts
    package, app = parts[:-1], parts[:2]
    text = module.read_text()
    found = []
    for match in RELATIVE_IMPORT.finditer(text):
        dots, target = match.groups()
        base = package[: len(package) - (len(dots) - 1)]
        if len(base) < len(app) or base[: len(app)] != app:
            found.append(f"{text.count(chr(10), 0, match.start()) + 1}: {dots}{target}")
    return found


def long_modules(root: Path) -> dict[str, int]:
    """Modules under `root` longer than MAX_MODULE_LINES, with their line counts."""
    return {
        str(module.relative_to(root)): lines
        for module in python_modules(root)
        if (lines := len(module.read_text().splitlines())) > MAX_MODULE_LINES
    }


def test_no_relative_import_leaves_its_app() -> None:
    climbing = {
        str(module.relative_to(PROJECT_ROOT)): found
        for module in python_modules(PACKAGE_ROOT)
        if (found := imports_leaving_their_app(module, PACKAGE_ROOT))
    }
    assert climbing == {}, "import other apps (and core) by their absolute name"


def test_no_module_is_longer_than_a_newcomer_reads_at_once() -> None:
    assert long_modules(PROJECT_ROOT) == {}


def test_the_import_check_finds_an_import_that_climbs_out_of_its_app(tmp_path: Path) -> None:
    module = tmp_path / "shop" / "accounts" / "tests" / "test_x.py"
    module.parent.mkdir(parents=True)
    module.write_text("from ..models import User\nfrom ...core.exceptions import Error\n")
    assert imports_leaving_their_app(module, tmp_path / "shop") == ["2: ...core.exceptions"]


def test_the_length_check_finds_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "long.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    assert long_modules(tmp_path) == {"long.py": MAX_MODULE_LINES + 1}
