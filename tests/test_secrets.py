"""Each bake gets its own secret, and no secret reaches a file git would track."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pytest_cookies.plugin import Cookies


def secret_key(project: Path) -> str:
    match = re.search(r"^SECRET_KEY=(.+)$", (project / ".env").read_text(), re.MULTILINE)
    assert match, ".env has no SECRET_KEY line"
    return match.group(1)


def test_two_bakes_get_different_strong_secret_keys(cookies: Cookies) -> None:
    first, second = (secret_key(cookies.bake().project_path) for _ in range(2))
    assert first != second
    for key in (first, second):
        assert len(key) >= 50
        assert "$" not in key  # django-environ would try to interpolate it
        assert "change-me" not in key


def test_env_example_holds_only_placeholders(cookies: Cookies) -> None:
    project = cookies.bake().project_path
    assert secret_key(project) not in (project / ".env.example").read_text()
    assert "SECRET_KEY=change-me" in (project / ".env.example").read_text()


def test_no_secret_appears_in_a_git_tracked_file(cookies: Cookies) -> None:
    project = cookies.bake().project_path
    key = secret_key(project)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    tracked = subprocess.run(
        [*git, "ls-files"], cwd=project, check=True, capture_output=True, text=True
    ).stdout.split()
    assert ".env" not in tracked
    assert ".env.example" in tracked
    leaks = [name for name in tracked if key in (project / name).read_text(errors="replace")]
    assert leaks == []
