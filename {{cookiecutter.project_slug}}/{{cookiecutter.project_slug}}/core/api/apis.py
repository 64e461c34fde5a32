"""The API root, /api/v1/: links to each resource and to the docs."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


@extend_schema(exclude=True)
class ApiRootApi(APIView):
    """Entry point of the API: links to each resource and to the docs."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        links = {
            "docs": reverse("swagger-ui", request=request),
            "redoc": reverse("redoc", request=request),
            "schema": reverse("schema", request=request),
            "token": reverse("api-v1:token-obtain", request=request),
            "me": reverse("api-v1:users:me", request=request),
{%- if cookiecutter.example_app == "catalog" %}
            "categories": reverse("api-v1:catalog:category-list", request=request),
            "products": reverse("api-v1:catalog:product-list", request=request),
            "orders": reverse("api-v1:catalog:order-list", request=request),
{%- endif %}
        }
        return Response(links)
