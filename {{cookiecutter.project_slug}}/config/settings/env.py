"""The environment, read once: the `env` object every settings module reads through, and helpers.

Values come from the environment through one `env` object (django-environ); a `.env` file, if
present, fills in what the real environment does not set. base.py and each component import from
here, so none of them depends on another just to read a variable.
"""

import re
import tomllib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE = "{{ cookiecutter.project_slug }}"
# The project's version (pyproject.toml): error reports' release, traces' service.version.
VERSION = str(tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["version"])

env = environ.Env()
# The real environment wins over .env, so containers and CI are never overridden by a stray file.
if env.bool("DJANGO_READ_ENV_FILE", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def rate(name: str, default: str) -> str:
    """A rate such as "20/m" (per s, m, h or d) from the environment, checked at start-up."""
    value = env.str(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must look like 20/m (a count per s, m, h or d), not {value!r}"
        )
    return str(value)
