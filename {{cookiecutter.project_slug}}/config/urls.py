from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from {{ cookiecutter.project_slug }}.users.views import admin_login

urlpatterns = [
    # Before admin.site.urls: the admin's login, with the API login's rate limits.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("health/", include("{{ cookiecutter.project_slug }}.core.urls")),
    path("api/v1/", include("config.api_urls")),
    # OpenAPI schema and its two readers; who may see them is SPECTACULAR_SETTINGS' call.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
