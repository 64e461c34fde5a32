{%- if cookiecutter.use_celery == "y" -%}
"""The project's configuration. It loads the Celery app with Django, so @shared_task binds to it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
{% endif -%}
