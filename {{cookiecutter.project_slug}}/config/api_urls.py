"""Version 1 of the API. A breaking change gets a new module and prefix, not an edit here."""

from django.urls import include, path

from {{ cookiecutter.project_slug }}.core.api import apis as core_apis
from {{ cookiecutter.project_slug }}.users import apis as users_apis

app_name = "api-v1"

urlpatterns = [
    path("", core_apis.ApiRootApi.as_view(), name="root"),
    path("auth/token/", users_apis.TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh/", users_apis.TokenRefreshApi.as_view(), name="token-refresh"),
    path("users/", include("{{ cookiecutter.project_slug }}.users.urls")),
{%- if cookiecutter.example_app == "catalog" %}
    path("", include("{{ cookiecutter.project_slug }}.catalog.urls")),
{%- endif %}
]
