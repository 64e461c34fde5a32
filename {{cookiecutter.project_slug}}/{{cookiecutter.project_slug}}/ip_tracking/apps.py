"""The IP tracking app: request counts per address, and bans (automatic or manual) from Redis."""

from django.apps import AppConfig


class IpTrackingConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.ip_tracking"
    label = "ip_tracking"
    verbose_name = "IP tracking"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the shared-cache system check
