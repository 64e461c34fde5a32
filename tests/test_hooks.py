"""The pre-generation hook: bad answers stop cookiecutter with one clear line each, no folder left.

Bad answers go through cookiecutter end to end (pytest-cookies) against the real template: the
pre-gen hook runs before any file is rendered, so these tests hold while the generated project is
still being written. Valid answers are checked by running the rendered hook directly, and by a bake
of a stand-in template that has the real cookiecutter.json and pre-gen hook but no post-gen hook.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context
from pytest_cookies.plugin import Cookies

REPO = Path(__file__).resolve().parents[1]
PRE_GEN_HOOK = REPO / "hooks" / "pre_gen_project.py"
SLUG_DIR = "{{cookiecutter.project_slug}}"
# An empty project name would also empty the derived slug, and cookiecutter refuses an empty
# folder name before the hook runs; fixing the slug lets the hook judge the name itself.
SHOP = {"project_slug": "shop_api"}


def answers(
    extra_context: dict[str, str] | None = None, *, forced: dict[str, str] | None = None
) -> dict[str, Any]:
    """The answers cookiecutter hands to the hooks, for the real cookiecutter.json.

    ``forced`` values are set after cookiecutter's own checks, as a replay file can do.
    """
    context_file = str(REPO / "cookiecutter.json")
    context = generate_context(context_file=context_file, extra_context=extra_context)
    return {**prompt_for_config(context, no_input=True), **(forced or {})}


def run_hook(
    tmp_path: Path, extra_context: dict[str, str], *, forced: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Render the pre-gen hook as cookiecutter does, then run it in a fresh interpreter."""
    context = {"cookiecutter": answers(extra_context, forced=forced)}
    template = create_env_with_context(context).from_string(PRE_GEN_HOOK.read_text("utf-8"))
    script = tmp_path / "pre_gen_project.py"
    script.write_text(template.render(**context), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, encoding="utf-8", check=False
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR: ")]


def leftovers(tmp_path: Path) -> list[Path]:
    """Whatever a bake left in its output folders.

    pytest-cookies 0.7 bakes into <tmp_path>/cookies/bakeNN; cookiecutter creates the project
    folder inside before running the pre-gen hook, and must delete it when the hook fails.
    """
    output_root = tmp_path / "cookies"
    assert output_root.is_dir(), "pytest-cookies no longer bakes under tmp_path/cookies"
    return [path for bake_dir in output_root.iterdir() for path in bake_dir.iterdir()]


@pytest.mark.parametrize(
    ("extra_context", "option", "explanation"),
    [
        pytest.param(
            {"project_slug": "MyApp"},
            "project_slug",
            "lowercase Python identifier",
            id="slug-uppercase",
        ),
        pytest.param(
            {"project_slug": "my-app"},
            "project_slug",
            "lowercase Python identifier",
            id="slug-hyphen",
        ),
        pytest.param(
            {"project_slug": "2shop"},
            "project_slug",
            "starting with a letter",
            id="slug-leading-digit",
        ),
        pytest.param(
            {"project_slug": "shop_"},
            "project_slug",
            "ending with a letter or digit",
            id="slug-trailing-underscore",
        ),
        pytest.param(
            {"project_slug": "class"}, "project_slug", "Python keyword", id="slug-keyword-class"
        ),
        pytest.param(
            {"project_slug": "match"}, "project_slug", "soft keyword", id="slug-soft-keyword-match"
        ),
        pytest.param(
            {"project_slug": "django"},
            "project_slug",
            "shadow the 'django' package",
            id="slug-shadows-django",
        ),
        pytest.param(
            {"project_slug": "config"},
            "project_slug",
            "shadow the 'config' package",
            id="slug-shadows-project-config",
        ),
        pytest.param(
            {"project_slug": "email"},
            "project_slug",
            "standard-library module 'email'",
            id="slug-shadows-stdlib-email",
        ),
        pytest.param(
            {"project_slug": "a" * 51},
            "project_slug",
            "51 characters long; the limit is 50",
            id="slug-51-chars",
        ),
        pytest.param(
            {**SHOP, "project_name": "   "}, "project_name", "must not be empty", id="name-blank"
        ),
        pytest.param(
            {**SHOP, "project_name": 'The "Best" Shop'},
            "project_name",
            'a double quote (")',
            id="name-with-double-quote",
        ),
        pytest.param(
            {"description": "Runs on C:\\shop"},
            "description",
            "a backslash (\\)",
            id="description-with-backslash",
        ),
        pytest.param(
            {"description": "Ring the bell\a"},
            "description",
            "a control character (U+0007)",
            id="description-with-control-character",
        ),
        pytest.param(
            {"author_name": "Ada\nLovelace"}, "author_name", "a newline", id="author-with-newline"
        ),
        pytest.param(
            {"author_email": "ada.example.com"}, "author_email", "one @", id="email-no-at"
        ),
        pytest.param(
            {"author_email": "ada@@example.com"}, "author_email", "one @", id="email-two-ats"
        ),
        pytest.param(
            {"author_email": "ada@localhost"},
            "author_email",
            "a domain with a dot",
            id="email-domain-without-dot",
        ),
        pytest.param(
            {"author_email": "ada lovelace@example.com"},
            "author_email",
            "no spaces",
            id="email-with-space",
        ),
        pytest.param({"version": "1.0"}, "version", "MAJOR.MINOR.PATCH", id="version-two-parts"),
        pytest.param(
            {"version": "v1.0.0"}, "version", "MAJOR.MINOR.PATCH", id="version-with-v-prefix"
        ),
        pytest.param(
            {"version": "1.0.0-beta"}, "version", "rcN or .devN", id="version-semver-suffix"
        ),
        pytest.param(
            {"domain_name": "https://example.com"},
            "domain_name",
            "drop the scheme 'https://'",
            id="domain-with-scheme",
        ),
        pytest.param(
            {"domain_name": "example.com/api"},
            "domain_name",
            "drop the path",
            id="domain-with-path",
        ),
        pytest.param(
            {"domain_name": "example.com:8000"},
            "domain_name",
            "drop the port",
            id="domain-with-port",
        ),
        pytest.param(
            {"domain_name": "localhost"},
            "domain_name",
            "needs at least one dot",
            id="domain-localhost",
        ),
        pytest.param(
            {"domain_name": "-api.example.com"},
            "domain_name",
            "not starting or ending with a hyphen",
            id="domain-label-leading-hyphen",
        ),
        pytest.param(
            {"domain_name": "10.0.0.1"}, "domain_name", "not a number", id="domain-ip-address"
        ),
        pytest.param(
            {"timezone": "Mars/Olympus_Mons"},
            "timezone",
            "not an IANA time zone name",
            id="timezone-unknown",
        ),
        pytest.param(
            {"timezone": "europe/paris"},
            "timezone",
            "not an IANA time zone name",
            id="timezone-wrong-case",
        ),
    ],
)
def test_bad_input_is_rejected_with_one_clear_line_and_no_folder(
    cookies: Cookies,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
    extra_context: dict[str, str],
    option: str,
    explanation: str,
) -> None:
    result = cookies.bake(extra_context=extra_context, template=str(REPO))

    assert result.exit_code != 0
    assert isinstance(result.exception, FailedHookException)
    [line] = error_lines(capfd.readouterr().err)
    assert line.startswith(f"ERROR: {option} ")
    assert explanation in line
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("option", "value"),
    [
        pytest.param("python_version", "3.11", id="python-3.11-not-offered"),
        pytest.param("open_source_license", "WTFPL", id="license-not-offered"),
        pytest.param("example_app", "blog", id="example-app-not-offered"),
    ],
)
def test_choice_not_offered_is_refused_by_cookiecutter_before_any_folder_is_made(
    cookies: Cookies, tmp_path: Path, option: str, value: str
) -> None:
    # cookiecutter checks choice overrides itself, before the hook or any folder exists.
    result = cookies.bake(extra_context={option: value}, template=str(REPO))

    assert result.exit_code != 0
    assert isinstance(result.exception, ValueError)
    assert f"{value} provided for choice variable {option}" in str(result.exception)
    assert leftovers(tmp_path) == []


