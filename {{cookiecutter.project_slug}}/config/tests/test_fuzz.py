"""schemathesis against the API's own OpenAPI schema, served by gunicorn over PostgreSQL and Redis.

Generated requests, valid and invalid, authenticated as a real user: no answer may be a 5xx, use a
status code the schema does not list, or break the schema's shape, and no invalid input may be
accepted. `make test` runs a fixed seed; `make fuzz` a longer run with a new seed each time.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
{%- if cookiecutter.example_app == "catalog" %}
from django.core.management import call_command
{%- endif %}
from rest_framework_simplejwt.tokens import AccessToken

from {{ cookiecutter.project_slug }}.users.tests.factories import (
    TEST_PASSWORD,
    UserFactory,
)

from tests.support.accounts import AccountClient
from tests.support.fresh_process import running_gunicorn, skip_without_services

pytestmark = pytest.mark.django_db(transaction=True)  # the server must see the rows

SEED = int(os.environ.get("FUZZ_SEED", "20261127"))
MIN_CASES = 1000
# Per operation and phase: enough for MIN_CASES{% if cookiecutter.example_app != "catalog" %} (this small API needs many per operation){% endif %}.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "{{ '50' if cookiecutter.example_app == 'catalog' else '400' }}"))
# Every check but positive_data_acceptance, which would require that any schema-valid request
# succeed: a schema cannot say that an id in a request must exist, so a clear 400 there is right.
CHECKS = ["--checks", "all", "--exclude-checks", "positive_data_acceptance"]


def test_the_api_holds_to_its_schema_under_generated_requests(tmp_path: Path) -> None:
    if "FUZZ_EXAMPLES" in os.environ:  # `make fuzz` asked for this test: never skip it silently
        _fail_without_services()
    skip_without_services()
{%- if cookiecutter.example_app == "catalog" %}
    call_command("seed_catalog", verbosity=0)  # real rows for the generated requests to reach
{%- endif %}
    user = UserFactory.create()
    token = str(AccessToken.for_user(user))
    # A signed-in session of allauth's too, so its account endpoints are fuzzed signed in.
    accounts = AccountClient()
    assert accounts.log_in(user.email, TEST_PASSWORD).status == 200
    report = tmp_path / "report.json"
    with running_gunicorn(
        tmp_path / "gunicorn.log",
        workers=2,
        SECRET_KEY=settings.SECRET_KEY,  # the token is signed with the test settings' key
        # The rate limits and the IP monitor have their own tests; here they would only turn most
        # generated requests into 429s.
        THROTTLE_ENABLED="false",
        RATELIMIT_ENABLE="false",
        IP_MONITOR_ENABLED="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
{%- if cookiecutter.use_celery == "y" %}
        CELERY_BROKER_URL="memory://",  # tasks the generated requests send go nowhere
{%- endif %}
    ) as base:
        result = subprocess.run(  # noqa: S603 - our own environment's tool, fixed arguments
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base}/api/schema/",
                "--header",
                f"Authorization: Bearer {token}",
                "--header",
                f"X-Session-Token: {accounts.session_token}",
                # Logging out would end that session for the rest of the run (every later
                # request a 410); users/tests/test_account_flows.py logs out.
                "--exclude-operation-id",
                "accounts_auth_session_delete",
                *CHECKS,
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                str(SEED),
                "--workers",
                "2",
                "--generation-database",
                "none",  # the same seed always runs the same cases
                "--report",
                "json",
                "--report-json-path",
                str(report),
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    assert result.returncode == 0, f"seed {SEED}:\n{result.stdout[-8000:]}{result.stderr[-2000:]}"
    cases = json.loads(report.read_text())["test_cases"]
    assert cases["errored"] == 0, result.stdout[-4000:]
    assert cases["generated"] >= MIN_CASES, cases


def _fail_without_services() -> None:
    try:
        skip_without_services()
    except pytest.skip.Exception:
        pytest.fail("make fuzz needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
