"""The idempotency app: a retried write with the same Idempotency-Key runs once."""

from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency keys"
