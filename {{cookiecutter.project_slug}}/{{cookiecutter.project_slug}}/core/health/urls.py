"""The health probes' URLs, under /health/: live/ and ready/."""

from django.urls import path

from {{ cookiecutter.project_slug }}.core.health import views

app_name = "health"

urlpatterns = [
    path("live/", views.live, name="live"),
    path("ready/", views.ready, name="ready"),
]
