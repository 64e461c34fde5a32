from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

{% if cookiecutter.use_graphql == "y" %}from {{ cookiecutter.project_slug }}.graphql_api.views import GraphQLApi
{% endif %}from {{ cookiecutter.project_slug }}.users.views import admin_login

urlpatterns = [
    # Before admin.site.urls: the admin's login, with the API login's rate limits.
    path(f"{settings.ADMIN_URL}login/", admin_login),
    path(settings.ADMIN_URL, admin.site.urls),
    path("health/", include("{{ cookiecutter.project_slug }}.core.urls")),
    path("api/v1/", include("config.api_urls")),
{%- if cookiecutter.use_graphql == "y" %}
    path("graphql/", GraphQLApi.as_view(), name="graphql"),
{%- endif %}
    # OpenAPI schema and its two readers; who may see them is SPECTACULAR_SETTINGS' call.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

# Errors Django answers itself (a crash, a malformed request) as JSON, like the API's own, not as
# an HTML page an API client cannot read.
handler400 = "rest_framework.exceptions.bad_request"
handler500 = "rest_framework.exceptions.server_error"
