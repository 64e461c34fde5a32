"""Health probes: plain Django views, so they bypass DRF's authentication and throttling."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from {{ cookiecutter.project_slug }}.core.health.readiness import (
    run_readiness_checks,
)


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing, so a slow database never restarts us."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the cache answer. 503 names the failing dependency."""
    checks = run_readiness_checks()
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
