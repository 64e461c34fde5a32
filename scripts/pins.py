"""The versions every bake installs: one uv lock per supported Python, kept with the template.

Run with the template's tooling (.venv/bin/python, or the make targets):

    make lock                          re-lock after editing the project template's dependencies
        (scripts/pins.py)              (every version that still fits its range is kept)
    make upgrade                       move every pin to the newest release its range allows,
        (scripts/pins.py --upgrade)    write what moved to build/pins-changes.md, run the suite
    scripts/pins.py --check            exit 1 when the locks are not what the two above would keep

The locks live in `{{cookiecutter.project_slug}}/locks/python<X.Y>.lock`. Each locks a
pyproject.toml that asks for every requirement any combination of the options asks for (each
combination's pyproject.toml is rendered and their requirements joined), so it holds every
package any bake needs; the post-generation hook narrows it to the options chosen
(hooks/post_gen_project.py, narrow_lock). The lowest Python's lock is resolved first and is the
source of truth: the others are re-locked from it, keeping its versions (a release that does not
support a newer Python is reported). The names of the locked packages are written into
hooks/pre_gen_project.py (PINNED_DISTRIBUTIONS): a project may not take one of them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context
from find_python import find_python

TEMPLATE = Path(__file__).resolve().parents[1]
PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
LOCKS = PROJECT / "locks"
PRE_GEN_HOOK = TEMPLATE / "hooks" / "pre_gen_project.py"
CHANGES = TEMPLATE / "build" / "pins-changes.md"
UV = str(Path(sys.executable).with_name("uv"))
CHOICES: dict[str, Any] = json.loads((TEMPLATE / "cookiecutter.json").read_text())
# Lowest first: the first is the source of truth, whatever order cookiecutter.json offers them in.
PYTHONS = sorted(CHOICES["python_version"], key=lambda v: tuple(map(int, v.split("."))))
# The options whose answers change the project's dependencies (tests/test_pins.py checks that
# no other answer reaches pyproject.toml's requirements).
DEPENDENCY_OPTIONS = ("example_app", "use_celery", "use_graphql", "use_docker")
NAMES_START = "# scripts/pins.py writes the set below from the locks: edit those, not this."
NAMES_END = "# (end of the set scripts/pins.py writes)"


class PinsError(Exception):
    """A one-line reason the locks cannot be written."""


def lock_path(python: str) -> Path:
    return LOCKS / f"python{python}.lock"


def versions(lock_text: str) -> dict[str, str]:
    """Package name -> version, for every registry package of a lock."""
    packages = tomllib.loads(lock_text)["package"]
    return {p["name"]: p["version"] for p in packages if "registry" in p["source"]}


def rendered_pyprojects(python: str) -> Iterator[dict[str, Any]]:
    """pyproject.toml, parsed, of every combination of the dependency options for `python`."""
    source = (PROJECT / "pyproject.toml").read_text()
    for values in itertools.product(*(CHOICES[option] for option in DEPENDENCY_OPTIONS)):
        answers = dict(zip(DEPENDENCY_OPTIONS, values, strict=True)) | {"python_version": python}
        context = generate_context(str(TEMPLATE / "cookiecutter.json"), extra_context=answers)
        cookiecutter = {"cookiecutter": prompt_for_config(context, no_input=True)}
        text = create_env_with_context(cookiecutter).from_string(source).render(**cookiecutter)
        yield tomllib.loads(text)


def toml_value(value: object) -> str:
    """The few TOML values a pyproject for locking holds: strings, booleans, lists of strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "[\n" + "".join(f"  {json.dumps(item)},\n" for item in value) + "]"
    raise PinsError(f"scripts/pins.py cannot write {value!r} into a TOML file: teach toml_value")


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if match is None:
        raise PinsError(f"cannot read the requirement {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def joined(requirements: Iterator[str]) -> list[str]:
    """Every requirement once, refusing one package asked for with two different ranges."""
    by_name: dict[str, str] = {}
    for requirement in requirements:
        name = requirement_name(requirement)
        if by_name.setdefault(name, requirement) != requirement:
            raise PinsError(
                f"{name} is asked for as {by_name[name]!r} and as {requirement!r} by different"
                " options: one lock holds one range per package"
            )
    return sorted(by_name.values(), key=requirement_name)


def superset_pyproject(python: str) -> str:
    """A pyproject.toml asking for every requirement any bake for `python` asks for."""
    pyprojects = list(rendered_pyprojects(python))
    project = pyprojects[0]["project"]
    groups = sorted({g for p in pyprojects for g in p.get("dependency-groups", {})})
    lines = [
        "[project]",
        f"name = {toml_value(project['name'])}",
        f"version = {toml_value(project['version'])}",
        f"requires-python = {toml_value(project['requires-python'])}",
        "dependencies = "
        + toml_value(joined(r for p in pyprojects for r in p["project"].get("dependencies", []))),
        "",
        "[dependency-groups]",
    ]
    for group in groups:
        asked = (r for p in pyprojects for r in p.get("dependency-groups", {}).get(group, []))
        lines.append(f"{group} = {toml_value(joined(asked))}")
    uv_settings = pyprojects[0].get("tool", {}).get("uv", {})
    lines += ["", "[tool.uv]", *(f"{key} = {toml_value(v)}" for key, v in uv_settings.items())]
    return "\n".join(lines) + "\n"


def relock(python: str, seed: str | None, *, upgrade: bool) -> str:
    """`uv lock` of the superset pyproject for `python`, from `seed`; the new lock's text."""
    try:
        interpreter = find_python(python)
    except LookupError as error:
        raise PinsError(f"no Python {python} on this machine to lock for ({error})") from None
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "pyproject.toml").write_text(superset_pyproject(python))
        if seed is not None:
            (project / "uv.lock").write_text(seed)  # uv keeps every locked version that fits
        env = os.environ | {"UV_PYTHON": interpreter, "UV_PYTHON_DOWNLOADS": "never"}
        args = [UV, "lock", "--quiet", *(["--upgrade"] if upgrade else [])]
        locked = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True)
        if locked.returncode != 0:
            raise PinsError(f"uv lock for Python {python} failed:\n{locked.stderr[-3000:]}")
        return (project / "uv.lock").read_text()