def test_choice_not_offered_in_a_replay_file_is_caught_by_the_pre_gen_hook(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A replay file skips cookiecutter's own choice check, so the hook is the only guard left.
    replay_file = tmp_path / "nexus.json"
    replay_file.write_text(
        json.dumps({"cookiecutter": answers(forced={"python_version": "3.10"})}), "utf-8"
    )
    output_dir = tmp_path / "out"
    output_dir.mkdir()

    with pytest.raises(FailedHookException):
        cookiecutter(
            str(REPO),
            replay=str(replay_file),
            output_dir=str(output_dir),
            default_config={
                "cookiecutters_dir": str(tmp_path / "cookiecutters"),
                "replay_dir": str(tmp_path / "replay"),
            },
        )

    assert error_lines(capfd.readouterr().err) == [
        "ERROR: python_version '3.10' is not one of the offered choices: 3.12, 3.13"
    ]
    assert list(output_dir.iterdir()) == []


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="defaults"),
        pytest.param(
            {
                "project_name": "Shop API",
                "project_slug": "shop_api",
                "timezone": "Europe/Paris",
                "description": "Ada's shop: ''' triple quotes ''' are fine",
            },
            id="shop-api-paris-apostrophe",
        ),
        pytest.param(
            {"project_name": "Café Žluťoučký 🚀", "project_slug": "cafe"}, id="non-ascii-name"
        ),
        pytest.param({"project_name": "Acme Inc."}, id="name-ending-in-a-full-stop"),
        pytest.param({"project_name": "-Shop-"}, id="name-with-dashes-around"),
        pytest.param({"version": "1.0.0rc1"}, id="version-release-candidate"),
        pytest.param({"version": "1.0.0.dev1"}, id="version-dev-release"),
        pytest.param({"domain_name": "api.my-shop.co.uk"}, id="domain-with-hyphen-and-subdomains"),
        pytest.param(
            {"author_email": "o'brien+nexus@mail.example.org"}, id="email-apostrophe-and-plus"
        ),
        pytest.param(
            {"python_version": "3.13", "open_source_license": "Not open source"},
            id="other-offered-choices",
        ),
    ],
)
def test_valid_answers_pass_the_hook_silently(tmp_path: Path, overrides: dict[str, str]) -> None:
    completed = run_hook(tmp_path, overrides)

    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "", "")


