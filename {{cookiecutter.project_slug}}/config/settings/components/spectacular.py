"""The OpenAPI schema and its docs pages (drf-spectacular): metadata, UI bundles, who may read them.

Always present.
"""

from ..env import PACKAGE, env

# Docs are public by default (a locked Swagger page confuses API users); API_DOCS_PUBLIC=false
# restricts them to staff. https://drf-spectacular.readthedocs.io/en/latest/settings.html
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
SPECTACULAR_SETTINGS = {
    "TITLE": "{{ cookiecutter.project_name }} API",
    "DESCRIPTION": "{{ cookiecutter.description }}",
    "VERSION": "{{ cookiecutter.version }}",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The account flows are allauth's views, described by allauth: joined into this schema.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        f"{PACKAGE}.users.openapi.append_account_flows",
    ],
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if API_DOCS_PUBLIC
        else "rest_framework.permissions.IsAdminUser"
    ],
}
