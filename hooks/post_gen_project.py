"""Post-generation: prune the files of options not chosen, write .env and docs/PRACTICES.md,
print the next steps.

Every optional file is listed once, in PRUNE, so what an option adds can be read in one place.
"""

import secrets
import shutil
import sys
from pathlib import Path

import yaml  # a dependency of cookiecutter itself

SLUG = "{{ cookiecutter.project_slug }}"
# Where the template is (a clone of it when baked from GitHub) and how it was named.
TEMPLATE_DIR = Path(r"""{{ cookiecutter._repo_dir }}""")
TEMPLATE_SOURCE = r"""{{ cookiecutter._template }}"""
LICENSE = "{{ cookiecutter.open_source_license }}"
OPTIONS = {
    "example_app": "{{ cookiecutter.example_app }}",
    "use_celery": "{{ cookiecutter.use_celery }}",
    "use_graphql": "{{ cookiecutter.use_graphql }}",
    "use_docker": "{{ cookiecutter.use_docker }}",
    "ci_tool": "{{ cookiecutter.ci_tool }}",
}

# (option, value that removes the paths) -> paths relative to the project root.
PRUNE: dict[tuple[str, str], list[str]] = {
    ("example_app", "none"): [f"{SLUG}/catalog"],
    ("use_celery", "n"): [
        "config/celery.py",
        f"{SLUG}/core/management",
        f"{SLUG}/core/tests/celery_worker.py",
        f"{SLUG}/core/tests/test_celery.py",
        f"{SLUG}/core/tests/test_worker.py",
        f"{SLUG}/ip_tracking/tasks.py",
        f"{SLUG}/ip_tracking/tests/test_tasks.py",
        f"{SLUG}/catalog/tasks.py",
        f"{SLUG}/catalog/tests/test_tasks.py",
        f"{SLUG}/catalog/tests/test_worker.py",
        f"{SLUG}/catalog/tests/test_worker_lost.py",
    ],
    ("use_graphql", "n"): [
        "schema.graphql",
        f"{SLUG}/graphql_api",
        f"{SLUG}/users/graphql.py",
        f"{SLUG}/catalog/graphql.py",
        f"{SLUG}/catalog/tests/test_graphql.py",
    ],
    ("use_docker", "n"): [
        "Dockerfile",
        ".dockerignore",
        "compose.yml",
        "compose.prod.yml",
        "docker",
    ],
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


def applies(entry: dict, answers: dict[str, str]) -> bool:
    return all(answers[option] == value for option, value in entry.get("when", {}).items())


def hub_link(page: str) -> str:
    """The page in the template's learning hub: a GitHub URL when baked from GitHub."""
    source = TEMPLATE_SOURCE.removesuffix(".git").removesuffix("/")
    for prefix in ("gh:", "https://github.com/", "git@github.com:"):
        if source.startswith(prefix):
            repo = source.removeprefix(prefix)
            return f"[{page}](https://github.com/{repo}/blob/main/docs/{page})"
    return f"`docs/{page}` in the Nexus template"


def write_practices(root: Path) -> None:
    """docs/PRACTICES.md: the template's practice registry, narrowed to this project's options."""
    registry = yaml.safe_load((TEMPLATE_DIR / "docs" / "practices.yml").read_text())
    answers = dict(OPTIONS)
    chosen = ", ".join(f"`{option}={value}`" for option, value in answers.items())
    lines = [
        "# Practices in this project",
        "",
        f"Options: {chosen}.",
        "",
        "Each practice below lists the files that implement it and the tests that prove it; the",
        "Nexus learning hub explains it (why, how, pitfalls). Tests marked *(template)* run in the",
        "Nexus template itself, not in this project.",
    ]
    for practice in registry["practices"]:
        if not applies(practice, answers):
            continue
        lines += ["", f"## {practice['title']}", "", f"Learn: {hub_link(practice['page'])}", ""]
        for entry in practice["files"]:
            entry = {"path": entry} if isinstance(entry, str) else entry
            if applies(entry, answers):
                lines.append(f"- `{entry['path'].format(slug=SLUG)}`")
        lines += ["", "Proved by:", ""]
        for entry in practice["tests"]:
            entry = {"id": entry} if isinstance(entry, str) else entry
            if applies(entry, answers):
                test_id = entry["id"].format(slug=SLUG)
                where = " *(template)*" if test_id.startswith("tests/") else ""
                lines.append(f"- `{test_id}`{where}")
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "PRACTICES.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    root = Path.cwd()
    prune(root)
    place_license(root)
    write_env(root)
    write_practices(root)
    print(
        f"\nCreated {root.name}. Next steps:\n"
        f"  cd {root.name}\n"
        "  git init && git add . && git commit -m 'Initial commit from Nexus'\n"
        "  make install    # creates .venv and uv.lock (commit uv.lock)\n"
        "  make run        # http://127.0.0.1:8000/api/docs/\n"
        "  make test\n"
        "  make hooks      # the pre-commit hooks\n"
        ".env holds a fresh SECRET_KEY for local use; it is git-ignored. Never commit it.",
        file=sys.stdout,
    )


if __name__ == "__main__":
    main()
