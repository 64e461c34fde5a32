"""schemathesis against /graphql/: generated documents, valid and invalid, anonymous and signed in.

Documents come from the exported schema.graphql (what clients see) and run in this process, in the
test's transaction. Whatever a client sends, the API must answer it or say clearly what it refused:
no 5xx, no "Unexpected error." (a resolver that failed on input it should have checked) and
nothing logged at ERROR. `make test` runs a fixed seed; `make fuzz` a longer run with a new seed.
"""

import logging
import os
from typing import Any

import pytest
import schemathesis
from django.conf import LazySettings
{%- if cookiecutter.example_app == "catalog" %}
from django.core.management import call_command
{%- endif %}
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.graphql import nodes

from {{ cookiecutter.project_slug }}.users.models import User

from tests.support.fresh_process import PROJECT_ROOT
from tests.support.graphql_client import URL, messages

pytestmark = pytest.mark.django_db

SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
{%- if cookiecutter.example_app == "catalog" %}
MIN_CASES = 500
{%- else %}
# Without the example app the schema is `me` alone, with no arguments: hypothesis runs out of
# distinct documents after about 60.
MIN_CASES = 50
{%- endif %}
# Per operation, generation mode and caller: enough for MIN_CASES.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

# schemathesis knows GraphQL's own scalars, not strawberry's Decimal: prices as clients might send
# them, including what a Decimal parser accepts but no column holds (NaN, Infinity, 1E+30).
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["sNaN", "-0", "1E+30", "0.001", "99999999.99", "100000000"]),
        st.text(max_size=12),
    ).map(nodes.String),
)


@pytest.fixture
def unlimited(settings: LazySettings) -> None:
    # The rate limits, throttles and IP monitor have their own tests; here they would only turn
    # most generated requests into 429s (and ban 127.0.0.1).
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/m", "user": "1000000/m"}
    }
    settings.RATELIMIT_ENABLE = False
    settings.IP_MONITOR = settings.IP_MONITOR | {"ENABLED": False}


def test_generated_documents_never_meet_an_unexpected_error(
    user: User, caplog: pytest.LogCaptureFixture, unlimited: None
) -> None:
{%- if cookiecutter.example_app == "catalog" %}
    call_command("seed_catalog", verbosity=0)  # real rows for the generated documents to reach
{%- endif %}
    signed_in = APIClient()
    signed_in.force_authenticate(user=user)
    callers = {"anonymous": APIClient(), "signed in": signed_in}
    cases = 0

    def run(case: Case[Any], caller: str) -> None:
        nonlocal cases
        cases += 1
        caplog.clear()
        response = callers[caller].post(URL, {"query": case.body}, format="json")
        where = f"seed {SEED}, {caller}:\n{case.body!s}"
        assert response.status_code < 500, f"{where}\n{response.content!r}"
        if response.status_code == 200:
            assert "Unexpected error." not in messages(response.json()), where
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], where

    schema = schemathesis.graphql.from_path(PROJECT_ROOT / "schema.graphql")
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the exported schema is valid
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            check = given(
                case=operation.as_strategy(generation_mode=mode),
                caller=st.sampled_from(sorted(callers)),
            )(run)
            hypothesis_settings(
                max_examples=EXAMPLES * len(callers),
                database=None,  # the same seed always runs the same cases
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )(seed(SEED)(check))()
    assert cases >= MIN_CASES, f"only {cases} cases: raise FUZZ_EXAMPLES"
