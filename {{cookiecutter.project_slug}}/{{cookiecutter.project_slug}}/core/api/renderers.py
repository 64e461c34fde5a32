"""DRF's browsable API under the site's Content-Security-Policy (local development only)."""

from collections.abc import Mapping
from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from rest_framework import renderers

# What DRF's page writes inline: style="" attributes in its template, and Pygments' colours in a
# <style> element. Its scripts are files from this server, so scripts stay 'self' only.
BROWSABLE_API_POLICY = {"style-src": [SELF, UNSAFE_INLINE]}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's `BrowsableAPIRenderer`, relaxing the policy for inline styles on its pages alone.

    The site's policy refuses every inline style, so DRF's HTML page would raise a violation on
    every view. Only the responses this renderer writes get the allowance (django-csp's
    per-response update, as its `csp_update` decorator sets); JSON answers keep the site's policy.
    Production renders JSON only (config/settings/production.py), so none is served there.
    https://django-csp.readthedocs.io/en/latest/decorators.html
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = BROWSABLE_API_POLICY
        return super().render(data, accepted_media_type, renderer_context)
