"""Each signed-in user's recently viewed products: a capped Redis list, read in one query."""

import pytest
from rest_framework.test import APIClient

from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.tests.factories import (
    TEST_PASSWORD,
    UserFactory,
)

from .. import selectors
from ..models import Product
from ..popularity import recent
from ..services import OrderLine, order_create
from .factories import ProductFactory
from .popularity_support import RECENT, detail, key, redis, view

pytestmark = pytest.mark.django_db


def test_recently_viewed_is_latest_first_without_repeats_and_capped(
    require_redis: None, user: User, settings
) -> None:
    settings.RECENTLY_VIEWED_MAX = 3
    a, b, c, d = (ProductFactory.create(name=n) for n in "abcd")
    for product in (a, b, c, a, d):
        view(product, user=user)
    names = [p.name for p in selectors.product_recently_viewed_list(user=user)]
    assert names == ["d", "a", "c"]  # a once, at its latest view; b fell off the end
    assert redis().llen(key(recent.recent_key(user.pk))) == 3


def test_each_user_sees_only_their_own_recently_viewed(
    require_redis: None, auth_client: APIClient, user: User
) -> None:
    mine, theirs = ProductFactory.create(name="mine"), ProductFactory.create(name="theirs")
    other = APIClient()
    other.force_authenticate(UserFactory.create())
    auth_client.get(detail(mine))
    other.get(detail(theirs))
    assert [p["name"] for p in auth_client.get(RECENT).json()] == ["mine"]
    assert [p["name"] for p in other.get(RECENT).json()] == ["theirs"]


def test_recently_viewed_needs_a_signed_in_user_and_anonymous_views_are_not_listed(
    require_redis: None, api_client: APIClient
) -> None:
    product = ProductFactory.create()
    assert api_client.get(detail(product)).status_code == 200
    assert api_client.get(RECENT).status_code == 401
    assert list(redis().scan_iter(match=key("catalog:recent:*"))) == []


def test_recently_viewed_skips_hidden_products_in_one_query(
    require_redis: None, auth_client: APIClient, user: User, django_assert_num_queries
) -> None:
    kept, hidden = ProductFactory.create(name="kept"), ProductFactory.create(name="hidden")
    view(kept, user=user)
    view(hidden, user=user)
    Product.objects.filter(pk=hidden.pk).update(is_active=False)
    with django_assert_num_queries(1):
        assert [p.name for p in selectors.product_recently_viewed_list(user=user)] == ["kept"]


@pytest.mark.parametrize("has_orders", [False, True], ids=["deleted", "anonymised"])
def test_closing_an_account_forgets_its_recently_viewed(
    require_redis: None,
    auth_client: APIClient,
    user: User,
    has_orders: bool,
    django_capture_on_commit_callbacks,
) -> None:
    product = ProductFactory.create()
    view(product, user=user)
    if has_orders:
        order_create(user=user, lines=[OrderLine(product.pk, 1)])
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete(
            "/api/v1/users/me/", {"password": TEST_PASSWORD}, format="json"
        )
    assert response.status_code == 204
    assert not redis().exists(key(recent.recent_key(user.pk)))
