"""The guard in front of allauth's account endpoints: methods, JSON bodies, rate limits, locks.

allauth's headless views are plain Django views with their own request handling. What the rest
of the API gets from DRF and core, they get here, before allauth runs:
- a method the view does not implement is a 405 (allauth answered some with a 500 or a 409);
- a body that is not a JSON object is a 400 in allauth's JSON envelope (allauth answered an HTML
  page);
- the rate limits of users/account_limits.py;
- one request at a time per login flow (users/flow_locks.py).
Every refusal is `{"status", "errors": [{"message", "code"}]}`, as allauth's own errors.
"""

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.core.cache import CACHE_ERRORS

from .account_limits import check_account_flow_limits
from .flow_locks import flow_lock_acquire
from .headless import account_error, account_flow

ACCOUNTS = "/_allauth/"  # where config/urls.py mounts allauth's endpoints
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AccountFlowMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.headers.get("X-Session-Token")
        if not token or request.method in SAFE_METHODS or not request.path.startswith(ACCOUNTS):
            return self.get_response(request)
        # The whole request, allauth's middleware included, holds its login flow's lock.
        try:
            lock = flow_lock_acquire(token)
        except CACHE_ERRORS:  # fail closed: a race is worse than a short outage
            response = account_error(
                503, "Temporarily unavailable; try again shortly.", "unavailable"
            )
            response["Retry-After"] = "5"
            return response
        if lock is None:
            return account_error(
                409, "Another request of this login flow is in progress.", "flow_busy"
            )
        try:
            return self.get_response(request)
        finally:
            lock.release()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        flow = account_flow(request)
        if flow is None:
            return None
        refused = _refuse_method(request, view_func) or _refuse_body(request)
        return refused or check_account_flow_limits(request, flow=flow)


def _refuse_method(
    request: HttpRequest, view_func: Callable[..., HttpResponse]
) -> HttpResponse | None:
    view_class = getattr(view_func, "view_class", None)
    method = (request.method or "").lower()
    if view_class is None or method == "options" or hasattr(view_class, method):
        return None
    response = account_error(
        405, f"Method {request.method} is not allowed here.", "method_not_allowed"
    )
    allowed = [m.upper() for m in view_class.http_method_names if hasattr(view_class, m)]
    response["Allow"] = ", ".join(allowed)
    return response


def _refuse_body(request: HttpRequest) -> HttpResponse | None:
    if request.method not in BODY_METHODS or not request.body:
        return None
    try:
        data = json.loads(request.body)
    except ValueError:  # not JSON, or not UTF-8
        data = None
    if isinstance(data, dict):
        return None
    return account_error(400, "The body must be a JSON object.", "invalid_body")
