"""The example app's configuration: categories, products and customers' orders."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
