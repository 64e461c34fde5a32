"""The environment, read once: the `env` object every settings module reads through, and helpers.

Values come from the environment through one `env` object (django-environ); a `.env` file, if
present, fills in what the real environment does not set. base.py and each component import from
here, so none of them depends on another just to read a variable.
"""

import re
import tomllib
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE = "{{ cookiecutter.project_slug }}"
# The project's version (pyproject.toml): error reports' release, traces' service.version.
VERSION = str(tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]["version"])


class Env(environ.Env):
    """django-environ's reader, but a flag that says neither true nor false stops start-up.

    django-environ reads every word but its six true ones as False: SECURE_SSL_REDIRECT=ture
    would turn the HTTPS redirect off in production, and nothing would say so.
    """

    BOOLEAN_FALSE_STRINGS = ("false", "off", "n", "no", "0")

    def bool(self, var: str, default: Any = environ.Env.NOTSET) -> bool:
        raw = self.ENVIRON.get(var)
        if raw is None:  # unset: the default, or django-environ's error when there is none
            return bool(super().bool(var, default=default))
        word = raw.strip().lower()
        # Empty ("FLAG=" in an env file or a ConfigMap) is unset: never False for a switch whose
        # default is True.
        if not word and default is not self.NOTSET:
            return bool(default)
        if word not in self.BOOLEAN_TRUE_STRINGS + self.BOOLEAN_FALSE_STRINGS:
            raise ImproperlyConfigured(f"{var} must be true or false, not {raw!r}")
        return word in self.BOOLEAN_TRUE_STRINGS


env = Env()
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
