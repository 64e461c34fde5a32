"""Run code in a fresh interpreter under given settings: exactly how a server loads them."""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def run_with_settings(
    code: str, *, settings_module: str, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """Variables set to None are removed; the project's .env file is not read."""
    full_env = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    full_env |= {"DJANGO_SETTINGS_MODULE": settings_module, "DJANGO_READ_ENV_FILE": "false"}
    return subprocess.run(  # noqa: S603 - our own interpreter, code from the test itself
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
