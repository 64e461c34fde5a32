"""Running commands: progress lines, a command that must succeed, its wall time, uv's env."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from .config import POSTGRES, REDIS, ROOT

sys.path.insert(0, str(ROOT / "scripts"))  # the template's scripts: find_python
from find_python import find_python

UV = str(Path(sys.executable).with_name("uv"))


def step(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command that must succeed; its output, or the run ends with the command's output."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(
            f"bench: `{' '.join(args)}` failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    out = sh(args, cwd, env)
    return time.perf_counter() - started, out


def uv_env(**extra: str) -> dict[str, str]:
    """The environment uv runs in: Python 3.12 from this machine, never a download."""
    python = find_python("3.12")
    return os.environ | {"UV_PYTHON": python, "UV_PYTHON_DOWNLOADS": "never"} | extra


def empty_services(database: str, redis_db: int, cwd: Path) -> None:
    """A new, empty PostgreSQL database of this name and an emptied Redis database."""
    psql = f"{POSTGRES}/postgres"
    sh(["psql", psql, "-qc", f"DROP DATABASE IF EXISTS {database}"], cwd)
    sh(["psql", psql, "-qc", f"CREATE DATABASE {database}"], cwd)
    sh(["redis-cli", "-u", f"{REDIS}/{redis_db}", "flushdb"], cwd)
