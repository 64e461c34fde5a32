"""The storefront's URLs, under /shop/: the product list and one product's page."""

from django.urls import path, re_path

from . import views

app_name = "storefront"

urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("<int:pk>/", views.product_detail, name="product-detail"),
    # Anything else under /shop/ is the shop's own 404 page, not the API's JSON one. Only paths
    # ending in a slash: /shop/1 (no slash) must still be redirected to /shop/1/.
    re_path(r"^.+/$", views.page_not_found),
]
