"""Plain Django views of the users app: the admin login, on the API login's rate limits."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import Throttled

from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import (
    RateLimitUnavailable,
)

from .login_limits import check_login_rate_limits


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin's login form, on the same budgets as the API's login (per IP and per account).

    Only submissions count: showing the form is free. Over budget is a 429 with Retry-After; an
    unreachable limiter store closes the door (503), as for the API.
    """
    if request.method == "POST":
        try:
            check_login_rate_limits(request)
        except Throttled as limited:
            response = HttpResponse("Too many login attempts. Try again later.\n", status=429)
            wait = getattr(limited, "wait", None)  # set by Throttled; missing from its stubs
            response["Retry-After"] = str(int(wait or 1))
            return response
        except RateLimitUnavailable:
            return HttpResponse(
                "Login is unavailable for a moment. Try again shortly.\n", status=503
            )
    return admin.site.login(request, extra_context)
