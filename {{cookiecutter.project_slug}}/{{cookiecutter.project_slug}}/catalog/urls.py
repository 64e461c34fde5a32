"""The catalogue's REST URLs, under /api/v1/: categories, products, a customer's orders."""

from django.urls import path

from . import apis

app_name = "catalog"

urlpatterns = [
    path("categories/", apis.CategoryListApi.as_view(), name="category-list"),
    path("categories/tree/", apis.CategoryTreeApi.as_view(), name="category-tree"),
    path("products/", apis.ProductListApi.as_view(), name="product-list"),
    path("products/<int:pk>/", apis.ProductDetailApi.as_view(), name="product-detail"),
    path("products/popular/", apis.ProductPopularApi.as_view(), name="product-popular"),
    path(
        "products/recently-viewed/",
        apis.ProductRecentlyViewedApi.as_view(),
        name="product-recently-viewed",
    ),
    path("orders/", apis.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/<int:pk>/", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:pk>/cancel/", apis.OrderCancelApi.as_view(), name="order-cancel"),
]
