"""Closing an account that has orders: the orders stay (financial records), the person goes."""

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import TEST_PASSWORD

from ..models import Order
from ..services import OrderLine, order_create
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def test_closing_an_account_with_orders_anonymises_it_and_keeps_the_orders(
    auth_client: APIClient, user: User
) -> None:
    order = order_create(user=user, lines=[OrderLine(ProductFactory.create(stock=5).pk, 1)])

    response = auth_client.delete("/api/v1/users/me/", {"password": TEST_PASSWORD}, format="json")

    assert response.status_code == 204
    user.refresh_from_db()
    assert (user.email, user.name, user.is_active) == (f"deleted-{user.pk}@invalid", "", False)
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert Order.objects.get(pk=order.pk).user_id == user.pk
