"""The users' REST URLs, under /api/v1/users/."""

from django.urls import path

from .apis import MeApi

app_name = "users"

urlpatterns = [path("me/", MeApi.as_view(), name="me")]
