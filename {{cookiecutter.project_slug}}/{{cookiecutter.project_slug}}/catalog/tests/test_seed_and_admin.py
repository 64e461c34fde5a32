"""The demo data command and the admin: both keep the rules the services keep."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from {{ cookiecutter.project_slug }}.users.models import User

from ..models import Category, Order, Product
from ..services import OrderLine, order_create
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_seed_catalog_loads_demo_data_and_is_safe_to_run_twice() -> None:
    call_command("seed_catalog", "--copies", "2")
    counts = (Category.objects.count(), Product.objects.count())
    assert counts == (4, 16)
    call_command("seed_catalog", "--copies", "2")
    assert (Category.objects.count(), Product.objects.count()) == counts


def test_seed_catalog_leaves_renamed_demo_rows_alone(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_catalog", "--copies", "1")
    Category.objects.filter(slug="books").update(name="Books and media")  # in the admin, say
    Product.objects.filter(slug="desk-lamp").update(name="Reading lamp")
    call_command("seed_catalog", "--copies", "1")  # used to clash on the slugs: a traceback
    assert "0 new products" in capsys.readouterr().out
    assert (Category.objects.count(), Product.objects.count()) == (4, 8)


def test_seed_catalog_generates_a_large_catalogue_twice_over() -> None:
    call_command("seed_catalog", "--products", "300")
    call_command("seed_catalog", "--products", "200")
    assert Product.objects.count() == 500
    shelves = Category.objects.filter(parent=None).count()
    assert shelves == Category.objects.filter(parent=None).values("slug").distinct().count() == 4
    assert all(product.attributes for product in Product.objects.all()[:50])


def test_seed_catalog_rejects_a_bad_copy_count() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_catalog", "--copies", "0")


@pytest.mark.parametrize("model", ["category", "product", "order"])
def test_admin_pages_list_and_open_catalogue_rows(
    admin_client: Client, admin_user: User, model: str
) -> None:
    product = ProductFactory.create()
    order = order_create(user=admin_user, lines=[OrderLine(product.pk, 1)])
    rows: dict[str, Model] = {"category": product.category, "product": product, "order": order}
    assert admin_client.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200
    change = reverse(f"admin:catalog_{model}_change", args=[rows[model].pk])
    assert admin_client.get(change).status_code == 200
    assert Order.objects.count() == 1


def test_the_admin_sanitises_a_description_as_the_service_does(admin_client: Client) -> None:
    category = ProductFactory.create().category
    form = {
        "category": category.pk,
        "name": "Mug",
        "slug": "mug",
        "price": "3.00",
        "stock": "1",
        "description": "<b>hot</b><script>steal()</script>",
        "is_active": "on",
    }
    assert admin_client.post(reverse("admin:catalog_product_add"), form).status_code == 302
    assert Product.objects.get(slug="mug").description == "<b>hot</b>"


def test_the_admin_cancels_orders_through_the_service_so_stock_returns(
    admin_client: Client, admin_user: User
) -> None:
    product = ProductFactory.create(stock=5)
    pending = order_create(user=admin_user, lines=[OrderLine(product.pk, 2)])
    done = order_create(user=admin_user, lines=[OrderLine(product.pk, 1)])
    Order.objects.filter(pk=done.pk).update(status=Order.Status.PAID)
    response = admin_client.post(
        reverse("admin:catalog_order_changelist"),
        {"action": "cancel_orders", "_selected_action": [pending.pk, done.pk]},
        follow=True,
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.stock == 4  # the pending order's 2 units are back; the paid one kept its unit
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {pending.pk: Order.Status.CANCELLED, done.pk: Order.Status.PAID}


def test_the_admin_cannot_change_stock_behind_the_services_back(
    admin_client: Client, admin_user: User
) -> None:
    product = ProductFactory.create(stock=5)
    order = order_create(user=admin_user, lines=[OrderLine(product.pk, 2)])
    page = admin_client.get(reverse("admin:catalog_order_change", args=[order.pk]))
    form = page.context["adminform"].form
    assert "status" not in form.fields  # read-only: setting "cancelled" would not restock
    inline = page.context["inline_admin_formsets"][0]
    assert not inline.formset.can_delete
    assert not inline.has_add_permission
    assert admin_client.get(reverse("admin:catalog_order_add")).status_code == 403
    delete = reverse("admin:catalog_order_delete", args=[order.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    product.refresh_from_db()
    assert product.stock == 3
