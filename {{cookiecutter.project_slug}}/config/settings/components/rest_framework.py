"""Django REST framework: parsers, authentication, permissions, pagination, filters, throttles.

Always present. https://www.django-rest-framework.org/api-guide/settings/
"""

from typing import Any

from ..env import PACKAGE, env, rate

# Private by default: a view opts in to AllowAny, never the other way round.
REST_FRAMEWORK: dict[str, Any] = {
    # JSON in, nothing else: DRF's default form and multipart parsers would accept file uploads
    # (spooled to disk, outside DATA_UPLOAD_MAX_MEMORY_SIZE) on every endpoint. Anything else: 415.
    # Ours bounds size, depth and value count (API_JSON in security.py).
    "DEFAULT_PARSER_CLASSES": [f"{PACKAGE}.core.api.parsers.JSONParser"],
    # JSON, and DRF's browsable API allowed the inline styles it needs (production: JSON only).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        f"{PACKAGE}.core.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        f"{PACKAGE}.users.authentication.JWTAuthentication",  # simplejwt's, a cheaper user lookup
        "rest_framework.authentication.SessionAuthentication",  # browsable API and admin users
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": f"{PACKAGE}.core.api.pagination.DefaultPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        f"{PACKAGE}.core.api.filters.SearchFilter",
        f"{PACKAGE}.core.api.filters.OrderingFilter",  # DRF's, ending with the primary key
    ],
    "DEFAULT_SCHEMA_CLASS": f"{PACKAGE}.core.api.openapi.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": f"{PACKAGE}.core.api.exceptions.api_exception_handler",
    # DRF's, answering `*/*` and `application/json` without parsing them (core/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": f"{PACKAGE}.core.api.negotiation.ContentNegotiation",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttling for the whole API; sensitive endpoints add stricter limits (RATELIMIT_RATES in
    # throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        f"{PACKAGE}.core.throttling.throttles.AnonThrottle",
        f"{PACKAGE}.core.throttling.throttles.UserThrottle",
    ]
    if env.bool("THROTTLE_ENABLED", default=True)
    else [],
    "DEFAULT_THROTTLE_RATES": {
        "anon": rate("THROTTLE_ANON_RATE", "120/m"),
        "user": rate("THROTTLE_USER_RATE", "600/m"),
    },
}
