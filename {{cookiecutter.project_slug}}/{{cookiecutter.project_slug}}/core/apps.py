"""The core app: what every app shares. On start-up it refuses settings that contradict."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from {{ cookiecutter.project_slug }}.core.checks import (
            refuse_contradicting_settings,
        )

        # Every process (web server, task worker, manage.py) stops here on settings that contradict.
        refuse_contradicting_settings()
