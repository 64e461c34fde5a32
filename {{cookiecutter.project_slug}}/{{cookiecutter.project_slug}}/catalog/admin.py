"""The catalogue in the Django admin.

Admin writes bypass the services, so they invalidate the cache themselves; orders are read-only
and cancelled through services.order_cancel, so their stock returns.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from {{ cookiecutter.project_slug }}.core.exceptions import ConflictError

from .caching import invalidate_categories, invalidate_products
from .html import clean_description
from .models import Category, Order, OrderItem, Product
from .services import order_cancel


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
    """An order's lines as placed: adding or removing one here would skip the stock bookkeeping."""

    model = OrderItem
    extra = 0
    can_delete = False
    readonly_fields = ("product", "quantity", "unit_price")

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    """Orders are records: staff read them and cancel them through the service, which restocks.

    Status is read-only (setting "cancelled" here would not return the stock) and orders cannot
    be deleted (nor would that); the "Cancel" action calls services.order_cancel.
    """

    list_display = ("id", "user", "status", "total", "created_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    search_fields = ("user__email",)
    readonly_fields = ("user", "status", "total", "confirmation_sent_at")
    inlines = [OrderItemInline]
    actions = ["cancel_orders"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed through the API, which checks and takes the stock

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    @admin.action(description="Cancel the selected pending orders (returns their stock)")
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        cancelled, refused = 0, 0
        for order in queryset.order_by("pk"):
            try:
                order_cancel(order=order)
                cancelled += 1
            except ConflictError:
                refused += 1
        self.message_user(request, f"Cancelled {cancelled} order(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} order(s) were not pending and were left as they were.",
                messages.WARNING,
            )
