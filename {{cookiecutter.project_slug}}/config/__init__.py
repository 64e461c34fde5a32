{%- if cookiecutter.use_celery == "y" -%}
# Load the Celery app with Django, so @shared_task binds to it and tasks can be sent from views.
from .celery import app as celery_app

__all__ = ["celery_app"]
{% endif -%}
