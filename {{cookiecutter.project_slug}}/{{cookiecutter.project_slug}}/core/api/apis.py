"""The API root, /api/v1/: links to each resource and to the docs."""

from typing import ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


@extend_schema(exclude=True)
class ApiRootApi(APIView):
    """Entry point of the API: a link to each resource and to the docs.

    `links` pairs each name with a URL name; the URLconf that mounts the view gives them
    (`ApiRootApi.as_view(links=...)` in config/api_urls.py), so core names no app's routes.
    """

    permission_classes = [AllowAny]
    links: ClassVar[tuple[tuple[str, str], ...]] = ()

    def get(self, request: Request) -> Response:
        return Response({name: reverse(url, request=request) for name, url in self.links})
