"""Thin views: parse input, call one service or selector, serialise the result."""

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from {{ cookiecutter.project_slug }}.core.api.filters import OrderingFilter
from {{ cookiecutter.project_slug }}.core.api.openapi import ERROR
from {{ cookiecutter.project_slug }}.core.api.responses import (
    RenderedJSONResponse,
)
from {{ cookiecutter.project_slug }}.core.cache import fingerprint, get_or_build
from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import rate_limit
from {{ cookiecutter.project_slug }}.idempotency.rest import (
    IDEMPOTENCY_KEY_PARAMETER,
    IDEMPOTENCY_KEY_REUSED,
    idempotent,
)
from {{ cookiecutter.project_slug }}.users.auth import request_user

from . import caching, popularity, selectors, services
from .filters import OrderFilter, ProductFilter
from .models import Category, Order, Product
from .serializers import (
    CategorySerializer,
    CategoryTreeSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    PopularQuerySerializer,
    ProductSerializer,
)


def request_fingerprint(request: Request) -> str:
    """Same parameters in any order, same key. The host counts: "next" links are absolute."""
    return fingerprint(request.get_host(), sorted(request.query_params.lists()))


def cached_response(
    request: Request, namespaces: list[str], part: str, build: Callable[[], Response]
) -> Response:
    """Cache-aside for a public response, kept as the JSON a client receives.

    A hit runs no query and renders nothing: its bytes are the answer, with the headers of the
    miss that stored them (rules in catalog/caching.py). A client that negotiated anything but
    plain JSON (the browsable API, an `indent` parameter) gets the same data rendered for it.
    """
    body = get_or_build(
        namespaces,
        f"json:{part}",  # the format is in the key: entries of another format are never read
        lambda: JSONRenderer().render(build().data),
        timeout=settings.CATALOG_CACHE_SECONDS,
    )
    if request.accepted_media_type == JSONRenderer.media_type:
        return RenderedJSONResponse(body)
    return Response(json.loads(body))


class CategoryListApi(generics.ListAPIView[Category]):
    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    search_fields = ["name"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.category_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        uncached = super().list
        return cached_response(
            request,
            [caching.CATEGORIES],
            f"categories:{request_fingerprint(request)}",
            lambda: uncached(request, *args, **kwargs),
        )


class CategoryTreeApi(APIView):
    """All categories as a tree: for a shop's navigation menu, one cached response."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CategoryTreeSerializer(many=True))
    def get(self, request: Request) -> Response:
        return cached_response(
            request,
            [caching.CATEGORIES],
            "category-tree",
            lambda: Response(selectors.category_tree()),
        )


class ProductListApi(generics.ListAPIView[Product]):
    permission_classes = [AllowAny]
    serializer_class = ProductSerializer
    # Search is ProductFilter's full-text `search`, ranked, not DRF's SearchFilter (a LIKE
    # scan of every row); explicit `ordering` replaces the rank order.
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ["price", "created_at", "name"]

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        uncached = super().list
        return cached_response(
            request,
            [caching.PRODUCTS, caching.CATEGORIES],
            f"products:{request_fingerprint(request)}",
            lambda: uncached(request, *args, **kwargs),
        )


class ProductDetailApi(generics.RetrieveAPIView[Product]):
    permission_classes = [AllowAny]
    serializer_class = ProductSerializer

    def get_queryset(self) -> QuerySet[Product]:
        return selectors.product_list()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        uncached = super().retrieve
        pk = int(kwargs["pk"])
        response = cached_response(
            request,
            [caching.product_namespace(pk), caching.CATEGORIES],
            "detail",
            lambda: uncached(request, *args, **kwargs),
        )
        # After the response is built, so an unknown product (a 404, raised above) counts for
        # nothing; on a cache hit too: the cache saves the query, not the view.
        popularity.request_view_record(request, product_id=pk)
        return response


class ProductPopularApi(APIView):
    """The most viewed and ordered products of the last POPULAR_WINDOW_HOURS hours.

    Not cached here: the ranking is already a snapshot in Redis (catalog/popularity/), read in
    one round trip, and the products are one query by primary key.
    """

    permission_classes = [AllowAny]

    @extend_schema(parameters=[PopularQuerySerializer], responses=ProductSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Most popular first: a view counts 1 (once an hour per viewer), each order line 5.

        Empty while Redis is down.
        """
        query = PopularQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        products = selectors.product_popular_list(limit=query.validated_data["limit"])
        return Response(ProductSerializer(products, many=True).data)


class ProductRecentlyViewedApi(APIView):
    """The products you viewed last (signed in), latest first; kept RECENTLY_VIEWED_DAYS days."""

    @extend_schema(responses=ProductSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Latest first, each product once. Empty while Redis is down."""
        products = selectors.product_recently_viewed_list(user=request_user(request))
        return Response(ProductSerializer(products, many=True).data)


class OwnOrdersApi(generics.GenericAPIView[Order]):
    """Base of every order view: scoped to the requesting user's orders."""

    serializer_class = OrderSerializer
    swagger_fake_view: bool = False  # set by drf-spectacular while it builds the schema

    def get_queryset(self) -> QuerySet[Order]:
        if self.swagger_fake_view:  # no real user exists while the schema is generated
            return Order.objects.none()
        return selectors.order_list(user=request_user(self.request))


class OrderListCreateApi(OwnOrdersApi, generics.ListAPIView[Order]):
    # No free-text search on orders: without this, the default SearchFilter would still
    # advertise a `search` parameter that does nothing.
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = OrderFilter
    ordering_fields = ["created_at", "total"]

    @extend_schema(
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OrderSerializer,
            409: OpenApiResponse(ERROR, "Not enough stock."),
            422: IDEMPOTENCY_KEY_REUSED,
        },
    )
    # Outside the rate limit: a replay places nothing, so a client retrying a lost answer gets it
    # back instead of a 429 for an order it already has.
    @idempotent
    @rate_limit(group="order_create", key="user", rate="order_create")
    def post(self, request: Request) -> Response:
        """Place an order. 409 when a product does not have enough stock.

        With an Idempotency-Key header, a retry returns the first answer instead of a second order.
        """
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = [
            services.OrderLine(product_id=item["product"], quantity=item["quantity"])
            for item in serializer.validated_data["items"]
        ]
        order = services.order_create(user=request_user(request), lines=lines)
        order = self.get_queryset().get(pk=order.pk)  # re-read with items prefetched
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailApi(OwnOrdersApi, generics.RetrieveAPIView[Order]):
    """Someone else's order is a 404, not a 403 that would confirm it exists."""


class OrderCancelApi(OwnOrdersApi):
    @extend_schema(
        request=None,
        responses={200: OrderSerializer, 409: OpenApiResponse(ERROR, "Not pending.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Cancel a pending order and return its items to stock. 409 when it is not pending."""
        order = services.order_cancel(order=self.get_object())
        order = self.get_queryset().get(pk=order.pk)
        return Response(OrderSerializer(order).data)
