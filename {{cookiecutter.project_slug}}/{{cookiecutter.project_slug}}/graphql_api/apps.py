"""The GraphQL app: /graphql/ on the same services, selectors and limits as REST."""

from django.apps import AppConfig

# Registered on import, before any app is ready: CoreConfig.ready runs the "settings" checks.
from . import checks  # noqa: F401


class GraphqlApiConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.graphql_api"
    label = "graphql_api"
    verbose_name = "GraphQL API"
