"""The login policy: every way to check a password counts the same.

The API's token, the admin's form and the account flows draw on two budgets, per client IP and
per account, on core's rate-limit mechanism.
"""

import json
from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request

from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import (
    RateKey,
    check_rate_limit,
)


def submitted_email(group: str, request: Request | HttpRequest) -> str:
    """Key a login limit on the account being tried, whatever IP the attempts come from.

    Reads the API's JSON `email` (DRF's, or the body of allauth's plain Django views), or the
    admin login form's `username` (the email, too); empty when there is none.
    """
    if isinstance(request, Request):
        email = request.data.get("email", "") if hasattr(request.data, "get") else ""
    elif request.content_type == "application/json":
        try:
            data: Any = json.loads(request.body)
        except ValueError:  # users/middleware.py refuses such a body before any limit counts it
            data = None
        email = data.get("email", "") if isinstance(data, dict) else ""
    else:
        email = request.POST.get("username", "")
    return str(email).strip().lower()


def check_login_rate_limits(
    request: Request | HttpRequest, *, account: RateKey = submitted_email
) -> None:
    """Every password check (API token, admin form, account flows) counts against two budgets.

    Per client IP, and per account: the submitted email by default, or `account` for a request
    that names none (a signed-in client confirming its password). Fails closed: an unlimited
    login is an open door to password guessing.
    """
    check_rate_limit(request, group="login_ip", key="ip", rate="login_ip", fail_closed=True)
    check_rate_limit(
        request, group="login_email", key=account, rate="login_email", fail_closed=True
    )
