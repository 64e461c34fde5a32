from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .caching import invalidate_categories, invalidate_products
from .html import clean_description
from .models import Category, Order, OrderItem, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug", "parent")
    list_select_related = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)

    # Admin writes bypass the services, so they invalidate the cache themselves.
    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        invalidate_categories()

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        super().delete_model(request, obj)
        invalidate_categories()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Category]) -> None:
        super().delete_queryset(request, queryset)
        invalidate_categories()


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("name", "category", "price", "stock", "is_active", "created_at")
    list_filter = ("is_active", "category")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        obj.description = clean_description(obj.description)  # as product_create does
        super().save_model(request, obj, form, change)
        invalidate_products([obj.pk])

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        invalidate_products([pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        invalidate_products(pks)


class OrderItemInline(admin.TabularInline[OrderItem, Order]):
    model = OrderItem
    extra = 0
    raw_id_fields = ("product",)
    readonly_fields = ("product", "quantity", "unit_price")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ("id", "user", "status", "total", "created_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    readonly_fields = ("user", "total", "confirmation_sent_at")
    inlines = [OrderItemInline]
