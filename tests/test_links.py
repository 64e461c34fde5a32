"""Every link in a bake resolves: to a file of the bake, to the learning hub's page at the address
the template was baked from, or it is not a link at all.

The bakes here come from this checkout (a folder), so their hub links are file paths; the links a
forge address gets (GitHub, GitLab, Bitbucket, at the commit baked from) are checked by running the
post-generation hook's own link function with those addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from conftest import BAKES, TEMPLATE, Bake, answers_for, project_files, rendered_hook

MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\((?:<([^>]+)>|([^)\s]+))\)")
ANGLE_URL = re.compile(r"<(https?://[^>\s]+)>")
COMMIT = "0123456789abcdef0123456789abcdef01234567"
PAGE = "practices/rate-limiting.md"


def markdown_files(root: Path) -> list[Path]:
    return [path for path in project_files(root) if path.suffix == ".md"]


@pytest.mark.parametrize("name", list(BAKES))
def test_every_link_in_a_bakes_documents_resolves(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name)
    broken = []
    for document in markdown_files(project.path):
        text = document.read_text()
        for match in MARKDOWN_LINK.finditer(text):
            target = (match.group(1) or match.group(2)).split("#", 1)[0]
            where = f"{document.relative_to(project.path)}: {target}"
            if target.startswith(("http://", "https://")):
                if not re.match(r"https?://[^/]+/[^/]+", target):
                    broken.append(f"{where} (a site's front page, not a page)")
            elif target.startswith("/"):
                if not Path(target).is_file():
                    broken.append(where)
            elif target and not (document.parent / target).exists():
                broken.append(where)
        for url in ANGLE_URL.findall(text):
            if not re.match(r"https?://[^/]+/", url) and "127.0.0.1" not in url:
                broken.append(f"{document.relative_to(project.path)}: {url}")
    assert broken == []


@pytest.mark.parametrize("name", list(BAKES))
def test_the_hub_pages_are_linked_and_nothing_points_at_pages_the_project_lacks(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    practices = (project.path / "docs" / "PRACTICES.md").read_text()
    learn = [line for line in practices.splitlines() if line.startswith("Learn: ")]
    assert learn
    for line in learn:
        (target,) = [m.group(1) or m.group(2) for m in MARKDOWN_LINK.finditer(line)]
        assert target.startswith(str(TEMPLATE / "docs" / "practices")), line
    # A page named outside a link is a page the user cannot open from here.
    for path in project_files(project.path):
        if path.suffix == ".lock":
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        unlinked = MARKDOWN_LINK.sub("", text)
        assert "docs/practices/" not in unlinked, path.relative_to(project.path)
        assert "Nexus docs" not in unlinked, path.relative_to(project.path)


def post_gen_hook(tmp_path: Path, template: str, commit: str | None, repo_dir: str) -> ModuleType:
    """The post-generation hook as cookiecutter (or cruft, with a commit) would render it."""
    answers = answers_for("default") | {"_template": template, "_repo_dir": repo_dir}
    if commit:
        answers["_commit"] = commit
    return rendered_hook("post_gen_project", answers, tmp_path)


@pytest.mark.parametrize(
    ("template", "commit", "link"),
    [
        (
            "https://github.com/example/nexus.git",
            COMMIT,
            f"https://github.com/example/nexus/blob/{COMMIT}/docs/{PAGE}",
        ),
        (
            "gh:example/nexus",
            COMMIT,
            f"https://github.com/example/nexus/blob/{COMMIT}/docs/{PAGE}",
        ),
        (
            "git@gitlab.com:group/team/nexus.git",
            COMMIT,
            f"https://gitlab.com/group/team/nexus/-/blob/{COMMIT}/docs/{PAGE}",
        ),
        (
            "https://bitbucket.org/example/nexus",
            None,
            f"https://bitbucket.org/example/nexus/src/HEAD/docs/{PAGE}",
        ),
    ],
)
def test_a_template_from_a_forge_links_its_pages_at_the_commit_baked_from(
    tmp_path: Path, template: str, commit: str | None, link: str
) -> None:
    hook = post_gen_hook(tmp_path, template, commit, repo_dir="")
    assert hook.hub_link(PAGE, commit) == f"[{PAGE}]({link})"
    assert (TEMPLATE / "docs" / PAGE).is_file()  # the page the link names exists in the template


@pytest.mark.parametrize(
    "template",
    [
        "https://example.com/downloads/nexus.zip",
        "https://git.example.com/team/nexus.git",
        "../nexus",
    ],
)
def test_a_template_with_no_address_to_link_names_the_page_without_a_link(
    tmp_path: Path, template: str
) -> None:
    """A zip's copy is deleted after the bake, an unknown host has no known page address, and a
    relative path means nothing from the project. cookiecutter's copy is not linked either."""
    copy = tmp_path / "cookiecutters" / "nexus"
    (copy / "docs" / "practices").mkdir(parents=True)
    (copy / "docs" / PAGE).write_text("# Rate limiting\n")
    hook = post_gen_hook(tmp_path, template, COMMIT, repo_dir=str(copy))
    text = hook.hub_link(PAGE, COMMIT)
    assert MARKDOWN_LINK.search(text) is None
    assert f"`{PAGE}` in the Nexus learning hub" in text
