"""A bake says nothing about an option it was baked without: no file, comment or doc of it.

Pruning files (hooks/post_gen_project.py) is not enough: a comment, a docstring, a README line or
a test setting can still name Celery, GraphQL, Docker, the catalog or the other forge's CI. Every
text file of such a bake is searched for the words of each option value that turns something off,
case-insensitively, with letters as the only word characters: `CELERY_BROKER_URL` and
`seed_catalog` are found, "production" is not a product and "ordering" is not an order. URLs are
removed first: a link to a library's own repository is a reference, not the option.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BAKES, Bake, answers_for, project_files
from pytest_cookies.plugin import Cookies


def word(pattern: str) -> str:
    """`pattern` with no letter right before or after it (digits and `_` are boundaries)."""
    return rf"(?<![a-z]){pattern}(?![a-z])"


GITHUB_CI = [
    r"\.github" + r"(?![a-z])",
    word(r"github[\s_-]*actions"),
    word(r"github_token"),
    word("workflows?") + "(?!:)",  # GitLab's own `workflow:` keyword is not GitHub's
    r"ghcr\.io/(?!astral-sh/)",  # GitHub's registry, not uv's own image on it
]
GITLAB_CI = [word("gitlab"), r"\$\{?ci_[a-z_]+"]

# (option, value that turns something off) -> the words that must not appear in such a bake.
WORDS: dict[tuple[str, str], list[str]] = {
    ("use_celery", "n"): [
        word("celery"),
        word("beat"),
        word("brokers?"),
        word("kombu"),
        word(r"periodic[\s_-]+tasks?"),
        # The Celery worker, not gunicorn's: "the worker" is the project's task worker, while
        # gunicorn's are "workers", "a worker", "each worker", `--workers`, `max_workers`.
        word(r"the\s+worker"),
        word(r"worker[\s_]*(?:health|lost)"),
        word(r"make\s+worker"),
        word("running_worker"),
        r"^\s*worker:",  # a compose service (lines are searched one by one)
    ],
    ("use_graphql", "n"): [word("graph[iq]l"), word("strawberry")],
    ("use_docker", "n"): [
        word("docker(?:file|ignore)?"),
        word("compose"),
        word("hadolint"),
        word("healthcheck"),
    ],
    ("use_kubernetes", "n"): [
        word("kubernetes"),
        word("kustomiz(?:e|ation)"),
        word("keda"),
        word("haproxy"),
        word("kubectl"),
    ],
    ("example_app", "none"): [
        word("catalog(?:ue)?s?"),
        word("products?"),
        word("categor(?:y|ies)"),
        r"(?<![a-z])(?<!in )orders?(?![a-z]|_by)",  # not order_by, ordering, "in order (to)"
        word("stock"),
        r"(?<![a-z0-9])nh3(?![a-z0-9])",
    ],
    ("ci_tool", "github"): GITLAB_CI,
    ("ci_tool", "gitlab"): GITHUB_CI,
    ("ci_tool", "none"): GITHUB_CI + GITLAB_CI,
}

# (file pattern, text) a bake may hold although it names an option it turned off: sentences that
# tell the user what was chosen, and names that belong to something else. Keep it short.
ALLOWED: list[tuple[str, str, str]] = [
    (
        ".cruft.json",
        r'"(?:use_celery|use_graphql|use_docker|use_kubernetes|example_app|ci_tool)": "[^"]*"',
        "the answers, recorded so that `cruft update` regenerates the same project",
    ),
    (
        "docs/PRACTICES.md",
        r"(?m)^Options: .*$",
        "the line that tells the reader which options this project was baked with",
    ),
    (
        "*/tests/test_fuzz.py",
        r"\bHealthCheck\b",
        "hypothesis's health checks of a test's data generation, not a container's",
    ),
    (
        "pyproject.toml",
        r"\bsection-order\b",
        "ruff's name for the order of import groups, not a shop's order",
    ),
    (
        "uv.lock",
        r"hypothesis-graphql|graphql-core",
        "schemathesis's own dependencies (it fuzzes GraphQL too): locked whatever use_graphql is",
    ),
]

# Files that are not the project's own words.
NOT_SEARCHED = {
    "LICENSE": "a licence's text, word for word (GPL-3.0 has products and 'in order to')",
}
URL = re.compile(r"\b(?:https?|ssh|git\+https?)://\S+|\bgit@[\w.-]+:\S+")

DEFAULTS = answers_for("default")
# Each value that turns something off, alone (the named bakes combine them).
ONE_OPTION_OFF = {
    f"{option}={value}": {option: value} for option, value in WORDS if DEFAULTS[option] != value
}


def forbidden(answers: dict[str, str]) -> re.Pattern[str]:
    words = [p for (option, value), ps in WORDS.items() if answers[option] == value for p in ps]
    return re.compile("|".join(words), re.IGNORECASE)


def leftovers(root: Path, answers: dict[str, str]) -> list[str]:
    """`path:line: word: the line` for every forbidden word in the bake's text files."""
    pattern = forbidden(answers)
    found = []
    for path in project_files(root):
        rel = path.relative_to(root)
        if str(rel) in NOT_SEARCHED:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue  # not a text file
        for glob, sentence, _ in ALLOWED:
            if fnmatch.fnmatch(str(rel), glob):
                text = re.sub(sentence, "", text)
        text = URL.sub("", text)
        for number, line in enumerate(text.splitlines(), 1):
            for match in pattern.finditer(line):
                found.append(f"{rel}:{number}: {match.group()!r}: {line.strip()}")
    return found


