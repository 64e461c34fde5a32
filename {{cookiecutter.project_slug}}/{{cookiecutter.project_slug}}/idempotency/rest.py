"""The Idempotency-Key header on DRF views: a decorator, and its OpenAPI description."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from {{ cookiecutter.project_slug }}.core.api.openapi import ERROR
from {{ cookiecutter.project_slug }}.users.auth import request_user

from .services import HEADER, REPLAYED_HEADER, idempotency_key_parse, idempotent_call

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key of your choice (a UUID, say; printable ASCII, at most 255 characters) that makes a"
        " retry safe: the same key with the same body returns the first answer, with the header"
        f" `{REPLAYED_HEADER}: true`, for IDEMPOTENCY_KEY_HOURS (24 by default). The same key"
        " with another body is a 422. Only successful answers are kept: after an error, retrying"
        " with the same key runs the request again."
    ),
)
IDEMPOTENCY_KEY_REUSED = OpenApiResponse(
    ERROR, f"The {HEADER} was used with another request body (code idempotency_key_reused)."
)

type ViewMethod = Callable[..., Response]


def idempotent(view_method: ViewMethod) -> ViewMethod:
    """Honour the Idempotency-Key header on an authenticated view method (see services.py).

    The key is checked before anything runs (400 when malformed). The operation is the method
    and path, the payload the parsed JSON body; the answer is the view's status and data (its
    other headers are not kept).
    """

    @wraps(view_method)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = idempotency_key_parse(request.headers.get(HEADER))
        if key is None:
            return view_method(view, request, *args, **kwargs)

        def call() -> tuple[int, Any]:
            response = view_method(view, request, *args, **kwargs)
            return response.status_code, response.data

        outcome = idempotent_call(
            user=request_user(request),
            key=key,
            operation=f"{request.method} {request.path}",
            payload=request.data,
            call=call,
        )
        headers = {REPLAYED_HEADER: "true"} if outcome.replayed else None
        return Response(outcome.body, status=outcome.status, headers=headers)

    return wrapper
