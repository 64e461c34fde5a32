"""The OpenAPI schema documents the errors an operation can answer, not only its success.

Clients generated from the schema then know every status they must handle, and the fuzz test
(config/tests/test_fuzz.py) holds the API to it: an undocumented status code fails the run.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

# Every error outside validation: {"detail": ..., "code": ...}, sometimes with more keys
# (ApplicationError.extra, simplejwt's "messages").
ERROR = inline_serializer(
    "Error",
    fields={"detail": serializers.CharField(), "code": serializers.CharField(required=False)},
)
# DRF's validation errors: each invalid field (or "non_field_errors") with its messages; or, for
# a business rule, the Error shape.
VALIDATION_ERROR = OpenApiResponse(
    response=inline_serializer(
        "ValidationError",
        fields={
            "non_field_errors": serializers.ListField(
                child=serializers.CharField(), required=False
            ),
            "detail": serializers.CharField(required=False),
            "code": serializers.CharField(required=False),
        },
    ),
    description="Invalid input: each invalid field with its messages, or a broken rule's detail.",
)


class ErrorDocumentingAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        # (Overridden here, not in get_response_serializers(): @extend_schema replaces that one.)
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors: dict[str, Any] = {
            # Any request: a malformed one, a bad token, the throttle, the database away.
            "400": VALIDATION_ERROR,
            "401": OpenApiResponse(ERROR, "Missing, invalid or expired credentials."),
            "429": OpenApiResponse(ERROR, "Too many requests; the Retry-After header says when."),
            "503": OpenApiResponse(ERROR, "A dependency is down; retry after Retry-After."),
        }
        if not all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            errors["403"] = OpenApiResponse(ERROR, "Authenticated, but not allowed.")
        if self.method in {"POST", "PUT", "PATCH"}:
            errors["415"] = OpenApiResponse(
                ERROR, "The body is not JSON (the API takes nothing else)."
            )
        if "{" in self.path or self._is_list_view():
            # An unknown or foreign object, or a page past the last one.
            errors["404"] = OpenApiResponse(ERROR, "Not found.")
        for code, response in errors.items():
            # What the view declares itself (a 409, say) wins over the defaults.
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)  # type: ignore[no-untyped-call]
        return dict(sorted(responses.items()))
