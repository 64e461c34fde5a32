"""The generated CI/CD pipelines and pre-commit hooks, proven offline.

The GitHub workflow is validated against its JSON schema and audited by zizmor; the GitLab file is
validated against its schema; every `make` target a pipeline runs exists, and the installed bakes
run those targets here (bandit, pip-audit, the schema checks) and their pre-commit hooks for real.
pip-audit queries a local OSV server (tests/osv_server.py), and the real OSV when it answers.
The pipelines themselves run on GitHub and GitLab, which this machine cannot reach.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BAKES, TEMPLATE, UV, UV_ON_PATH, Bake, answers_for, locked_versions, run
from osv_server import OsvServer, closed_port_url
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

TOOLS = Path(UV).parent
CI_FILES = {"github": ".github/workflows/ci.yml", "gitlab": ".gitlab-ci.yml"}
# The gates every pipeline must run, by make target (the same ones `make check` runs locally).
GATES = {
    "lint",
    "typecheck",
    "test",
    "schema",
    "migrations-check",
    "deploy-check",
    "bandit",
    "audit",
}
REAL_OSV = "https://api.osv.dev/v1/query"  # the Makefile's default OSV_URL
PINNED_ACTION = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def bakes_with(ci_tool: str) -> list[str]:
    return [name for name in BAKES if answers_for(name)["ci_tool"] == ci_tool]


def load(project: Bake, rel: str) -> dict[Any, Any]:
    """A YAML file of the bake; keys are not all strings (PyYAML reads a bare `on` as True)."""
    parsed: dict[Any, Any] = yaml.safe_load((project.path / rel).read_text())
    return parsed


def make_targets(project: Bake) -> set[str]:
    text = (project.path / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.MULTILINE))


def commands(project: Bake, ci_tool: str) -> list[str]:
    """Every shell line a pipeline runs."""
    config = load(project, CI_FILES[ci_tool])
    if ci_tool == "github":
        steps = [step for job in config["jobs"].values() for step in job["steps"]]
        return [line for step in steps for line in step.get("run", "").splitlines()]
    jobs = [job for key, job in config.items() if isinstance(job, dict) and "script" in job]
    return [line for job in jobs for entry in job["script"] for line in entry.splitlines()]


@pytest.mark.parametrize("name", list(BAKES))
def test_only_the_chosen_pipeline_is_generated(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name)
    chosen = answers_for(name)["ci_tool"]
    present = {tool for tool, rel in CI_FILES.items() if (project.path / rel).exists()}
    assert present == ({chosen} if chosen != "none" else set())
    assert (project.path / ".github").exists() == (chosen == "github")
    readme = (project.path / "README.md").read_text()
    for tool, rel in CI_FILES.items():
        assert (rel in readme) == (tool == chosen), f"README and {rel}"


@pytest.mark.parametrize("name", bakes_with("github"))
def test_github_workflow_matches_its_schema_and_passes_zizmor(
    bake: Callable[[str], Bake], name: str
) -> None:
    workflows = bake(name).path / ".github/workflows"
    run(
        [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows"]
        + [str(path) for path in sorted(workflows.glob("*.yml"))],
        workflows,
    )
    run([str(TOOLS / "zizmor"), "--offline", "--no-progress", str(workflows)], workflows)


def test_the_templates_own_workflow_matches_its_schema_and_passes_zizmor() -> None:
    workflow = str(TEMPLATE / ".github/workflows/ci.yml")
    run(
        [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", workflow],
        TEMPLATE,
    )
    run([str(TOOLS / "zizmor"), "--offline", "--no-progress", workflow], TEMPLATE)


@pytest.mark.parametrize("name", bakes_with("gitlab"))
def test_gitlab_pipeline_matches_its_schema(bake: Callable[[str], Bake], name: str) -> None:
    project = bake(name)
    run(
        [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
        project.path,
    )


@pytest.mark.parametrize("name", bakes_with("github") + bakes_with("gitlab"))
def test_pipelines_run_every_gate_through_existing_make_targets(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    ran = {
        m
        for line in commands(project, answers_for(name)["ci_tool"])
        for m in re.findall(r"\bmake ([a-z-]+)", line)
    }
    assert ran == GATES | {"template-check"}  # and the informational template check
    assert ran <= make_targets(project)
    # `make check` runs the same gates locally.
    check = re.search(r"^check: (.*?) ##", (project.path / "Makefile").read_text(), re.MULTILINE)
    assert check
    assert set(check.group(1).split()) | {"bandit", "audit"} >= GATES


@pytest.mark.parametrize("name", bakes_with("github"))
def test_github_workflow_has_least_privilege_and_pushes_the_image_only_from_main_and_tags(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    workflow = load(project, CI_FILES["github"])
    triggers = workflow[True]  # PyYAML reads the bare key `on` as True
    assert triggers["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert "pull_request" in triggers
    assert "pull_request_target" not in triggers
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["cancel-in-progress"]
    jobs = workflow["jobs"]
    with_docker = answers_for(name)["use_docker"] == "y"
    assert ("image" in jobs) == with_docker
    for job_name, job in jobs.items():
        expected = {"contents": "read"} | ({"packages": "write"} if job_name == "image" else {})
        assert job["permissions"] == expected, job_name
        checkout = job["steps"][0]
        assert checkout["uses"].startswith("actions/checkout@")
        assert checkout["with"]["persist-credentials"] is False
    text = (project.path / CI_FILES["github"]).read_text()
    for line in re.findall(r"uses: (.*)", text):
        assert PINNED_ACTION.match(line), f"not pinned to a commit with its release: {line}"
    if not with_docker:
        assert "docker" not in text.lower()
        return
    image = jobs["image"]
    # Nothing ships unless every gate passed (the template job only informs).
    assert set(image["needs"]) == set(jobs) - {"image", "template"}
    [build] = [s for s in image["steps"] if s.get("uses", "").startswith("docker/build-push")]
    assert build["with"]["push"] == "${{ github.event_name == 'push' }}"
    assert build["with"]["target"] == "runtime"
    assert build["with"]["cache-from"] == "type=gha"
    [login] = [s for s in image["steps"] if s.get("uses", "").startswith("docker/login")]
    assert login["if"] == "github.event_name == 'push'"


@pytest.mark.parametrize("name", bakes_with("gitlab"))
def test_gitlab_pipeline_builds_the_image_after_every_gate_and_pushes_outside_merge_requests(
    bake: Callable[[str], Bake], name: str
) -> None:
    pipeline = load(bake(name), CI_FILES["gitlab"])
    jobs = {key: job for key, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    assert pipeline["test"]["services"][0]["name"].startswith("postgres:")
    assert pipeline["test"]["services"][1]["name"].startswith("redis:")
    if answers_for(name)["use_docker"] == "n":
        assert "docker-image" not in jobs
        return
    image = jobs["docker-image"]
    assert set(image["needs"]) == set(jobs) - {"docker-image", "template-updates"}
    script = "\n".join(image["script"])
    build_only, push = script.split("else", 1)
    assert "merge_request_event" in build_only
    assert "--push" not in build_only
    assert "--push" in push
    assert "--target runtime" in build_only
    assert "--target runtime" in push


@pytest.mark.parametrize("name", bakes_with("github") + bakes_with("gitlab"))
def test_pipelines_use_the_projects_uv_and_python_versions(
    bake: Callable[[str], Bake], name: str
) -> None:
    project = bake(name)
    ci_tool = answers_for(name)["ci_tool"]
    text = (project.path / CI_FILES[ci_tool]).read_text()
    [uv_version] = re.findall(r'UV_VERSION: "([\d.]+)"', text)
    if (project.path / "Dockerfile").exists():
        dockerfile = (project.path / "Dockerfile").read_text()
        assert f"ghcr.io/astral-sh/uv:{uv_version} " in dockerfile
    python = (project.path / ".python-version").read_text().strip()
    if ci_tool == "github":
        assert "python-version-file: .python-version" in text
    else:
        assert f"image: python:{python}-bookworm" in text


# --- The installed bakes: the hooks and the security targets for real -------------------------

INSTALLED = [
    pytest.param(name, marks=[pytest.mark.slow, pytest.mark.xdist_group(name)])
    for name in ("default", "minimal")
]


def repo_copy(project: Bake, tmp_path: Path) -> Path:
    """A git repository holding the bake (its .venv linked, not copied): hooks need git."""
    copy = tmp_path / project.path.name
    shutil.copytree(project.path, copy, ignore=shutil.ignore_patterns(".venv", "*.sqlite3"))
    (copy / ".venv").symlink_to(project.path / ".venv")
    run(["git", "init", "-q"], copy)
    run(["git", "add", "--all"], copy)
    return copy


def outcome(project: Bake, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = project.env(PATH=UV_ON_PATH, PRE_COMMIT_HOME=str(cwd.parent / "pre-commit-home"))
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("name", INSTALLED)
def test_pre_commit_hooks_pass_on_a_fresh_bake_and_stop_a_private_key(
    installed: Callable[[str], Bake], name: str, tmp_path: Path
) -> None:
    project = installed(name)
    repo = repo_copy(project, tmp_path)
    pre_commit = [UV, "run", "--no-sync", "pre-commit"]
    run([*pre_commit, "validate-config", ".pre-commit-config.yaml"], repo, project.env())
    clean = outcome(project, [*pre_commit, "run", "--all-files"], repo)
    assert clean.returncode == 0, clean.stdout[-4000:]
    hooks = re.findall(r"^(.+?)\.{3,}(Passed|Skipped)$", clean.stdout, re.MULTILINE)
    docker = answers_for(name)["use_docker"] == "y"
    assert len(hooks) == (11 if docker else 10)  # every hook ran: none failed, none missing
    assert (("hadolint (Dockerfile)", "Passed") in hooks) == docker

    key = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
    (repo / "deploy_key.pem").write_text(key)
    run(["git", "add", "deploy_key.pem"], repo)
    caught = outcome(project, [*pre_commit, "run", "--all-files"], repo)
    assert caught.returncode == 1
    assert re.search(r"^no private keys\.+Failed$", caught.stdout, re.MULTILINE)
    assert "deploy_key.pem" in caught.stdout


@pytest.mark.parametrize("name", INSTALLED)
def test_bandit_passes_on_the_bake_and_fails_on_a_shell_injection(
    installed: Callable[[str], Bake], name: str, tmp_path: Path
) -> None:
    project = installed(name)
    repo = repo_copy(project, tmp_path)
    project.make("bandit", cwd=repo)
    (repo / project.path.name / "core" / "unsafe.py").write_text(
        "import subprocess\n\n\ndef run(command: str) -> None:\n"
        "    subprocess.call(command, shell=True)\n"
    )
    caught = outcome(project, ["make", "bandit"], repo)
    assert caught.returncode != 0
    assert "core/unsafe.py" in caught.stdout


# --- The dependency audit: `make audit` on the pinned set, against a local OSV ---------------

# PYSEC-2024-102 (CVE-2024-45230, Django's urlize() denial of service), as PyPA's advisory
# database publishes it (pypa/advisory-database, vulns/django/PYSEC-2024-102.yaml) and OSV serves
# it. Its ranges are moved onto the pinned Django below: the same record published tomorrow.
PYSEC_2024_102 = {
    "id": "PYSEC-2024-102",
    "aliases": ["CVE-2024-45230"],
    "details": "An issue was discovered in Django 5.1 before 5.1.1, 5.0 before 5.0.9, and 4.2 "
    "before 4.2.16. The urlize() and urlizetrunc() template filters are subject to a potential "
    "denial-of-service attack via very large inputs with a specific sequence of characters.",
    "references": [
        {
            "type": "ARTICLE",
            "url": "https://www.djangoproject.com/weblog/2024/sep/03/security-releases/",
        }
    ],
}


def make_audit(project: Bake, osv_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """`make audit` as CI runs it; with `osv_url`, against that service (a make variable)."""
    args = ["make", "audit", *([f"OSV_URL={osv_url}"] if osv_url else [])]
    local = {"NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"} if osv_url else {}
    return subprocess.run(
        args,
        cwd=project.path,
        env=project.env(PATH=UV_ON_PATH, **local),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def locked_runtime_set(project: Bake) -> set[tuple[str, str]]:
    """(name, version) of every runtime package uv.lock installs on this machine: uv's own export
    without the dev group, its markers evaluated for the project's interpreter, each pin checked
    against uv.lock."""
    export = ["--locked", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet"]
    exported = run(
        [UV, "export", *export, "--format", "requirements-txt"], project.path, project.env()
    ).stdout
    environment = json.loads(
        project.tool(
            "python",
            "-c",
            "import json; from packaging.markers import default_environment as env; "
            "print(json.dumps(env()))",
        ).stdout
    )
    locked = set(locked_versions(project.path / "uv.lock").items())
    pins: set[tuple[str, str]] = set()
    for line in exported.splitlines():
        if not line or line[0] in "# ":
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        [specifier] = requirement.specifier
        assert specifier.operator == "==", line
        pins.add((canonicalize_name(requirement.name), specifier.version))
    assert pins <= locked
    return pins


def pinned_version(project: Bake, package: str) -> Version:
    return Version(locked_versions(project.path / "uv.lock")[package])


@pytest.mark.slow
@pytest.mark.xdist_group("default")
def test_the_audit_asks_osv_about_exactly_the_locked_runtime_packages_and_passes_when_clean(
    installed: Callable[[str], Bake],
) -> None:
    project = installed("default")
    with OsvServer() as osv:
        result = make_audit(project, osv.url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "pip-audit --strict" in result.stdout  # make echoes it: skipped packages fail the audit
    assert "No known vulnerabilities found" in result.stderr
    assert len(osv.queries) == len(set(osv.queries))  # each package asked about once
    assert set(osv.queries) == locked_runtime_set(project)
    assert ("django", str(pinned_version(project, "django"))) in osv.queries
    assert not {"pytest", "mypy", "pip-audit"} & {package for package, _ in osv.queries}
    requirements = (project.path / "build/requirements.txt").read_text()
    assert "--hash=sha256:" in requirements  # --require-hashes: the audited file is the lock's


@pytest.mark.slow
@pytest.mark.xdist_group("default")
def test_an_advisory_published_against_the_pinned_django_fails_the_audit_and_is_named(
    installed: Callable[[str], Bake],
) -> None:
    project = installed("default")
    django = pinned_version(project, "django")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    fixed = f"{django.major}.{django.minor}.{django.micro + 1}"
    advisory = PYSEC_2024_102 | {
        "published": tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "modified": tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "django", "purl": "pkg:pypi/django"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [
                            {"introduced": f"{django.major}.{django.minor}"},
                            {"fixed": fixed},
                        ],
                    }
                ],
            }
        ],
    }
    with OsvServer([advisory]) as osv:
        result = make_audit(project, osv.url)
    assert result.returncode != 0
    assert "Found 1 known vulnerability in 1 package" in result.stderr
    assert re.search(
        rf"^django +{re.escape(str(django))} +PYSEC-2024-102 +{fixed}$", result.stdout, re.M
    ), result.stdout


@pytest.mark.slow
@pytest.mark.xdist_group("default")
@pytest.mark.parametrize("reachable", [True, False], ids=["answers-500", "is-not-listening"])
def test_an_osv_service_that_fails_or_cannot_be_reached_fails_the_audit(
    installed: Callable[[str], Bake], reachable: bool
) -> None:
    project = installed("default")
    with OsvServer(status=500) as osv:
        result = make_audit(project, osv.url if reachable else closed_port_url())
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("500 Server Error" if reachable else "Connection refused") in output, output[-3000:]
    assert "No known vulnerabilities found" not in output
    assert bool(osv.queries) == reachable


@pytest.mark.slow
@pytest.mark.xdist_group("default")
def test_the_pinned_set_passes_the_audit_against_the_real_osv_service(
    installed: Callable[[str], Bake],
) -> None:
    query = json.dumps({"package": {"name": "django", "ecosystem": "PyPI"}, "version": "5.2"})
    request = urllib.request.Request(REAL_OSV, data=query.encode(), method="POST")
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError as error:
        pytest.skip(f"{REAL_OSV} is unreachable from this machine ({error}); CI runs this for real")
    project = installed("default")
    result = make_audit(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "No known vulnerabilities found" in result.stderr


@pytest.mark.parametrize("name", INSTALLED)
def test_schema_target_validates_openapi_and_the_exported_graphql_schema(
    installed: Callable[[str], Bake], name: str
) -> None:
    project = installed(name)
    result = project.make("schema")
    graphql = (project.path / "schema.graphql").exists()
    assert ("schema.graphql matches the code" in result.stdout) == graphql
