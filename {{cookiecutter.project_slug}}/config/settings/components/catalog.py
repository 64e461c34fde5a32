"""The example shop: the catalog and orders, and the idempotency keys of its writes.

Owned by example_app=catalog (pruned with example_app=none), with the catalog and idempotency apps.
"""

from django.core.exceptions import ImproperlyConfigured

from ..base import LOCAL_APPS
from ..env import PACKAGE, env, rate
from .throttling import RATELIMIT_RATES

LOCAL_APPS.extend([f"{PACKAGE}.catalog", f"{PACKAGE}.idempotency"])

# Cache-aside for the public catalogue (see catalog/caching.py): lifetime of an entry, seconds.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
# A pending order not paid within this many minutes is cancelled and its stock returned.
ORDER_PAYMENT_MINUTES = env.int("ORDER_PAYMENT_MINUTES", default=30)
# Creating orders is limited per user: stock hoarding (the other rates are in throttling.py).
RATELIMIT_RATES["order_create"] = rate("RATELIMIT_ORDER_CREATE", "10/m")

# --- Idempotency keys ---------------------------------------------------------------------------
# A write retried with the same Idempotency-Key header returns its first answer for this many
# hours; then the key is new again, and the hourly purge deletes it (idempotency/services.py).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
if IDEMPOTENCY_KEY_HOURS <= 0:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_HOURS must be a positive number of hours")
