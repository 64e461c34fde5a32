"""The catalogue schema: third normal form, with the database enforcing the invariants.

Constraints live in the database, not only in serializers, so no code path (admin, shell, a
future importer) can store a negative price or an oversold product.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.lookups import Exact

from {{ cookiecutter.project_slug }}.core.models import TimeStampedModel
from {{ cookiecutter.project_slug }}.core.postgresql import (
    PostgreSQLCheckConstraint,
    PostgreSQLGinIndex,
)

from .attributes import attributes_clean


class Category(TimeStampedModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="category_unique_name_in_parent"
            ),
            # NULL is never equal to NULL, so the constraint above lets two top-level categories
            # share a name; this partial one covers the top level.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="category_unique_top_level_name",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    category = models.ForeignKey(Category, related_name="products", on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    stock = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Facts that differ by kind of product (size, colour, ...): a JSONB document whose names and
    # types attributes.py declares and checks.
    attributes = models.JSONField(default=dict, blank=True, validators=[attributes_clean])
    # Name, category and description as a weighted tsvector, kept up to date by the database
    # itself (triggers in migration 0005): a category rename reaches its products, and no write
    # path (update(), the admin, a bulk import) can leave it stale. Never written from Python.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_non_negative"),
            # The one rule PostgreSQL can hold a document to: it is an object, so `@>` on names
            # works and a stray string or list never reaches a reader.
            PostgreSQLCheckConstraint(
                condition=Exact(
                    Func("attributes", function="jsonb_typeof", output_field=models.TextField()),
                    "object",
                ),
                name="product_attributes_is_object",
            ),
        ]
        indexes = [
            # The public list: active products, newest first (the default ordering).
            models.Index(fields=["is_active", "-created_at"], name="product_active_recent_idx"),
            # Browsing a category sorted or filtered by price.
            models.Index(fields=["category", "price"], name="product_category_price_idx"),
            # Attribute filters (`attributes @> {...}`): jsonb_path_ops indexes only containment,
            # which is all the filters ask, at about a third of the default operator class's size.
            PostgreSQLGinIndex(
                fields=["attributes"], opclasses=["jsonb_path_ops"], name="product_attributes_idx"
            ),
            # Full-text search (`search_vector @@ query`).
            PostgreSQLGinIndex(fields=["search_vector"], name="product_search_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Order(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    # PROTECT: orders are financial records; deleting a user must not erase them.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="orders", on_delete=models.PROTECT
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # Set when the confirmation e-mail went out: a retried or redelivered task sends it once.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the confirmation was last handed off to be sent (order_confirmations_resend, in
    # confirmations.py): the sweep leaves a send still in flight alone instead of queueing it again.
    confirmation_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_non_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "paid", "cancelled"]), name="order_status_valid"
            ),
        ]
        indexes = [
            # "My orders", newest first: the only way orders are listed.
            models.Index(fields=["user", "-created_at"], name="order_user_recent_idx"),
            # The expiry job's scan: only pending orders, oldest first (a small partial index).
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="order_pending_created_idx",
            ),
            # The confirmation sweep's scan: orders whose confirmation never went out (few).
            models.Index(
                fields=["created_at"],
                condition=Q(confirmation_sent_at__isnull=True),
                name="order_unconfirmed_created_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, related_name="items", on_delete=models.CASCADE)
    product = models.ForeignKey(Product, related_name="order_items", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    # The price paid, copied at purchase: a fact of the order, not a duplicate of Product.price,
    # which may change later.
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"], name="orderitem_one_line_per_product"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderitem_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="orderitem_price_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity
