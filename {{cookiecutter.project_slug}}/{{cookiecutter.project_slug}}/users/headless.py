"""allauth's headless API as the project meets it: its error envelope and its views' names."""

from django.http import HttpRequest, JsonResponse

# The namespace of allauth's app-client URLs (config/urls.py mounts them at /_allauth/).
HEADLESS_NAMESPACE = "headless:app:"
# Methods that read: no lock, and no limit unless they carry a code (users/account_limits.py).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def account_error(
    status: int, message: str, code: str, *, param: str | None = None
) -> JsonResponse:
    """An error in allauth's envelope, which its clients read: `{"status", "errors"}`.

    `param` names the field at fault, as allauth's own field errors do.
    """
    error = {"message": message, "code": code} | ({"param": param} if param else {})
    return JsonResponse({"status": status, "errors": [error]}, status=status)


def account_flow(request: HttpRequest) -> str | None:
    """The allauth view a resolved request goes to, as `account:login`; None for any other."""
    match = request.resolver_match
    if match is None or not match.view_name.startswith(HEADLESS_NAMESPACE):
        return None
    return match.view_name.removeprefix(HEADLESS_NAMESPACE)
