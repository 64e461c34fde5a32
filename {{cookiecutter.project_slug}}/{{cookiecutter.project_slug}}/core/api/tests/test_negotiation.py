"""The short-cut negotiation answers exactly what DRF's own does, 406 included."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import (
    BaseRenderer,
    BrowsableAPIRenderer,
    JSONRenderer,
    StaticHTMLRenderer,
)
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from ..negotiation import ContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=2",
    "text/html",
    "text/html,application/xhtml+xml,*/*;q=0.8",
    "application/xml",
    "",
]
RENDERER_SETS: list[list[BaseRenderer]] = [
    [JSONRenderer()],
    [JSONRenderer(), BrowsableAPIRenderer()],
    [BrowsableAPIRenderer(), JSONRenderer()],
    [StaticHTMLRenderer()],
]


def outcome(
    negotiation: DefaultContentNegotiation, request: Request, renderers: list[BaseRenderer]
) -> object:
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except NotAcceptable:
        return "406"
    except Http404:  # a `format` no renderer has
        return "404"
    return type(renderer), media_type


@pytest.mark.parametrize(
    ("accept", "query"),
    [(accept, query) for accept in ACCEPTS for query in ("", "format=json", "format=api")],
)
def test_the_answer_is_drfs(accept: str | None, query: str) -> None:
    factory, path = APIRequestFactory(), f"/api/v1/?{query}"
    for renderers in RENDERER_SETS:
        django_request = (
            factory.get(path) if accept is None else factory.get(path, HTTP_ACCEPT=accept)
        )
        request = Request(django_request)
        expected = outcome(DefaultContentNegotiation(), request, renderers)
        assert outcome(ContentNegotiation(), request, renderers) == expected, renderers
