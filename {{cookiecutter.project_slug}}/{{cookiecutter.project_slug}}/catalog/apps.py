"""The example app's configuration: categories, products and customers' orders."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.users.signals import account_closed

        from .popularity import recently_viewed_forget

        account_closed.connect(recently_viewed_forget, dispatch_uid="catalog.recently_viewed")