def resolve(*, upgrade: bool) -> dict[str, str]:
    """Python version -> lock text, as the committed locks should read."""
    first, *others = PYTHONS
    current = lock_path(first).read_text() if lock_path(first).exists() else None
    locks = {first: relock(first, current, upgrade=upgrade)}
    for python in others:
        locks[python] = relock(python, locks[first], upgrade=False)
    return locks


def with_pinned_names(hook_text: str, locks: dict[str, str]) -> str:
    """The pre-generation hook with PINNED_DISTRIBUTIONS set to every name the locks hold."""
    names = sorted({name for text in locks.values() for name in versions(text)})
    block = [
        NAMES_START,
        "PINNED_DISTRIBUTIONS: frozenset[str] = frozenset(",
        "    {",
        *(f'        "{name}",' for name in names),
        "    }",
        ")",
        NAMES_END,
    ]
    start, end = hook_text.index(NAMES_START), hook_text.index(NAMES_END) + len(NAMES_END)
    return hook_text[:start] + "\n".join(block) + hook_text[end:]


def differences(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Markdown table rows, one per package added, removed or moved."""
    rows = []
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            rows.append(f"| {name} | {old.get(name, '(new)')} | {new.get(name, '(removed)')} |")
    return rows


def report(locks: dict[str, str]) -> str:
    first, *others = PYTHONS
    old = versions(lock_path(first).read_text()) if lock_path(first).exists() else {}
    rows = differences(old, versions(locks[first]))
    lines = [
        f"# Pinned versions, {date.today().isoformat()}",
        "",
        f"{len(rows)} change(s) to the versions every bake installs"
        f" ({len(versions(locks[first]))} packages).",
    ]
    if rows:
        lines += ["", "| package | was | now |", "|---|---|---|", *rows]
    for python in others:
        if drift := differences(versions(locks[first]), versions(locks[python])):
            lines += ["", f"Python {python} cannot use these pins:", "", *drift]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--upgrade", action="store_true", help="newest releases within the ranges")
    mode.add_argument("--check", action="store_true", help="fail when the locks are not current")
    options = parser.parse_args()
    try:
        locks = resolve(upgrade=options.upgrade)
    except PinsError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    hook = with_pinned_names(PRE_GEN_HOOK.read_text(), locks)
    stale = [
        path
        for path, text in [*((lock_path(p), locks[p]) for p in PYTHONS), (PRE_GEN_HOOK, hook)]
        if not path.exists() or path.read_text() != text
    ]
    summary = report(locks)
    print(summary, end="")
    if options.check:
        for path in stale:
            print(f"{path.relative_to(TEMPLATE)} is not current: run scripts/pins.py (make lock)")
        return 1 if stale else 0
    LOCKS.mkdir(exist_ok=True)
    for python, text in locks.items():
        lock_path(python).write_text(text)
    PRE_GEN_HOOK.write_text(hook)
    CHANGES.parent.mkdir(exist_ok=True)
    CHANGES.write_text(summary)
    print(f"Wrote {', '.join(str(p.relative_to(TEMPLATE)) for p in stale) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
