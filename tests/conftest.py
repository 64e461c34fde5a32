"""Shared helpers for the template's tests: bake once per option set, install once per bake.

Bakes and installs are session-scoped and cached, so every test that needs the default project
shares one bake and one virtual environment. Installs use uv's package cache (warm after the first
run) and never download an interpreter.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest
from cookiecutter.utils import create_env_with_context
from find_python import find_python
from pins import versions
from pytest_cookies.plugin import Cookies

TEMPLATE = Path(__file__).resolve().parents[1]
# Where the browser tests leave their screenshots (the bakes' and the hub's): `make screenshots`
# copies the latest into docs/screenshots/, which the getting-started page shows.
SCREENSHOTS = TEMPLATE / "build" / "screenshots"
UV = str(Path(sys.executable).with_name("uv"))
SUITE_TIMEOUT = 1500  # seconds; see Bake.suite
UV_ON_PATH = f"{Path(UV).parent}{os.pathsep}{os.environ.get('PATH', '')}"

# Named option sets. Together they bake every value of every option at least once.
BAKES: dict[str, dict[str, str]] = {
    "default": {},
    "minimal": {
        "example_app": "none",
        "open_source_license": "Not open source",
        "use_celery": "n",
        "use_docker": "n",
        "ci_tool": "none",
    },
    "rest-only": {
        "use_celery": "n",
        "use_graphql": "n",
        "ci_tool": "gitlab",
        "project_name": "Cron Shop",
    },
    "python-3.13": {"python_version": "3.13", "project_name": "Py Next", "timezone": "Asia/Tokyo"},
    "bsd": {
        "open_source_license": "BSD-3-Clause",
        "project_name": "O'Reilly Books",
        "project_slug": "oreilly_books",
        "use_docker": "n",  # GitHub Actions without the image job
    },
    "apache": {
        "open_source_license": "Apache-2.0",
        "description": "Ünïcode and 'quotes' — ok",
        "use_kubernetes": "n",  # the Docker files without the manifests
    },
    "gpl": {
        "open_source_license": "GPL-3.0",
        "domain_name": "api.shop-example.co.uk",
        "example_app": "none",
    },
    "long-slug": {"project_slug": "a" * 50, "example_app": "catalog"},
}

# Options whose values the bakes above must cover (checked by a test, so a new option is noticed).
COOKIECUTTER_JSON = json.loads((TEMPLATE / "cookiecutter.json").read_text())


def answers_for(name: str) -> dict[str, str]:
    """Every answer of BAKES[name], the defaults filled in (a choice's default is its first)."""
    defaults = {
        key: value[0] if isinstance(value, list) else value
        for key, value in COOKIECUTTER_JSON.items()
        if not key.startswith("_")
    }
    return defaults | BAKES[name]


# Each installed bake gets its own PostgreSQL database and Redis databases, so bakes can run
# their suites in parallel on the shared services without touching each other's data. A bake's
# suite runs up to 4 test processes (its pyproject's --maxprocesses), each on the next Redis
# database after its slot's: the slots are 4 apart, and 0 to 3 are left to local use.
SERVICE_SLOTS = {"default": 4, "minimal": 8, "rest-only": 12}
POSTGRES = os.environ.get("NEXUS_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("NEXUS_TEST_REDIS", "redis://127.0.0.1:6379")


# Listed as each bake is made, before anything runs in it: the bakes are shared, and what their
# own commands write later (.coverage, caches, a venv, a lock) is not the template's, whatever
# its name. Found by CI: a .coverage file from the bake's suite failed the no-Jinja check.
_WRITTEN: dict[Path, list[Path]] = {}


def record_project_files(root: Path) -> None:
    """List the files under `root` now, as the template wrote them (project_files reads this)."""
    _WRITTEN[root] = sorted(p for p in root.rglob("*") if p.is_file())


def project_files(root: Path) -> list[Path]:
    """Every file of a bake that the template wrote and that is still there, in a stable order.

    A bake made by the `bake` fixture was listed as it was made; any other directory (a fresh
    bake, a test's own folder) is listed now.
    """
    if root not in _WRITTEN:
        return sorted(p for p in root.rglob("*") if p.is_file())
    return [p for p in _WRITTEN[root] if p.exists()]


def rendered_hook(name: str, answers: dict[str, str], folder: Path) -> ModuleType:
    """hooks/<name>.py rendered with `answers` as cookiecutter renders it, loaded as a module.

    The rendered script is written to `folder`; loaded under its own name (not __main__), the
    hook defines its names and runs nothing.
    """
    context = {"cookiecutter": answers}
    source = (TEMPLATE / "hooks" / f"{name}.py").read_text()
    script = folder / f"{name}.py"
    script.write_text(create_env_with_context(context).from_string(source).render(**context))
    return module_from_file(script, name)


def module_from_file(path: Path, name: str) -> ModuleType:
    """The Python file at `path`, imported as a module called `name` (not __main__)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def locked_versions(lock: Path) -> dict[str, str]:
    """Package name -> version, for every registry package of a uv lock (scripts/pins.py)."""
    return versions(lock.read_text())


def copy_template(destination: Path) -> Path:
    """The template's files as in the working tree (tracked, and new ones git does not ignore)."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        source = TEMPLATE / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure, fail the test with its output (not a bare exit code)."""
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}",
            pytrace=False,
        )
    return result


