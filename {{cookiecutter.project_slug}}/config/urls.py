"""The site's URLs: the admin, health probes, the API, the account flows, the schema, its docs."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from {{ cookiecutter.project_slug }}.core.api import error_views
{% if cookiecutter.use_graphql == "y" %}from {{ cookiecutter.project_slug }}.graphql_api.apis import GraphQLApi
{% endif %}from {{ cookiecutter.project_slug }}.users.views import admin_login

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

urlpatterns = [
    # Browsers ask every site for /favicon.ico unless a page names its icon (the admin, Redoc):
    # the project's icon, rather than a JSON 404 on every first visit.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("core/favicon.svg"))),
    # Before admin.site.urls: the admin's login, with the API login's rate limits.
    path(f"{settings.ADMIN_URL}login/", admin_login),
    path(settings.ADMIN_URL, admin.site.urls),
    path("health/", include("{{ cookiecutter.project_slug }}.core.health.urls")),
    path("api/v1/", include("config.api_urls")),
{%- if cookiecutter.example_app == "catalog" %}
    # The storefront: the catalogue as HTML pages, on the API's selectors, filters and cache.
    path(
        "shop/",
        include("{{ cookiecutter.project_slug }}.catalog.storefront.urls"),
    ),
{%- endif %}
    # allauth's own copies of its OpenAPI description are not served: the API's schema holds it,
    # under SPECTACULAR_SETTINGS' access rule. (Their routes stay below, for users/openapi.py.)
    re_path(r"^_allauth/openapi\.(?:yaml|json|html)$", error_views.not_served),
    # The account flows (django-allauth, headless): /_allauth/app/v1/auth/signup and the rest.
    path("_allauth/", include("allauth.headless.urls")),
{%- if cookiecutter.use_graphql == "y" %}
    path("graphql/", GraphQLApi.as_view(), name="graphql"),
{%- endif %}
    # OpenAPI schema and its two readers; who may see them is SPECTACULAR_SETTINGS' call.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both pages are our templates, which keep to the Content-Security-Policy: see their headers.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="core/swagger_ui.html"
        ),
        name="swagger-ui",
    ),
    path(
        "api/redoc/",
        # Redoc styles itself with <style> elements it writes at run time, searches in a worker
        # it starts from a blob: URL, and shows its maker's logo from their server (the one
        # request to another origin; Referrer-Policy keeps the page's address from it).
        # Allowed here, on this page alone.
        csp_update(
            {
                "style-src": [SELF, UNSAFE_INLINE],
                "worker-src": [SELF, "blob:"],
                "img-src": [SELF, "data:", REDOC_LOGO],
            }
        )(SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html")),
        name="redoc",
    ),
]

# Errors Django answers itself (an unknown URL, a malformed request, a crash) in the API's JSON
# error shape, not as an HTML page an API client cannot read.
handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error
