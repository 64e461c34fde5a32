"""Post-generation: prune the files of options not chosen, write uv.lock (the template's tested
versions), .env, docs/PRACTICES.md and (under plain cookiecutter) .cruft.json, print the next steps.

Every optional file is listed once, in PRUNE, so what an option adds can be read in one place.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml  # a dependency of cookiecutter itself
from cookiecutter.config import get_user_config  # hooks run in cookiecutter's own interpreter
from cookiecutter.repository import expand_abbreviations

SLUG = "{{ cookiecutter.project_slug }}"
# Where the template is (a clone of it when baked from GitHub) and how it was named. cookiecutter
# sets _repo_dir; cruft, which regenerates projects to compute updates, does not.
REPO_DIR = r"""{{ cookiecutter._repo_dir | default("") }}"""
TEMPLATE_SOURCE = r"""{{ cookiecutter._template }}"""
# The template's commit as cruft records it (cruft sets it; plain cookiecutter does not).
CRUFT_COMMIT = r"""{{ cookiecutter._commit | default("") }}"""
# The same with cookiecutter's abbreviations (gh:, gl:, bb: and the user's own) expanded, as
# cookiecutter itself cloned it: cruft clones the recorded address with git, which knows none.
TEMPLATE_URL = expand_abbreviations(TEMPLATE_SOURCE, get_user_config()["abbreviations"])
# Every answer, as cruft records them in .cruft.json.
CONTEXT = json.loads(r"""{{ cookiecutter | jsonify }}""")
LICENSE = "{{ cookiecutter.open_source_license }}"
PYTHON_VERSION = "{{ cookiecutter.python_version }}"
OPTIONS = {
    "example_app": "{{ cookiecutter.example_app }}",
    "use_celery": "{{ cookiecutter.use_celery }}",
    "use_graphql": "{{ cookiecutter.use_graphql }}",
    "use_docker": "{{ cookiecutter.use_docker }}",
    "use_kubernetes": "{{ cookiecutter.use_kubernetes }}",
    "ci_tool": "{{ cookiecutter.ci_tool }}",
}

# The Kubernetes manifests and the multi-replica tests that prove what they assume: the manifests
# run the Docker image, so use_docker=n removes them as use_kubernetes=n does.
KUBERNETES = [
    "deploy/kubernetes",
    "deploy/monitoring/kustomization.yaml",  # the monitoring assets as ConfigMaps
    "tests/support/haproxy.py",
    "config/tests/test_scale_out.py",
    "config/tests/test_scale_out_worker.py",
    f"{SLUG}/catalog/tests/test_scale_out.py",
]

# (option, value that removes the paths) -> paths relative to the project root.
PRUNE: dict[tuple[str, str], list[str]] = {
    ("example_app", "none"): [
        f"{SLUG}/catalog",
        f"{SLUG}/idempotency",
        "config/settings/components/catalog.py",
        # axe-core for the storefront's accessibility test: no storefront, no package.json.
        "package.json",
        "package-lock.json",
    ],
    ("use_celery", "n"): [
        "config/celery.py",
        "config/settings/components/celery.py",
        f"{SLUG}/core/management",
        "tests/support/celery_worker.py",
        "config/tests/test_celery.py",
        "config/tests/test_worker.py",
        f"{SLUG}/ip_tracking/tasks.py",
        f"{SLUG}/ip_tracking/tests/test_tasks.py",
        f"{SLUG}/users/tasks.py",
        f"{SLUG}/users/tests/test_tasks.py",
        f"{SLUG}/catalog/tasks.py",
        f"{SLUG}/catalog/tests/test_tasks.py",
        f"{SLUG}/catalog/tests/test_worker.py",
        f"{SLUG}/catalog/tests/test_worker_lost.py",
        f"{SLUG}/catalog/tests/test_broker_outage.py",
        f"{SLUG}/idempotency/tasks.py",
        "config/tests/test_scale_out_worker.py",
        f"{SLUG}/core/metrics/worker.py",
        f"{SLUG}/core/metrics/tests/test_worker_metrics.py",
        "config/tests/test_metrics_worker.py",
        f"{SLUG}/core/observability/tests/test_tracing_tasks.py",
        "deploy/monitoring/alerts-tasks.yml",
        "deploy/monitoring/alerts-tasks.test.yml",
        "deploy/monitoring/dashboard-tasks.json",
        "deploy/kubernetes/base/worker.yaml",
        "deploy/kubernetes/base/beat.yaml",
    ],
    # With Celery, beat sends the periodic tasks; the CronJobs are for bakes without it.
    ("use_celery", "y"): ["deploy/kubernetes/base/cronjobs.yaml"],
    ("use_graphql", "n"): [
        "schema.graphql",
        f"{SLUG}/graphql_api",
        "config/settings/components/graphql.py",
        "tests/support/graphql_client.py",
        f"{SLUG}/users/graphql.py",
        f"{SLUG}/catalog/graphql.py",
        f"{SLUG}/catalog/graphql_filters.py",
        f"{SLUG}/catalog/tests/graphql_documents.py",
        f"{SLUG}/catalog/tests/test_graphql_queries.py",
        f"{SLUG}/catalog/tests/test_graphql_mutations.py",
        f"{SLUG}/catalog/tests/test_graphql_limits.py",
        f"{SLUG}/catalog/tests/test_idempotency_graphql.py",
        f"{SLUG}/catalog/tests/test_graphql_search.py",
        f"{SLUG}/catalog/tests/test_graphql_popularity.py",
    ],
    ("use_docker", "n"): [
        "Dockerfile",
        ".dockerignore",
        "compose.yml",
        "compose.prod.yml",
        "docker",
        "config/tests/test_reverse_proxy.py",  # drives compose.prod.yml's proxy config
        "tests/support/caddy.py",
        *KUBERNETES,
    ],
    ("use_kubernetes", "n"): KUBERNETES,
    ("ci_tool", "github"): [".gitlab-ci.yml"],
    ("ci_tool", "gitlab"): [".github"],
    ("ci_tool", "none"): [".github", ".gitlab-ci.yml"],
}


def prune(root: Path) -> None:
    for (option, value), paths in PRUNE.items():
        if OPTIONS[option] != value:
            continue
        for rel in paths:
            target = root / rel
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def place_license(root: Path) -> None:
    licenses = root / "LICENSES"
    chosen = licenses / LICENSE
    if chosen.is_file():
        chosen.replace(root / "LICENSE")
    shutil.rmtree(licenses)


def write_env(root: Path) -> None:
    """Copy .env.example to .env with a fresh secret key (git-ignored, readable by the owner only).

    token_urlsafe never yields `$`, which django-environ would try to interpolate.
    """
    secret_key = secrets.token_urlsafe(50)
    lines = []
    for line in (root / ".env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            line = f"SECRET_KEY={secret_key}"
        lines.append(line)
    env_file = root / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)


# The template's tested versions: one uv lock per supported Python, resolved for every option at
# once (scripts/pins.py in the template writes them). The bake keeps what its options need.
LOCKS_DIR = "locks"
PACKAGE_SEPARATOR = "\n[[package]]\n"


class LockError(Exception):
    """The template's lock cannot serve this project (a one-line reason for the user)."""