@pytest.mark.parametrize("name", [*BAKES, *ONE_OPTION_OFF])
def test_a_bake_never_mentions_an_option_it_was_baked_without(
    bake: Callable[[str], Bake], cookies_session: Cookies, name: str
) -> None:
    if name in BAKES:
        root, answers = bake(name).path, answers_for(name)
    else:
        result = cookies_session.bake(extra_context=ONE_OPTION_OFF[name])
        assert result.exit_code == 0, f"bake {name!r} failed: {result.exception!r}"
        root, answers = Path(result.project_path), DEFAULTS | ONE_OPTION_OFF[name]
    found = leftovers(root, answers)
    assert not found, "words of options this bake was baked without:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "answers", "found"),
    [
        ("Run `celery --app=config worker`.", {"use_celery": "n"}, ["celery"]),
        ('CELERY_BROKER_URL="memory://"', {"use_celery": "n"}, ["CELERY", "BROKER"]),
        ("so the worker and PostgreSQL tests run too", {"use_celery": "n"}, ["the worker"]),
        ("gunicorn with 3 workers: a worker stuck is killed", {"use_celery": "n"}, []),
        ("ThreadPoolExecutor(max_workers=2), worker-src", {"use_celery": "n"}, []),
        ("Given GraphQL's queryset", {"use_graphql": "n"}, ["GraphQL"]),
        ("Docker's HEALTHCHECK asks", {"use_docker": "n"}, ["Docker", "HEALTHCHECK"]),
        ('hit("orders") and order_create', {"example_app": "none"}, ["orders", "order"]),
        ("production settings, order_by, ordering", {"example_app": "none"}, []),
        ("in order to", {"example_app": "none"}, []),
        ("seed_catalog, stock ran out", {"example_app": "none"}, ["catalog", "stock"]),
        ("see .github/workflows/ci.yml", {"ci_tool": "gitlab"}, [".github", "workflows"]),
        ("workflow:\n  rules:", {"ci_tool": "gitlab"}, []),
        ("COPY --from=ghcr.io/astral-sh/uv", {"ci_tool": "none"}, []),
        ("the .gitlab-ci.yml pipeline", {"ci_tool": "github"}, ["gitlab"]),
        ("kubectl apply -k deploy/kubernetes", {"use_kubernetes": "n"}, ["kubectl", "kubernetes"]),
    ],
)
def test_the_words_find_the_option_and_not_its_look_alikes(
    text: str, answers: dict[str, str], found: list[str]
) -> None:
    assert [m.group() for m in forbidden(DEFAULTS | answers).finditer(text)] == found


def test_a_url_to_a_library_repository_is_not_a_mention(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("Pinned: see https://github.com/celery/celery/issues/1\n")
    assert leftovers(tmp_path, DEFAULTS | {"use_celery": "n"}) == []
    (tmp_path / "notes.md").write_text("Start the Celery worker.\n")
    assert leftovers(tmp_path, DEFAULTS | {"use_celery": "n"}) != []
