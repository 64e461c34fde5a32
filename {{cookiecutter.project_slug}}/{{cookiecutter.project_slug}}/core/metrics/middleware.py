"""Request count, latency and status class per route, for every request the service answers."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .definitions import HTTP_REQUEST_DURATION, HTTP_RESPONSES

# A request no URL pattern matches (a 404, a scanner's probe) is one series, not one per path.
UNMATCHED = "unmatched"


class MetricsMiddleware:
    """Times each request from the outermost middleware and counts its response.

    First in MIDDLEWARE, so what the inner ones answer themselves (probes, IP refusals, redirects)
    is counted too, under the route its path resolves to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in KNOWN_METHODS else "other"
        route = route_name(request)
        HTTP_REQUEST_DURATION.labels(method, route).observe(elapsed)
        HTTP_RESPONSES.labels(method, route, f"{response.status_code // 100}xx").inc()
        return response


# Any other word is a method a client made up: one label value for all of them.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_name(request: HttpRequest) -> str:
    """The URL pattern's name ("api-v1:token-obtain"), or UNMATCHED.

    Django sets resolver_match when it calls the view; a response from a middleware has none, and
    its path is resolved here (a few microseconds, only for those).
    """
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return UNMATCHED
    return match.view_name
