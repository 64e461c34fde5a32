"""The cached catalogue behind three replicas: a change made through one is seen through all.

The replicas share one cache (Redis), so an entry built by one is served by every other, and an
invalidation by one reaches all of them; a cache of each replica's own would serve the old list
from the replicas that did not make the change. See config/tests/test_scale_out.py for the rest
of what the replicas share.
"""

from collections.abc import Iterator

import pytest

from tests.support.haproxy import (
    Balancer,
    log_in,
    replica_user,
    require_haproxy,
    running_haproxy,
    running_replicas,
    served_by,
)

from ..models import Product
from .factories import ProductFactory

# Slow: starts servers. Transactional: the replicas must see the rows a test writes.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REPLICAS = 3
CLIENT = "127.0.6.1"


@pytest.fixture(scope="module")
def balancer(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Balancer]:
    require_haproxy()  # skip before starting the replicas for nothing
    work_dir = tmp_path_factory.mktemp("replicas")
    with (
        running_replicas(
            work_dir,
            REPLICAS,
            THROTTLE_ANON_RATE="10000/m",
{%- if cookiecutter.use_celery == "y" %}
            CELERY_BROKER_URL="memory://",  # the order's confirmation: no worker here to send it
{%- endif %}
        ) as replicas,
        running_haproxy(work_dir, replicas) as proxy,
    ):
        yield proxy


def stock_through_each_replica(balancer: Balancer) -> list[int]:
    """The product list read once through every replica (round robin): its one product's stock."""
    answers = [balancer.call("/api/v1/products/", client_ip=CLIENT) for _ in range(REPLICAS)]
    assert {served_by(answer) for answer in answers} == set(balancer.replicas)
    return [answer.body["results"][0]["stock"] for answer in answers]


def test_a_product_change_through_one_replica_is_seen_through_all(balancer: Balancer) -> None:
    product = ProductFactory.create(stock=10)
    assert stock_through_each_replica(balancer) == [10, 10, 10]
    # Cached, and shared: a change made behind the cache's back shows through no replica.
    Product.objects.filter(pk=product.pk).update(stock=9)
    assert stock_through_each_replica(balancer) == [10, 10, 10]

    # The change through one replica: an order takes 3 from stock and invalidates the list.
    access = log_in(balancer, replica_user(), client_ip=CLIENT).body["access"]
    bearer = {"Authorization": f"Bearer {access}"}
    order = balancer.call(
        "/api/v1/orders/",
        {"items": [{"product": product.pk, "quantity": 3}]},
        headers=bearer,
        client_ip=CLIENT,
    )
    assert order.status == 201, order.body
    assert stock_through_each_replica(balancer) == [6, 6, 6]
