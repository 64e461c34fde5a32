"""The versions every bake installs: one uv lock per supported Python, kept with the template.

    python scripts/pins.py            re-lock after editing the project template's dependencies
                                      (every version that still fits its range is kept)
    python scripts/pins.py --upgrade  move every pin to the newest release its range allows, and
                                      write what moved to build/pins-changes.md
    python scripts/pins.py --check    exit 1 when the locks are not what the two above would keep

The locks live in `{{cookiecutter.project_slug}}/locks/python<X.Y>.lock`. Each is the lock of a bake
with every dependency-bearing option on, so it holds every package any combination needs; the
post-generation hook narrows it to the options chosen (hooks/post_gen_project.py, narrow_lock).
The lowest Python's lock is resolved first and is the source of truth: the others are re-locked
from it, keeping its versions (a release that does not support a newer Python is reported).
`make upgrade` runs `--upgrade`, then the template's whole suite against the new versions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from datetime import date
from pathlib import Path

from find_python import find_python

TEMPLATE = Path(__file__).resolve().parents[1]
LOCKS = TEMPLATE / "{{cookiecutter.project_slug}}" / "locks"
CHANGES = TEMPLATE / "build" / "pins-changes.md"
UV = str(Path(sys.executable).with_name("uv"))
PYTHONS: list[str] = json.loads((TEMPLATE / "cookiecutter.json").read_text())["python_version"]
# Every option that adds a dependency, on: the bake whose lock covers all the others.
EVERY_DEPENDENCY = {
    "example_app": "catalog",
    "use_celery": "y",
    "use_graphql": "y",
    "use_docker": "y",
}


def lock_path(python: str) -> Path:
    return LOCKS / f"python{python}.lock"


def versions(lock_text: str) -> dict[str, str]:
    """Package name -> version, for every registry package of a lock."""
    packages = tomllib.loads(lock_text)["package"]
    return {p["name"]: p["version"] for p in packages if "registry" in p["source"]}


def relock(python: str, seed: str | None, *, upgrade: bool, workdir: Path) -> str:
    """Bake every dependency for `python`, seed its uv.lock, run `uv lock`; the new lock's text."""
    answers = EVERY_DEPENDENCY | {"python_version": python}
    args = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(workdir / python)]
    args += [str(TEMPLATE), *(f"{key}={value}" for key, value in answers.items())]
    baked = subprocess.run(args, capture_output=True, text=True, check=False)
    if baked.returncode != 0:  # the hook's next steps are not ours to print, its errors are
        sys.exit(f"baking for Python {python} failed:\n{baked.stderr[-3000:]}")
    (project,) = (workdir / python).iterdir()
    lock = project / "uv.lock"
    if seed is not None:
        lock.write_text(seed)  # uv keeps every locked version that still fits
    env = os.environ | {"UV_PYTHON": find_python(python), "UV_PYTHON_DOWNLOADS": "never"}
    args = [UV, "lock", "--quiet", *(["--upgrade"] if upgrade else [])]
    subprocess.run(args, cwd=project, env=env, check=True)
    return lock.read_text()


def resolve(*, upgrade: bool) -> dict[str, str]:
    """Python version -> lock text, as the committed locks should read."""
    first, *others = PYTHONS
    current = lock_path(first).read_text() if lock_path(first).exists() else None
    with tempfile.TemporaryDirectory() as tmp:
        locks = {first: relock(first, current, upgrade=upgrade, workdir=Path(tmp))}
        for python in others:
            locks[python] = relock(python, locks[first], upgrade=False, workdir=Path(tmp))
    return locks


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

    locks = resolve(upgrade=options.upgrade)
    stale = [
        p for p in PYTHONS if not lock_path(p).exists() or lock_path(p).read_text() != locks[p]
    ]
    summary = report(locks)
    print(summary, end="")
    if options.check:
        for python in stale:
            print(f"{lock_path(python).relative_to(TEMPLATE)} is not current: run scripts/pins.py")
        return 1 if stale else 0
    LOCKS.mkdir(exist_ok=True)
    for python, text in locks.items():
        lock_path(python).write_text(text)
    CHANGES.parent.mkdir(exist_ok=True)
    CHANGES.write_text(summary)
    print(f"Wrote {', '.join(str(lock_path(p).relative_to(TEMPLATE)) for p in stale) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
