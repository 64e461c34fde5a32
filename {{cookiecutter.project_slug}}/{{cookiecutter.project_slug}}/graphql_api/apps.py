from django.apps import AppConfig


class GraphqlApiConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.graphql_api"
    label = "graphql_api"
    verbose_name = "GraphQL API"
