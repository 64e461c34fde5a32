"""Where code lives, in every bake: the generated project's own layout checks
(config/tests/test_layout.py), run here on each option set without installing it.

They need no Django: the bake's test module is loaded from its file and its checks called on the
bake's package.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from conftest import BAKES, Bake, module_from_file


def layout_checks(project: Path) -> ModuleType:
    """The bake's config/tests/test_layout.py, loaded as a plain module."""
    path = project / "config" / "tests" / "test_layout.py"
    return module_from_file(path, f"layout_{project.parent.name}")


@pytest.mark.parametrize("name", list(BAKES))
def test_no_relative_import_leaves_its_app(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name).path
    checks = layout_checks(project)
    package_root = project / project.name
    climbing = {
        str(module.relative_to(project)): found
        for module in checks.python_modules(package_root)
        if (found := checks.imports_leaving_their_app(module, package_root))
    }
    assert climbing == {}


@pytest.mark.parametrize("name", list(BAKES))
def test_no_module_is_longer_than_a_newcomer_reads_at_once(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name).path
    assert layout_checks(project).long_modules(project) == {}
