"""The request-id middleware: one id per request, on its log lines and its response.

It also writes one JSON access-log line per request.
"""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.core.client_ip import client_ip
from {{ cookiecutter.project_slug }}.core.observability.logging import (
    request_id_var,
    resolve_request_id,
)

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"


class RequestIdMiddleware:
    """Tags the request, its log lines and its response with one request id, and logs the request.

    The id lets one request be followed across the proxy, this service and its logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # META, not request.headers: that mapping is built from every META key on first use, and
        # the probes answered by the next middleware never need it.
        request_id = resolve_request_id(request.META.get(REQUEST_ID_META))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if not logger.isEnabledFor(logging.INFO):
                return response
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