def normalized_name(requirement: str) -> str:
    """The distribution name of a PEP 508 requirement, normalised as uv writes it (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    if match is None:
        raise LockError(f"cannot read the requirement {requirement!r} in pyproject.toml")
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def narrow_lock(lock_text: str, pyproject: dict[str, Any]) -> str:
    """The lock narrowed to one project: its name and version, its dependencies and theirs.

    Takes the text of a universal uv.lock whose root (the `virtual = "."` package) depends on every
    optional dependency, and pyproject.toml as parsed. Keeps the packages reachable from the
    project's own requirements (extras followed, markers kept as locked), as `uv lock` does when
    it re-locks a project for fewer dependencies; whole package entries are copied as text, so
    nothing is re-serialised. Raises LockError when the lock lacks a requirement or would hold the
    project twice (the pre-generation hook refuses such names first).
    """
    project = pyproject["project"]
    wanted = [*project.get("dependencies", [])]
    for group in pyproject.get("dependency-groups", {}).values():
        wanted += [entry for entry in group if isinstance(entry, str)]
    names = {normalized_name(requirement) for requirement in wanted}
    name = normalized_name(project["name"])
    # The version as uv records it: PEP 440's normal form drops leading zeros.
    version = re.sub(r"\d+", lambda digits: str(int(digits.group())), project["version"])

    head, *blocks = lock_text.split(PACKAGE_SEPARATOR)
    packages = tomllib.loads(lock_text)["package"]
    if len(packages) != len(blocks):
        raise LockError("the template's lock has an entry this hook cannot read")
    (root,) = [i for i, package in enumerate(packages) if package["source"] == {"virtual": "."}]
    if any(package["name"] == name for i, package in enumerate(packages) if i != root):
        raise LockError(
            f"the project's name {name!r} is also the name of a package it installs; "
            "bake again with another project_slug"
        )
    root_edges = [*packages[root].get("dependencies", [])]
    for group in packages[root].get("dev-dependencies", {}).values():
        root_edges += group
    if missing := sorted(names - {edge["name"] for edge in root_edges}):
        raise LockError(f"the template's lock has no entry for {', '.join(missing)}")

    by_name: dict[str, list[int]] = {}
    for i, package in enumerate(packages):
        by_name.setdefault(package["name"], []).append(i)
    edges = [edge for edge in root_edges if edge["name"] in names]
    reached: set[tuple[int, str]] = set()
    while edges:
        edge = edges.pop()
        for i in by_name[edge["name"]]:
            if "version" in edge and packages[i]["version"] != edge["version"]:
                continue  # a forked lock holds several versions; the edge names its own
            for extra in ["", *edge.get("extra", [])]:
                if (i, extra) in reached:
                    continue
                reached.add((i, extra))
                optional = packages[i].get("optional-dependencies", {})
                edges += optional.get(extra, []) if extra else packages[i].get("dependencies", [])
    keep = {i for i, _ in reached}

    # The project's own entry: its requirement lines for dependencies it does not have go, and it
    # takes its name and version, then its place in uv's order (by name).
    entry_line = re.compile(r'^\s+\{ name = "([^"]+)"')
    root_lines = [
        line
        for line in blocks[root].split("\n")
        if not (found := entry_line.match(line)) or found.group(1) in names
    ]
    root_block = "\n".join(root_lines)
    root_block = re.sub(r'\Aname = "[^"]+"\nversion = "[^"]+"\n', "", root_block)
    root_block = f'name = "{name}"\nversion = "{version}"\n' + root_block
    kept = [(packages[i]["name"], blocks[i]) for i in sorted(keep)]
    position = next((n for n, (other, _) in enumerate(kept) if other > name), len(kept))
    kept.insert(position, (name, root_block))
    return head + "".join(PACKAGE_SEPARATOR + block.rstrip("\n") + "\n" for _, block in kept)


def write_lock(root: Path) -> None:
    """uv.lock from the template's lock for this Python; locks/ is removed.

    Raises LockError: a bake without its lock is not the project the template tested, so the
    bake fails (the template's tests keep the locks current; `make lock` in the template).
    """
    locks = root / LOCKS_DIR
    try:
        lock_text = (locks / f"python{PYTHON_VERSION}.lock").read_text()
        pyproject = tomllib.loads((root / "pyproject.toml").read_text())
        (root / "uv.lock").write_text(narrow_lock(lock_text, pyproject))
    except OSError as error:
        raise LockError(f"the template's lock could not be read ({error})") from error
    finally:
        shutil.rmtree(locks, ignore_errors=True)


def applies(entry: dict[str, Any], answers: dict[str, str]) -> bool:
    return all(answers[option] == value for option, value in entry.get("when", {}).items())


# How a forge shows one file at one commit, by host.
FORGE_FILE_URLS = {
    "github.com": "https://github.com/{repo}/blob/{commit}/{path}",
    "gitlab.com": "https://gitlab.com/{repo}/-/blob/{commit}/{path}",
    "bitbucket.org": "https://bitbucket.org/{repo}/src/{commit}/{path}",
}
FORGE_REPO = re.compile(r"(?:https://|ssh://git@|git@)([\w.-]+)[/:]([\w.-]+(?:/[\w.-]+)+)/?")


def forge_repo(address: str) -> tuple[str, str] | None:
    """(host, owner/name) when the template was cloned from a forge we can link to."""
    match = FORGE_REPO.fullmatch(address)
    if match is None or match.group(1) not in FORGE_FILE_URLS:
        return None
    return match.group(1), match.group(2).removesuffix(".git")


def hub_link(page: str, commit: str | None) -> str:
    """A link to a page of the template's learning hub that resolves from the project.

    `page` is relative to the template's docs/. Baked from a forge: the page at the commit baked
    from (the default branch when unknown). From a folder given by its full path: the page's
    file. Otherwise (a zip, an unknown host, a relative path this hook cannot resolve): the
    page's name, not a link that would not open. cookiecutter's own copy of a remote template is
    not linked: the next bake replaces it.
    """
    path = f"docs/{page}"
    if forge := forge_repo(TEMPLATE_URL):
        host, repo = forge
        url = FORGE_FILE_URLS[host].format(repo=repo, commit=commit or "HEAD", path=path)
        return f"[{page}]({url})"
    local = Path(TEMPLATE_URL).expanduser()
    if local.is_absolute() and (local / path).is_file():
        return f"[{page}](<{(local / path).as_posix()}>)"
    return f"`{page}` in the Nexus learning hub (the `docs/` folder of the Nexus template)"


def existing(root: Path, paths: list[str]) -> list[str]:
    """The paths (with {slug} filled in) that exist in this bake."""
    return [path.format(slug=SLUG) for path in paths if (root / path.format(slug=SLUG)).exists()]


def test_defined(root: Path, test_id: str) -> bool:
    """Whether `path::test_name` names a test function in a module this bake has."""
    module, name = test_id.split("::")
    path = root / module
    return path.is_file() and re.search(rf"^\s*def {name}\(", path.read_text(), re.M) is not None


def write_practices(root: Path, commit: str | None) -> None:
    """docs/PRACTICES.md: the template's practice registry, narrowed to this project's options.

    The registry ships inside the project template and is removed once rendered. A practice
    applies as its `when` says; its files and tests are listed where they exist in this bake (the
    options already decided which do: the registry does not repeat them), except the template's
    own tests, which carry their `when`.
    """
    registry_file = root / "docs" / "practices.yml"
    registry = yaml.safe_load(registry_file.read_text())
    registry_file.unlink()
    answers = dict(OPTIONS)
    chosen = ", ".join(f"`{option}={value}`" for option, value in answers.items())
    lines = [
        "# Practices in this project",
        "",
        f"Options: {chosen}.",
        "",
        "Each practice below names where it lives, the files that implement it, what it takes",
        "elsewhere (the code that applies it, its settings) and the tests that prove it; the Nexus",
        "learning hub explains it (why, how, pitfalls). Tests marked *(template)* run in the Nexus",
        "template itself, not in this project.",
    ]
    for practice in registry["practices"]:
        if not applies(practice, answers):
            continue
        lines += ["", f"## {practice['title']}", "", f"Learn: {hub_link(practice['page'], commit)}"]
        if "package" in practice:
            lines += ["", f"Lives in `{practice['package'].format(slug=SLUG)}`:"]
        lines.append("")
        # Listed where the bake has them: the options decided which, at bake time.
        lines += [f"- `{path}`" for path in existing(root, practice["files"])]
        if elsewhere := existing(root, practice.get("elsewhere", [])):
            lines += ["", "Elsewhere:", "", *[f"- `{path}`" for path in elsewhere]]
        lines += ["", "Proved by:", ""]
        for entry in practice["tests"]:
            entry = {"id": entry} if isinstance(entry, str) else entry
            test_id = entry["id"].format(slug=SLUG)
            if test_id.startswith("tests/"):  # the template's own: its options are stated
                if applies(entry, answers):
                    lines.append(f"- `{test_id}` *(template)*")
            elif test_defined(root, test_id):
                lines.append(f"- `{test_id}`")
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "PRACTICES.md").write_text("\n".join(lines) + "\n")


def template_commit() -> str | None:
    """The commit the template was baked from, when its directory is a git checkout's root."""
    repo = Path(REPO_DIR)
    if not repo.is_absolute():  # relative to a directory this hook cannot see
        return None
    try:
        top, commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None
    # Not a directory inside some other repository: cruft must be able to clone it.
    return commit if Path(top).resolve() == repo.resolve() else None


def write_cruft_state(root: Path) -> str:
    """.cruft.json, so `cruft check`, `cruft diff` and `cruft update` work on a plain bake.

    Under cruft (no _repo_dir) nothing is written: cruft writes its own after generating.
    """
    if not REPO_DIR:
        return ""
    commit = template_commit()
    if commit is None:
        return (
            "No .cruft.json: the template was not given as a git repository (a URL, or a local"
            " clone's full path). Link it later with `cruft link <template URL>`."
        )
    template = TEMPLATE_URL
    if Path(REPO_DIR) == Path(template).expanduser():  # a local clone: its full path
        template = str(Path(REPO_DIR).resolve())
    answers = {k: v for k, v in CONTEXT.items() if k not in {"_repo_dir", "_output_dir"}}
    answers |= {"_template": template, "_commit": commit}
    state = {
        "template": template,
        "commit": commit,
        "checkout": CONTEXT.get("_checkout"),
        "context": {"cookiecutter": answers},
        "directory": None,
    }
    (root / ".cruft.json").write_text(json.dumps(state, indent=2) + "\n")
    return ".cruft.json records the template and its commit: `cruft check` says when it moves on."


def main() -> None:
    root = Path.cwd()
    prune(root)
    place_license(root)
    try:
        write_lock(root)
    except LockError as error:
        sys.exit(f"ERROR: no uv.lock for this project: {error}")
    write_env(root)
    write_practices(root, CRUFT_COMMIT or template_commit())
    cruft_note = write_cruft_state(root)
    print(
        f"\nCreated {root.name}. Next steps:\n"
        f"  cd {root.name}\n"
        "  git init && git add . && git commit -m 'Initial commit from Nexus'\n"
        "  make install    # .venv with the versions in uv.lock, the ones the template tested\n"
        "  make run        # http://127.0.0.1:8000/api/docs/\n"
        "  make test\n"
        "  make hooks      # the pre-commit hooks\n"
        ".env holds a fresh SECRET_KEY for local use; it is git-ignored. Never commit it."
        + (f"\n{cruft_note}" if cruft_note else ""),
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
