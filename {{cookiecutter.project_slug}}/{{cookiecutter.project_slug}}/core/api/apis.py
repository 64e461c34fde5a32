"""The API root, /api/v1/: links to each resource and to the docs."""

from functools import lru_cache
from typing import ClassVar

from django.urls import get_script_prefix, get_urlconf, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


@lru_cache(maxsize=16)
def link_paths(
    links: tuple[tuple[str, str], ...], script_prefix: str, urlconf: str | None
) -> dict[str, str]:
    """Each link's path, reversed once per script prefix and URLconf.

    Neither changes while a process serves, and reversing eight names per request cost more than
    the rest of the request.
    """
    return {name: reverse(url) for name, url in links}


@extend_schema(exclude=True)
class ApiRootApi(APIView):
    """Entry point of the API: a link to each resource and to the docs.

    `links` pairs each name with a URL name; the URLconf that mounts the view gives them
    (`ApiRootApi.as_view(links=...)` in config/api_urls.py), so core names no app's routes.
    Out: `{name: absolute URL}`, on the host and scheme the request came by.
    """

    permission_classes = [AllowAny]
    links: ClassVar[tuple[tuple[str, str], ...]] = ()

    def get(self, request: Request) -> Response:
        paths = link_paths(self.links, get_script_prefix(), get_urlconf())
        origin = request.build_absolute_uri("/").removesuffix("/")
        return Response({name: origin + path for name, path in paths.items()})
