"""Version 1 of the API. A breaking change gets a new module and prefix, not an edit here."""

from django.urls import include, path
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from {{ cookiecutter.project_slug }}.core.apis import ApiRootView

app_name = "api-v1"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("auth/token/", TokenObtainPairView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("users/", include("{{ cookiecutter.project_slug }}.users.urls")),
{%- if cookiecutter.example_app == "catalog" %}
    path("", include("{{ cookiecutter.project_slug }}.catalog.urls")),
{%- endif %}
]
