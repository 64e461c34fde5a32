import logging
import time
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.urls import reverse

from . import errors, views
from .client_ip import client_ip
from .logging import request_id_var, resolve_request_id

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# A redirect is followed as a GET: only requests without a body may be redirected.
SLASH_REDIRECT_METHODS = frozenset({"GET", "HEAD"})


class RequestIdMiddleware:
    """Tags the request, its log lines and its response with one request id, and logs the request.

    The id lets one request be followed across the proxy, this service and its logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = resolve_request_id(request.headers.get(REQUEST_ID_HEADER))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "ip": client_ip(request),
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class HealthProbeMiddleware:
    """Answers the health probes before host validation and the HTTPS redirect.

    Probes come from inside: a container's health check on 127.0.0.1, a kubelet on the pod's address.
    Their Host header is that address, not a name in ALLOWED_HOSTS, so CommonMiddleware would
    answer 400 (DisallowedHost) and a healthy container would be marked unhealthy. The probes build
    nothing from the Host header, so skipping that check for them alone is safe.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = probes().get(request.path)
        return probe(request) if probe else self.get_response(request)


@cache
def probes() -> dict[str, Callable[[HttpRequest], HttpResponse]]:
    return {reverse("health:live"): views.live, reverse("health:ready"): views.ready}


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that only GET and HEAD are redirected to the path with its slash.

    A POST to /api/v1/auth/token (no slash) got a 301, which clients follow as a GET without the
    body, and a 500 with DEBUG on (Django refuses to redirect a POST there). Other methods get a
    JSON 404 that names the path with the slash, in every environment.
    """

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        return request.method in SLASH_REDIRECT_METHODS and super().should_redirect_with_slash(
            request
        )

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            response.status_code == 404
            and request.method not in SLASH_REDIRECT_METHODS
            and super().should_redirect_with_slash(request)
        ):
            return errors.slash_missing(request)
        return super().process_response(request, response)
