"""Django's CommonMiddleware, fitted to an API: a missing trailing slash never loses a body."""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware

from {{ cookiecutter.project_slug }}.core.api import error_views

# A redirect is followed as a GET: only requests without a body may be redirected.
SLASH_REDIRECT_METHODS = frozenset({"GET", "HEAD"})


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
            return error_views.slash_missing(request)
        return super().process_response(request, response)
