"""What the template costs: bake times, installs, the runtime environment, the project's tests,
and the same timings of another cookiecutter template (`--compare`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .config import BENCH_REDIS_DB, POSTGRES, REDIS, ROOT, Config
from .shell import UV, sh, step, timed, uv_env

MINIMAL_ANSWERS = (
    "example_app=none",
    "use_celery=n",
    "use_graphql=n",
    "use_docker=n",
    "ci_tool=none",
)


def bake(template: Path, out: Path, *answers: str, tolerant: bool = False) -> tuple[float, Path]:
    """One `cookiecutter --no-input` into an empty directory: its wall time and the project.

    `tolerant` (another template): a failing post-generation step, after every file is written,
    keeps the project (`--keep-project-on-failure`) instead of ending the run."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cookiecutter = str(Path(sys.executable).with_name("cookiecutter"))
    args = [cookiecutter, "--no-input", "-o", str(out), str(template), *answers]
    if tolerant:
        started = time.perf_counter()
        subprocess.run([*args, "--keep-project-on-failure"], cwd=ROOT, capture_output=True)
        seconds = time.perf_counter() - started
    else:
        seconds, _ = timed(args, ROOT)
    [project] = [path for path in out.iterdir() if path.is_dir()]
    return seconds, project


def bake_times(
    template: Path, build: Path, name: str, runs: int, *answers: str, tolerant: bool = False
) -> list[float]:
    step(f"baking {name} {runs} times")
    out = build / "bakes" / name
    return [bake(template, out, *answers, tolerant=tolerant)[0] for _ in range(runs)]


def dist_count(venv: Path) -> int:
    return len(list(venv.glob("lib/python*/site-packages/*.dist-info")))


def install_project(project: Path) -> None:
    """The documented install: `uv sync --locked` (all groups) from the lock the bake came with."""
    step(f"installing {project.name} (uv sync --locked)")
    sh([UV, "sync", "--locked"], project, uv_env())


def install_times(project: Path, build: Path, cold: bool) -> dict[str, float]:
    """`uv sync --locked` into fresh environments: with the package cache as it is (warm), and
    with an empty cache (cold: every wheel downloaded from PyPI)."""
    cold_cache = build / "cold-cache"
    modes: dict[str, dict[str, str]] = {"warm": {}}
    if cold:
        modes["cold"] = {"UV_CACHE_DIR": str(cold_cache)}
    figures: dict[str, float] = {}
    for mode, extra in modes.items():
        target = build / f"venv-{mode}"
        shutil.rmtree(target, ignore_errors=True)
        step(f"timing a fresh install with a {mode} cache")
        env = uv_env(UV_PROJECT_ENVIRONMENT=str(target), **extra)
        figures[f"install_{mode}_s"], _ = timed([UV, "sync", "--locked"], project, env)
        figures["packages"] = dist_count(target)
        shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(cold_cache, ignore_errors=True)
    return figures


def runtime_environment(project: Path, build: Path) -> dict[str, float]:
    """The environment the Docker image ships: the Dockerfile's builder command (`uv sync
    --locked --no-dev`, bytecode compiled) into a fresh directory. The image adds the
    python:X.Y-slim base to it."""
    target = build / "runtime-venv"
    shutil.rmtree(target, ignore_errors=True)
    env = uv_env(UV_PROJECT_ENVIRONMENT=str(target), UV_COMPILE_BYTECODE="1", UV_LINK_MODE="copy")
    step("measuring the image's runtime environment (uv sync --locked --no-dev)")
    sh([UV, "sync", "--locked", "--no-dev"], project, env)
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file() and not f.is_symlink())
    return {"runtime_env_mb": size / 1_000_000, "runtime_packages": dist_count(target)}


def health_tests(project: Path) -> Path:
    """The project's health-probe tests, wherever the core package keeps them: exactly one file."""
    found = sorted(project.glob("*/core/**/tests/test_health.py"))
    if len(found) != 1:
        sys.exit(
            f"bench: expected one */core/**/tests/test_health.py in {project}, found {len(found)}"
            + "".join(f"\n  {path}" for path in found)
        )
    return found[0]


