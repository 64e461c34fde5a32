"""Responses the API sends besides DRF's own."""

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


class RenderedJSONResponse(Response):
    """A DRF Response whose body is JSON rendered earlier (a cached answer), sent as it is.

    DRF still adds its headers (Allow, Vary) and the middleware still runs; only the rendering is
    skipped. `body`: the bytes JSONRenderer produced for the client's `application/json`.
    """

    def __init__(self, body: bytes, *, status: int = 200) -> None:
        super().__init__(status=status)
        self.rendered_body = body

    @property
    def rendered_content(self) -> bytes:  # type: ignore[override]  # DRF renders bytes, as here
        self["Content-Type"] = JSONRenderer.media_type  # what DRF sets for JSONRenderer
        return self.rendered_body
