"""Errors a client can cause become clear 4xx JSON answers, never a 500.

DRF's exception handler, extended to the service layer's errors, model validation and a database
that is away.
"""

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, extended to service-layer errors; every error body has a `detail`."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    # From core/api/parsers.py: the same body as Django's own handler gives.
    if isinstance(exc, RequestDataTooBig):
        body = {"detail": "The request body is too large.", "code": "too_large"}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is unreachable (restarting, failing over): a clear, retryable 503, not a
        # 500 that reads like a bug. The connection is checked again on the next request.
        logger.error("database unavailable", exc_info=exc, extra={"event": "database_unavailable"})
        body = {"detail": "Temporarily unavailable; try again shortly.", "code": "unavailable"}
        return Response(
            body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"}
        )
    return exception_handler(exc, context)
