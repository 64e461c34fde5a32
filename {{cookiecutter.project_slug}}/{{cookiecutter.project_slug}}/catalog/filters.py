import django_filters
from django.db.models import QuerySet

from .models import Order, Product


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__slug")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    in_stock = django_filters.BooleanFilter(method="filter_in_stock")

    class Meta:
        model = Product
        fields = ["category", "min_price", "max_price", "in_stock"]

    def filter_in_stock(
        self, queryset: QuerySet[Product], name: str, value: bool
    ) -> QuerySet[Product]:
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class OrderFilter(django_filters.FilterSet):
    class Meta:
        model = Order
        fields = ["status"]