def test_suite_time(project: Path, smoke: bool) -> dict[str, float]:
    """The project's own suite as `make test` runs it, with no service (SQLite, in-process
    cache): what a contributor waits for. The smoke mode runs one module. As on a contributor's
    machine, Python may write the bytecode it compiles (PYTHONDONTWRITEBYTECODE is dropped)."""
    dropped = {"DATABASE_URL", "REDIS_URL", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    args = [UV, "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", "--create-db"]
    if smoke:
        args += ["--no-cov", str(health_tests(project))]
    step("timing the project's test suite (no services)")
    seconds, out = timed(args, project, env)
    passed = re.search(r"(\d+) passed", out)
    return {"tests_s": seconds, "tests_passed": int(passed.group(1)) if passed else 0}


def template_costs(config: Config) -> tuple[dict[str, Any], Path]:
    """Nexus's own figures, and the default bake, installed (the project the API runs serve)."""
    template: dict[str, Any] = {
        "bake_default_s": bake_times(ROOT, config.build, "default", config.bake_runs),
        "bake_minimal_s": bake_times(
            ROOT, config.build, "minimal", config.bake_runs, *MINIMAL_ANSWERS
        ),
    }
    _, project = bake(ROOT, config.build / "project")
    install_project(project)
    template |= install_times(project, config.build, cold=not config.smoke)
    template |= runtime_environment(project, config.build)
    template |= test_suite_time(project, config.smoke)
    return template, project


def compare_template(template: Path, build: Path, bake_runs: int) -> dict[str, Any]:
    """Bake, install and test timings of another cookiecutter template, best effort: a step
    that cannot run here is reported, not fatal."""
    figures: dict[str, Any] = {"name": template.name, "notes": ""}
    name = f"compare-{template.name}"
    figures["bake_default_s"] = bake_times(template, build, name, bake_runs, tolerant=True)
    # Outside this repository: pytest must not take the template's configuration for its own.
    out = Path(tempfile.mkdtemp(prefix="nexus-bench-compare-"))
    try:
        return figures | install_and_test(template.name, bake(template, out, tolerant=True)[1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


def install_and_test(name: str, project: Path) -> dict[str, Any]:
    """Another template's bake installed with uv (from its pyproject or requirements file) and
    its tests run against the benchmark's PostgreSQL and Redis; what failed goes in `notes`."""
    figures: dict[str, Any] = {"notes": ""}
    venv = project / ".venv"
    env = uv_env(UV_PROJECT_ENVIRONMENT=str(venv), VIRTUAL_ENV=str(venv))
    requirements = next(
        (
            project / rel
            for rel in ("requirements/local.txt", "requirements.txt")
            if (project / rel).exists()
        ),
        None,
    )
    pyproject = project / "pyproject.toml"
    installs: list[list[list[str]]] = []
    if pyproject.exists() and "[project]" in pyproject.read_text():
        installs.append([[UV, "sync"]])
    if requirements is not None:  # also when its pyproject asks for a Python this machine lacks
        installs.append(
            [[UV, "venv", "--clear", str(venv)], [UV, "pip", "install", "-r", str(requirements)]]
        )
    if not installs:
        figures["notes"] = "no pyproject.toml or requirements file to install from."
        return figures
    step(f"timing {name}'s install (warm cache)")
    failures = []
    for install in installs:
        started = time.perf_counter()
        results = [
            subprocess.run(args, cwd=project, env=env, capture_output=True, text=True)
            for args in install
        ]
        failed = next((result for result in results if result.returncode != 0), None)
        if failed is None:
            break
        failures.append(f"`{' '.join(install[-1][1:3])}` failed: {failed.stderr.strip()[-200:]}")
    else:
        figures["notes"] = "install failed: " + "; ".join(failures)
        return figures
    figures["notes"] = "; ".join(failures)
    figures["install_warm_s"] = time.perf_counter() - started
    figures["packages"] = dist_count(venv)
    step(f"timing {name}'s test suite")
    test_env = env | {
        "DATABASE_URL": f"{POSTGRES}/nexus_bench_compare",
        "REDIS_URL": f"{REDIS}/{BENCH_REDIS_DB}",
        "CELERY_BROKER_URL": f"{REDIS}/{BENCH_REDIS_DB}",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=test_env,
        capture_output=True,
        text=True,
    )
    figures["tests_s"] = time.perf_counter() - started
    passed = re.search(r"(\d+) passed", result.stdout)
    figures["tests_passed"] = int(passed.group(1)) if passed else 0
    if result.returncode != 0:
        figures["notes"] = (
            f"its tests exited {result.returncode} here: "
            + (result.stdout.strip().splitlines()[-1:] or ["no output"])[0]
        )
    return figures
