"""Version 1 of the API. A breaking change gets a new module and prefix, not an edit here."""

from django.urls import include, path

from {{ cookiecutter.project_slug }}.core.api import apis as core_apis
from {{ cookiecutter.project_slug }}.users import apis as users_apis

app_name = "api-v1"

# What the API root (/api/v1/) links to, in this sequence: a name for each entry point, its URL name.
ROOT_LINKS = (
    ("docs", "swagger-ui"),
    ("redoc", "redoc"),
    ("schema", "schema"),
    ("token", "api-v1:token-obtain"),
    ("signup", "headless:app:account:signup"),  # the account flows (django-allauth)
    ("me", "api-v1:users:me"),
{%- if cookiecutter.example_app == "catalog" %}
    ("categories", "api-v1:catalog:category-list"),
    ("products", "api-v1:catalog:product-list"),
    ("orders", "api-v1:catalog:order-list"),
{%- endif %}
)

urlpatterns = [
    path("", core_apis.ApiRootApi.as_view(links=ROOT_LINKS), name="root"),
    path("auth/token/", users_apis.TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh/", users_apis.TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/token/blacklist/", users_apis.TokenBlacklistApi.as_view(), name="token-blacklist"),
    path("users/", include("{{ cookiecutter.project_slug }}.users.urls")),
{%- if cookiecutter.example_app == "catalog" %}
    path("", include("{{ cookiecutter.project_slug }}.catalog.urls")),
{%- endif %}
]
