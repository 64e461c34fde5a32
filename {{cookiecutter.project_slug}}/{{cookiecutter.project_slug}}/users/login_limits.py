"""The login policy: every way to log in (the API's token, the admin's form) counts the same.

Two budgets, per client IP and per account, on core's rate-limit mechanism.
"""

from django.http import HttpRequest
from rest_framework.request import Request

from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import (
    check_rate_limit,
)


def submitted_email(group: str, request: Request | HttpRequest) -> str:
    """Key a login limit on the account being tried, whatever IP the attempts come from.

    Reads the API's JSON `email`, or the admin login form's `username` (the email, too).
    """
    if isinstance(request, Request):
        email = request.data.get("email", "") if hasattr(request.data, "get") else ""
    else:
        email = request.POST.get("username", "")
    return str(email).strip().lower()


def check_login_rate_limits(request: Request | HttpRequest) -> None:
    """Every login path (API token, admin form) counts against the same two budgets.

    Fails closed: an unlimited login is an open door to password guessing.
    """
    check_rate_limit(request, group="login_ip", key="ip", rate="login_ip", fail_closed=True)
    check_rate_limit(
        request, group="login_email", key=submitted_email, rate="login_email", fail_closed=True
    )
