"""The update path: a project created with cruft takes later template changes and keeps its own.

Everything is local and offline: the template is copied into a fresh git repository (commit A),
a project is created from it with `cruft create`, the project commits a change of its own, the
template moves on (commit B: a new file and a changed line), and `cruft update` brings B in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE, copy_template

CRUFT = str(Path(sys.executable).with_name("cruft"))
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Nexus tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Nexus tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=os.environ | GIT_ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def commit_all(repo: Path, message: str) -> str:
    run("git", "add", "-A", cwd=repo)
    run("git", "commit", "-q", "-m", message, cwd=repo)
    return run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """The template's files (as in the working tree) in a fresh git repository."""
    repo = copy_template(tmp_path / "template")
    run("git", "init", "-q", "-b", "main", cwd=repo)
    commit_all(repo, "A")
    return repo


def create(template: Path, out: Path, name: str) -> Path:
    run(
        CRUFT,
        "create",
        str(template),
        "--no-input",
        "--output-dir",
        str(out),
        "--extra-context",
        json.dumps({"project_name": name}),
        cwd=out,
    )
    return out / name.lower().replace(" ", "_")


def test_cruft_update_brings_template_changes_and_keeps_local_ones(
    template_repo: Path, tmp_path: Path
) -> None:
    commit_a = run("git", "rev-parse", "HEAD", cwd=template_repo).stdout.strip()
    project = create(template_repo, tmp_path, "Kept Shop")
    state = json.loads((project / ".cruft.json").read_text())
    assert (state["template"], state["commit"]) == (str(template_repo), commit_a)
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "Created from the template")

    # The project's own change, committed.
    local = project / "config" / "settings" / "local.py"
    local.write_text(local.read_text() + "# Ours: survives template updates.\n")
    commit_all(project, "A local change")

    # The template moves on: a new file and a changed line in an existing one.
    inner = template_repo / "{{cookiecutter.project_slug}}"
    (inner / "UPGRADING.md").write_text("# Upgrading {{ cookiecutter.project_name }}\n")
    makefile = inner / "Makefile"
    old_line = "help: ## List the targets\n"
    assert old_line in makefile.read_text()
    makefile.write_text(makefile.read_text().replace(old_line, "help: ## List every target\n"))
    commit_b = commit_all(template_repo, "B")

    assert run(CRUFT, "check", cwd=project, check=False).returncode != 0  # behind the template
    run(CRUFT, "update", "--skip-apply-ask", cwd=project)
    assert run(CRUFT, "check", cwd=project, check=False).returncode == 0

    assert (project / "UPGRADING.md").read_text() == "# Upgrading Kept Shop\n"
    assert "help: ## List every target\n" in (project / "Makefile").read_text()
    assert local.read_text().endswith("# Ours: survives template updates.\n")
    assert json.loads((project / ".cruft.json").read_text())["commit"] == commit_b
    # Nothing rejected, nothing left over: .env (a fresh key in every generation) is skipped.
    status = run("git", "status", "--porcelain", "--untracked-files=all", cwd=project).stdout
    assert sorted(line[3:] for line in status.splitlines()) == [
        ".cruft.json",
        "Makefile",
        "UPGRADING.md",
    ]


def test_a_plain_cookiecutter_bake_records_what_cruft_needs(
    template_repo: Path, tmp_path: Path
) -> None:
    """Baked with cookiecutter, not cruft: the hook writes a .cruft.json that cruft accepts."""
    run(
        str(Path(sys.executable).with_name("cookiecutter")),
        "--no-input",
        str(template_repo),
        "--output-dir",
        str(tmp_path),
        "project_name=Plain Shop",
        cwd=tmp_path,
    )
    project = tmp_path / "plain_shop"
    state = json.loads((project / ".cruft.json").read_text())
    commit = run("git", "rev-parse", "HEAD", cwd=template_repo).stdout.strip()
    assert (state["template"], state["commit"]) == (str(template_repo), commit)
    assert state["context"]["cookiecutter"]["project_name"] == "Plain Shop"
    assert "_repo_dir" not in state["context"]["cookiecutter"]  # no machine-specific paths
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "Created from the template")
    assert run(CRUFT, "check", cwd=project, check=False).returncode == 0
    assert run(CRUFT, "diff", "--exit-code", cwd=project, check=False).returncode == 0


def test_no_cruft_state_when_the_template_is_not_a_git_repository(tmp_path: Path) -> None:
    copy = tmp_path / "template-copy"
    shutil.copytree(TEMPLATE, copy, ignore=shutil.ignore_patterns(".git", ".venv", "build"))
    result = run(
        str(Path(sys.executable).with_name("cookiecutter")),
        "--no-input",
        str(copy),
        "--output-dir",
        str(tmp_path),
        cwd=tmp_path,
    )
    assert not (tmp_path / "nexus_shop" / ".cruft.json").exists()
    assert "cruft link" in result.stdout


def test_an_update_brings_the_templates_newly_tested_versions_into_the_lock(
    template_repo: Path, tmp_path: Path
) -> None:
    """A template upgrade (new pins) reaches a project as a patch to its uv.lock."""
    project = create(template_repo, tmp_path, "Pinned Shop")
    run("git", "init", "-q", "-b", "main", cwd=project)
    commit_all(project, "Created from the template")

    # The template moves a pin, in every Python's lock, as `make upgrade` would.
    locks = template_repo / "{{cookiecutter.project_slug}}" / "locks"
    for lock in locks.glob("*.lock"):
        text = lock.read_text()
        old = 'name = "sqlparse"\nversion = "'
        assert text.count(old) == 1
        version = text.split(old, 1)[1].split('"', 1)[0]
        lock.write_text(text.replace(old + version, old + version + ".post1"))
    commit_all(template_repo, "B: newer pins")

    run(CRUFT, "update", "--skip-apply-ask", cwd=project)
    (tmp_path / "fresh").mkdir()
    fresh = create(template_repo, tmp_path / "fresh", "Pinned Shop")
    assert (project / "uv.lock").read_text() == (fresh / "uv.lock").read_text()
    assert f'name = "sqlparse"\nversion = "{version}.post1"' in (project / "uv.lock").read_text()
