"""Health probes answered before host validation and the HTTPS redirect."""

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from {{ cookiecutter.project_slug }}.core.health import views


class HealthProbeMiddleware:
    """Answers the health probes before host validation and the HTTPS redirect.

    Probes come from inside: a container's health check on 127.0.0.1, a kubelet on the pod's address.
    Their Host header is that address, not a name in ALLOWED_HOSTS, so CommonMiddleware would
    answer 400 (DisallowedHost) and a healthy container would be marked unhealthy. The probes build
    nothing from the Host header, so skipping that check for them alone is safe.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = probes().get(request.path)
        return probe(request) if probe else self.get_response(request)


@cache
def probes() -> dict[str, Callable[[HttpRequest], HttpResponse]]:
    """The probe views by path, resolved once (the URLconf does not change while serving)."""
    return {reverse("health:live"): views.live, reverse("health:ready"): views.ready}
