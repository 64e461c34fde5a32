from django.contrib import admin

from .models import Category, Order, OrderItem, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug", "parent")
    list_select_related = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("name", "category", "price", "stock", "is_active", "created_at")
    list_filter = ("is_active", "category")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


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
    readonly_fields = ("user", "total")
    inlines = [OrderItemInline]
