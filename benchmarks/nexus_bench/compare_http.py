"""cookiecutter-django served beside Nexus in the same run: its DRF API under its production
settings, gunicorn with the same worker count, the same PostgreSQL and Redis.

Baked with the answers its DRF API needs and nothing that needs a service absent here:
`rest_api=DRF`, `cloud_provider=None` (with `use_whitenoise=y`, which that requires); the rest
are its defaults.
Its post-generation step (`uv add` against Python 3.14) fails on a machine without 3.14, after
every file is written: the bake is kept (`--keep-project-on-failure`) and installed from its
`requirements/production.txt`, as its Dockerfile does.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import POSTGRES, REDIS, ROOT
from .shell import UV, empty_services, sh, step, uv_env

sys.path.insert(0, str(ROOT / "scripts"))  # the template's scripts: find_python
from find_python import find_python

ANSWERS = ("rest_api=DRF", "cloud_provider=None", "use_whitenoise=y")
DATABASE, REDIS_DB = "nexus_bench_compare", 10
PROBE = "/admin/login/"  # answers 200 to anyone: the server is up
USER_AND_TOKEN = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_user(
    username="bench", email="bench@example.com", password="bench-password-0123", name="Bench"
)
print(Token.objects.create(user=user).key)
"""


@dataclass(frozen=True)
class CompareServer:
    """What it takes to serve the compared project: its interpreter, folder and environment."""

    python: Path
    project: Path
    env: dict[str, str]
    token: str  # a DRF token of its one user


def is_cookiecutter_django(template: Path) -> bool:
    """The one template whose API is served here: it has a DRF `rest_api` answer."""
    answers = json.loads((template / "cookiecutter.json").read_text())
    return "DRF" in answers.get("rest_api", [])


def server_env() -> dict[str, str]:
    """Its production settings, with every variable they require, on the benchmark's services."""
    return uv_env() | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ADMIN_URL": "admin/",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "False",  # plain HTTP on 127.0.0.1, as Nexus here
        "DATABASE_URL": f"{POSTGRES}/{DATABASE}",
        "REDIS_URL": f"{REDIS}/{REDIS_DB}",
        "MAILGUN_API_KEY": "bench",  # its default mail service's settings are required
        "MAILGUN_DOMAIN": "example.com",
    }


def prepare_compare_server(template: Path, build: Path) -> CompareServer:
    """Bake, install, migrate; one user with a token."""
    out = build / "compare-serve"
    out.mkdir(parents=True)
    cookiecutter = str(Path(sys.executable).with_name("cookiecutter"))
    step(f"baking {template.name} with its DRF API, to serve it")
    bake = [cookiecutter, "--no-input", "--keep-project-on-failure", "-o", str(out)]
    subprocess.run(
        [*bake, str(template), *ANSWERS],
        cwd=ROOT,
        capture_output=True,
        check=False,  # its post-generation step fails here (see the module's docstring)
    )
    projects = [path for path in out.iterdir() if (path / "manage.py").exists()]
    if len(projects) != 1:
        sys.exit(f"bench: baking {template} left no project in {out}")
    project = projects[0]
    venv = out / "venv"
    try:
        python = find_python("3.13")
    except LookupError:
        python = find_python("3.12")
    step(f"installing {project.name} (uv pip install -r requirements/production.txt)")
    sh([UV, "venv", "-q", "-p", python, str(venv)], project, uv_env())
    requirements = project / "requirements" / "production.txt"
    install = [UV, "pip", "install", "-q", "-p", str(venv / "bin" / "python")]
    sh([*install, "-r", str(requirements)], project, uv_env())
    env = server_env()
    empty_services(DATABASE, REDIS_DB, project)
    manage = [str(venv / "bin" / "python"), "manage.py"]
    sh([*manage, "migrate", "--no-input"], project, env)
    sh([*manage, "collectstatic", "--no-input"], project, env)
    token = sh([*manage, "shell", "-c", USER_AND_TOKEN], project, env).strip().splitlines()[-1]
    return CompareServer(python=venv / "bin" / "python", project=project, env=env, token=token)