# Not passed on to a bake's commands: its own services and settings, and bytecode left unwritten.
DROPPED_FROM_BAKE_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "VIRTUAL_ENV",
    "DJANGO_SETTINGS_MODULE",
    "PYTHONDONTWRITEBYTECODE",
}


@dataclass
class Bake:
    name: str
    context: dict[str, str]
    path: Path
    _env: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for the baked project's own commands (its venv, its Python, no .env).

        As on a contributor's machine, Python writes the bytecode it compiles: where
        PYTHONDONTWRITEBYTECODE is set (this CI machine), every interpreter the bake's suite
        starts would compile each module it imports again, seconds apiece.
        """
        base = {k: v for k, v in os.environ.items() if k not in DROPPED_FROM_BAKE_ENV}
        return base | self._env | extra

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run(
            [UV, "run", "--no-sync", "python", "manage.py", *args], self.path, self.env(**env)
        )

    def tool(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run([UV, "run", "--no-sync", *args], self.path, self.env(**env))

    def suite(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """The bake's own test suite, as `make test` runs it, with a fresh test database.

        `args` go to pytest after the project's own options (a marker expression, say).

        Allowed SUITE_TIMEOUT seconds: the largest bake's suite on PostgreSQL and Redis runs for
        several minutes, and on a CI machine of two cores that runs other suites beside it, once
        for more than the 900 s every other command is allowed.
        """
        command = [UV, "run", "--no-sync", "pytest", "-p", "no:cacheprovider", "--create-db", *args]
        return run(command, self.path, self.env(**env), timeout=SUITE_TIMEOUT)

    def make(self, *targets: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """The project's make targets, as CI runs them (uv on PATH)."""
        return run(["make", *targets], cwd or self.path, self.env(PATH=UV_ON_PATH))

    def service_env(self) -> dict[str, str]:
        """URLs of the real PostgreSQL and Redis, private to this bake."""
        slot = SERVICE_SLOTS[self.name]
        return {
            "DATABASE_URL": f"{POSTGRES}/nexus_{self.name}_{slot}",
            "REDIS_URL": f"{REDIS}/{slot}",
        }


@pytest.fixture(scope="session")
def bake(cookies_session: Cookies) -> Callable[[str], Bake]:
    """bake(name) -> the project baked from BAKES[name], baked once per session."""
    cache: dict[str, Bake] = {}

    def _bake(name: str) -> Bake:
        if name not in cache:
            result = cookies_session.bake(extra_context=BAKES[name])
            assert result.exit_code == 0, f"bake {name!r} failed: {result.exception!r}"
            cache[name] = Bake(name, BAKES[name], Path(result.project_path))
            record_project_files(cache[name].path)
        return cache[name]

    return _bake


@pytest.fixture(scope="session")
def installed(bake: Callable[[str], Bake]) -> Callable[[str], Bake]:
    """installed(name) -> the bake with its own .venv, installed as the README says."""
    cache: dict[str, Bake] = {}

    def _installed(name: str) -> Bake:
        if name not in cache:
            project = bake(name)
            python = find_python(project.context.get("python_version", "3.12"))
            project._env = {"UV_PYTHON": python, "UV_PYTHON_DOWNLOADS": "never"}
            # As the README says (`make install`): the lock the bake wrote, installed as it is,
            # and the npm packages the browser tests inject (package-lock.json), if it has any.
            run([UV, "sync", "--locked"], project.path, project.env())
            if (project.path / "package-lock.json").exists():
                npm_ci = ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"]
                run(npm_ci, project.path, project.env())
            cache[name] = project
        return cache[name]

    return _installed
