"""The account flows in the API's one OpenAPI schema: allauth's own description, joined in.

allauth's endpoints are plain Django views that drf-spectacular cannot read; allauth describes
them itself (its OpenAPI document, trimmed to the settings in force: the "app" client, the flows
turned on). This drf-spectacular postprocessing hook adds its paths, components and tags to the
schema served at /api/schema/, so Swagger UI, Redoc, generated clients and the fuzz test
(config/tests/test_fuzz.py) see one API. A component whose name the project already uses is
renamed `Allauth<Name>`, with every reference to it.
https://drf-spectacular.readthedocs.io/en/latest/customization.html#step-7-postprocessing-hooks
"""

import json
from typing import Any

from allauth.headless.spec.internal.schema import get_schema

RENAMED_PREFIX = "Allauth"
ACCOUNTS_ROOT = "/_allauth/app/v1"
# Flows turned off in config/settings/components/accounts.py: phone numbers, login by code. Their
# URLs answer (refusing), but a client should not be told to use them.
DISABLED_PATHS = ("/account/phone", "/auth/phone/", "/auth/code/")
ACCOUNT_ERROR = {
    "description": "Refused before allauth ran (users/middleware.py).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "errors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "message": {"type": "string"},
                                "code": {"type": "string"},
                            },
                        },
                    },
                },
                "required": ["status", "errors"],
            }
        }
    },
}
GUARD_RESPONSES = {
    "400": "The body is not a JSON object.",
    "409": "Another request of this login flow is in progress.",
    "429": "Too many attempts; the Retry-After header says when.",
    "503": "The rate-limit or lock store is down; retry after Retry-After.",
}
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def operation_id(path: str, method: str) -> str:
    """`accounts_auth_password_reset_post` for POST /_allauth/app/v1/auth/password/reset."""
    words = path.split("/v1/", 1)[-1].replace("-", "_").split("/")
    return "_".join(["accounts", *words, method])


def append_account_flows(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Add allauth's paths, components and tags to the schema `result`; returns it."""
    spec = get_schema()
    _correct(spec)  # first: the renaming below then covers the references it adds
    components = result.setdefault("components", {})
    text = json.dumps(spec)
    for section, entries in spec.get("components", {}).items():
        taken = components.get(section, {})
        for name in entries:
            if name in taken:
                ref = f'"#/components/{section}/{name}"'
                text = text.replace(ref, f'"#/components/{section}/{RENAMED_PREFIX}{name}"')
    spec = json.loads(text)
    for section, entries in spec.get("components", {}).items():
        merged = components.setdefault(section, {})
        for name, entry in entries.items():
            merged[f"{RENAMED_PREFIX}{name}" if name in merged else name] = entry
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in HTTP_METHODS:  # drf-spectacular needs an id on each; allauth gives none
                operation.setdefault("operationId", operation_id(path, method))
                _document_guard(operation, method)
    result.setdefault("paths", {}).update(spec["paths"])
    result.setdefault("tags", []).extend(spec.get("tags", []))
    return result


def _correct(spec: dict[str, Any]) -> None:
    """Make allauth's description say what its endpoints answer (found by the fuzz test).

    - A flow's `id` may be `password_reset_by_code`, and `is_pending` false as well as true.
    - `meta.is_authenticated` may be null (a second-factor step with no login pending).
    - Every endpoint that needs a signed-in client answers 401 to one that is not, also those
      whose 401 says "reauthenticate" to one that is; and any answers 410 to a session token
      whose session has ended (logged out, password changed).
    - With codes by e-mail (the settings here) the key headers of the link flows are optional.
    """
    spec["paths"] = {
        path: item
        for path, item in spec["paths"].items()
        if not any(disabled in path for disabled in DISABLED_PATHS)
    }
    # Not served (users/middleware.py, NOT_SERVED): the POST checks the code and sets the password.
    spec["paths"].get(f"{ACCOUNTS_ROOT}/auth/password/reset", {}).pop("get", None)
    schemas = spec["components"]["schemas"]
    flow = schemas["Flow"]["properties"]
    if "password_reset_by_code" not in flow["id"]["enum"]:
        flow["id"]["enum"].append("password_reset_by_code")
    flow["is_pending"] = {"type": "boolean"}
    meta = schemas["AuthenticationMeta"]["allOf"][1]["properties"]
    meta["is_authenticated"] = {"type": "boolean", "nullable": True}
    for key in ("EmailVerificationKey", "PasswordResetKey"):
        spec["components"]["parameters"][key]["required"] = False
    unauthenticated = {"$ref": "#/components/responses/Unauthenticated"}
    session_gone = {"$ref": "#/components/responses/SessionGone"}
    reauthenticate = {"$ref": "#/components/responses/ReauthenticationRequired"}
    signed_out_or_reauthenticate = {
        "description": "Not signed in, or signed in too long ago for this: reauthenticate.",
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/ReauthenticationResponse"},
                        {"$ref": "#/components/schemas/AuthenticationResponse"},
                    ]
                }
            }
        },
    }
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                responses = operation["responses"]
                if responses.get("401") == reauthenticate:
                    responses["401"] = signed_out_or_reauthenticate
                responses.setdefault("401", unauthenticated)
                responses.setdefault("410", session_gone)


def _document_guard(operation: dict[str, Any], method: str) -> None:
    """The answers users/middleware.py may give before allauth's view runs."""
    if method in {"get", "head", "options"}:
        return
    for status, description in GUARD_RESPONSES.items():
        operation["responses"].setdefault(status, {**ACCOUNT_ERROR, "description": description})
