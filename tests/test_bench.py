"""`make bench` works end to end: its smoke mode runs every step once, briefly.

It bakes and installs the default project, times the bakes, the install and the project's tests,
serves every benchmarked endpoint and the bare-Django baseline under wrk, draws the chart, and
times a second template for `--compare` (a tiny one made here). The figures themselves are not
asserted: speed goals live in docs/benchmarks.md, never in tests.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]

SMOKE = TEMPLATE / "build" / "bench-smoke"


def tiny_template(root: Path) -> Path:
    """The smallest cookiecutter template with a pyproject and one passing test."""
    project = root / "tiny" / "{{cookiecutter.project_slug}}"
    (project / "tests").mkdir(parents=True)
    (root / "tiny" / "cookiecutter.json").write_text('{"project_slug": "tiny_app"}\n')
    (project / "pyproject.toml").write_text(
        '[project]\nname = "tiny-app"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
        'dependencies = []\n\n[dependency-groups]\ndev = ["pytest>=8"]\n'
    )
    (project / "tests" / "test_tiny.py").write_text("def test_one() -> None:\n    assert 1\n")
    return root / "tiny"


def test_the_benchmark_runs_every_step_and_leaves_the_docs_alone(tmp_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (Debian: apt-get install wrk); .ci/run installs it")
    # What a full run writes: the page, its figures, the capacity model's section.
    written = [
        TEMPLATE / "docs" / name
        for name in ("benchmarks.md", "benchmarks.json", "practices/scaling-out.md")
    ]
    docs = [path.read_text() for path in written]
    other = tiny_template(tmp_path)
    run(
        [sys.executable, "benchmarks/run.py", "--smoke", "--compare", str(other)],
        TEMPLATE,
        timeout=900,
    )
    results = json.loads((SMOKE / "results.json").read_text())
    assert {key for key, *_ in results["plan"]} == set(results["http"])
    assert "baseline" in results["http"]
    assert all(figures["rps"] > 0 for figures in results["http"].values())
    template = results["template"]
    assert template["bake_default_s"]
    assert template["bake_minimal_s"]
    assert template["install_warm_s"] > 0
    assert template["packages"] > template["runtime_packages"] > 0
    assert template["tests_passed"] >= 1
    assert results["catalog_cache"]["queries_warm"] == 0
    compare = results["compare"]
    assert compare["name"] == "tiny"
    assert compare["tests_passed"] == 1, compare["notes"]
    assert (SMOKE / "benchmarks-http.png").read_bytes().startswith(b"\x89PNG")
    assert [path.read_text() for path in written] == docs
