"""The guard in front of allauth's account endpoints: methods, JSON bodies, rate limits, locks.

allauth's headless views are plain Django views with their own request handling. What the rest
of the API gets from DRF and core, they get here, before allauth runs:
- a method the view does not implement is a 405 (allauth answered some with a 500 or a 409), and
  OPTIONS is answered here (allauth checked its body: a password check outside the limits);
- a body must be a JSON object of strings, sent as application/json, within the API's bounds
  (allauth answered an HTML page, or took a list as a password's text);
- the rate limits of users/account_limits.py;
- one request at a time per login flow (users/flow_locks.py).
Every refusal is `{"status", "errors": [{"message", "code"}]}`, as allauth's own errors.
"""

from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import ParseError

from {{ cookiecutter.project_slug }}.core.api.parsers import JSONParser
from {{ cookiecutter.project_slug }}.core.cache import CACHE_ERRORS

from .account_limits import check_account_flow_limits
from .flow_locks import flow_lock_acquire
from .headless import SAFE_METHODS, account_error, account_flow

ACCOUNTS = "/_allauth/"  # where config/urls.py mounts allauth's endpoints
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Methods of allauth's views not served here, and why. With reset codes, a GET that checks the
# code of a reset asked for an unknown address was a 500 (allauth compared the code with None):
# the code is checked by the POST that sets the new password, as its answer says.
NOT_SERVED = frozenset({("account:reset_password", "GET"), ("account:reset_password", "HEAD")})


class AccountFlowMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: every other request passes with one string comparison.
        if not request.path.startswith(ACCOUNTS) or request.method in SAFE_METHODS:
            return self.get_response(request)
        token = request.headers.get("X-Session-Token")
        if not token:
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
        if not request.path.startswith(ACCOUNTS):
            return None
        flow = account_flow(request)
        if flow is None:
            return None
        refused = _answer_method(request, view_func, flow) or _refuse_body(request)
        return refused or check_account_flow_limits(request, flow=flow)


def _answer_method(
    request: HttpRequest, view_func: Callable[..., HttpResponse], flow: str
) -> HttpResponse | None:
    """A 405 for a method the view does not implement; OPTIONS answered here, never by allauth.

    allauth validates the body of any method but GET: an OPTIONS carrying a login's body was a
    password check outside every rate limit, its 200 or 400 telling whether the password was right.
    """
    view_class = getattr(view_func, "view_class", None)
    if view_class is None:
        return None
    allowed = [m for m in _allowed_methods(view_class) if (flow, m) not in NOT_SERVED]
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
    elif request.method in allowed:
        return None
    else:
        response = account_error(
            405, f"Method {request.method} is not allowed here.", "method_not_allowed"
        )
    response["Allow"] = ", ".join(allowed)
    return response


def _allowed_methods(view_class: type) -> list[str]:
    names = [
        name
        for name in getattr(view_class, "http_method_names", [])
        if name != "options" and hasattr(view_class, name)
    ]
    if "get" in names and "head" not in names:  # Django answers HEAD with the GET handler
        names.append("head")
    return [name.upper() for name in names] + ["OPTIONS"]


def _refuse_body(request: HttpRequest) -> HttpResponse | None:
    """A 4xx unless the body is a JSON object (UTF-8, within the API's bounds) of strings.

    allauth's inputs are forms: they took a password sent as a list or a number as its text, and
    any body whatever its Content-Type (a page on another site can send text/plain without asking
    the browser first). Values are strings or booleans (an address's `primary`), nothing else.
    """
    if request.method not in BODY_METHODS:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return account_error(400, "The request body is too large.", "too_large")
    if not body:
        return None
    if request.content_type != "application/json":
        return account_error(
            415, "The body must be JSON (Content-Type: application/json).", "unsupported_media_type"
        )
    try:
        data = JSONParser().parse(BytesIO(body), parser_context={"encoding": "utf-8"})
    except ParseError as error:
        return account_error(400, str(error.detail), "invalid_body")
    if not isinstance(data, dict):
        return account_error(400, "The body must be a JSON object.", "invalid_body")
    for name, value in data.items():
        if not isinstance(value, str | bool):
            return account_error(400, f"{name} must be a string.", "invalid", param=name)
    return None
