"""The Content-Security-Policy header (django-csp), built once for the whole site."""

from functools import cache
from typing import Any

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# Set on a response by django-csp's decorators (csp_update, csp_replace, csp ...): that response
# gets a policy of its own, built by django-csp.
PER_RESPONSE_POLICY = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)
DEBUG_PAGES = (404, 500)  # django-csp leaves Django's debug pages alone


@cache
def site_headers() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """The site's policy headers, as django-csp builds them from the settings.

    Out: (header, value, exemption attribute, excluded path prefixes) for the policy and the
    report-only policy, each only if the settings define it.
    """
    headers = []
    for header, report_only, exempt, setting in (
        (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
        (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
    ):
        value = build_policy(report_only=report_only)
        if value:
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            headers.append((header, value, exempt, tuple(prefixes)))
    return tuple(headers)


@receiver(setting_changed)
def _forget_site_headers(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        site_headers.cache_clear()


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, with the site-wide policy built once, not on every response.

    django-csp builds both headers from the settings for each response: about 45 us here, on
    every API call. Unless a view set a policy of its own or the page used a nonce, the result is
    always the same, so it is built once (again when the settings change, as in tests); those
    responses go through django-csp's own path. Same headers, same exemptions.
    https://django-csp.readthedocs.io/en/latest/configuration.html
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in PER_RESPONSE_POLICY
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in DEBUG_PAGES:
            return response
        for header, value, exempt, prefixes in site_headers():
            if (
                header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(  # type: ignore[attr-defined]
            self._csp_nonce_post_response
        )
        return response
