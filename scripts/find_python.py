"""Print the path of a real CPython X.Y interpreter, for `uv venv -p` / UV_PYTHON.

uv cannot use pyenv's shims (they exit 127 when that version is not the active one), and this
project never lets uv download interpreters. So look for a working `pythonX.Y` on PATH, then in
pyenv's versions folder.  Usage: python scripts/find_python.py 3.12
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _works(candidate: str, version: str) -> bool:
    try:
        out = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def find_python(version: str) -> str:
    """Return a path to a working python<version>, or raise LookupError."""
    candidates: list[str] = []
    found = shutil.which(f"python{version}")
    if found and "/shims/" not in found:
        candidates.append(found)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    versions = sorted((pyenv_root / "versions").glob(f"{version}.*"), reverse=True)
    candidates += [str(v / "bin" / f"python{version}") for v in versions]
    for candidate in candidates:
        if _works(candidate, version):
            return candidate
    raise LookupError(f"no Python {version} interpreter found (looked on PATH and in pyenv)")


if __name__ == "__main__":
    try:
        print(find_python(sys.argv[1] if len(sys.argv) > 1 else "3.12"))
    except LookupError as error:
        sys.exit(f"find_python: {error}")
