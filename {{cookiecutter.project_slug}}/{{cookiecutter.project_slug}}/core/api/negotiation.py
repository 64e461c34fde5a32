"""Content negotiation: DRF's, with the answer to what nearly every API client sends given at once."""

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

JSON = "application/json"


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's `DefaultContentNegotiation`, short-cut for no Accept header, `*/*` or JSON.

    For those, with no `format` override, DRF parses the header and ranks media types by
    precedence to reach an answer known in advance: the first renderer (or the first JSON one).
    That work, on every request, decides nothing for them. Every other request is negotiated by
    DRF, so the answers (406 included) are the same.
    https://www.django-rest-framework.org/api-guide/content-negotiation/
    """

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        accept = request.headers.get("Accept", "*/*")
        overridden = format_suffix or "format=" in request.META.get("QUERY_STRING", "")
        if not overridden and renderers:
            if accept == "*/*":
                return renderers[0], renderers[0].media_type
            if accept == JSON:
                for renderer in renderers:
                    if renderer.media_type == JSON:
                        return renderer, JSON
        chosen: Any = super().select_renderer(request, renderers, format_suffix)
        return chosen  # type: ignore[no-any-return]