def test_quotes_and_backslashes_in_an_answer_cannot_break_the_rendered_hook(
    tmp_path: Path,
) -> None:
    # Each of these would end or corrupt a naively rendered string literal in the hook.
    nasty = 'Say "hi" \'\'\' """ \\""" \\n \\'

    completed = run_hook(tmp_path, {"description": nasty})

    assert completed.returncode == 1
    assert "SyntaxError" not in completed.stderr
    assert error_lines(completed.stderr) == [
        'ERROR: description contains a double quote (") and a backslash (\\); double quotes, '
        "backslashes and control characters (newlines, tabs) are not allowed because the value is "
        "written into TOML and Python strings"
    ]


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    completed = run_hook(
        tmp_path,
        {
            "project_slug": "import",
            "author_email": "nobody",
            "version": "one",
            "domain_name": "http://localhost",
            "timezone": "Nowhere/Land",
        },
        forced={"example_app": "blog"},
    )

    assert completed.returncode == 1
    options = [line.split()[1] for line in error_lines(completed.stderr)]
    expected = ["project_slug", "author_email", "version", "domain_name", "timezone", "example_app"]
    assert options == expected
    assert len(completed.stderr.splitlines()) == len(expected)


@pytest.fixture
def template_without_project(tmp_path: Path) -> Path:
    """The real cookiecutter.json and pre-gen hook around a one-file project.

    Keeps the valid-input bake independent of the generated project and post-gen hook, which are
    written separately.
    """
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    shutil.copy(REPO / "cookiecutter.json", template)
    shutil.copy(PRE_GEN_HOOK, template / "hooks")
    (template / SLUG_DIR).mkdir()
    (template / SLUG_DIR / "README.md").write_text("# {{ cookiecutter.project_name }}\n", "utf-8")
    return template


def test_valid_non_default_answers_bake_past_the_pre_gen_hook(
    cookies: Cookies, capfd: pytest.CaptureFixture[str], template_without_project: Path
) -> None:
    result = cookies.bake(
        extra_context={
            "project_name": "Shop API",
            "project_slug": "shop_api",
            "timezone": "Europe/Paris",
            "description": "Ada's shop, with ''' and an apostrophe",
        },
        template=str(template_without_project),
    )

    assert result.exception is None
    assert result.exit_code == 0
    assert result.project_path.name == "shop_api"
    assert (result.project_path / "README.md").read_text("utf-8") == "# Shop API\n"
    assert capfd.readouterr().err == ""
