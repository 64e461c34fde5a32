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

# --- Popular products and recently viewed, kept in Redis (catalog/popularity/) ------------------
# The ranking covers this many hours, in hourly buckets: a view or order counts this long, then
# drops out. Each bucket keeps its POPULAR_BUCKET_MAX_PRODUCTS highest products (the long tail
# goes), which bounds its memory (about 100 bytes a product) and the cost of ranking them.
POPULAR_WINDOW_HOURS = env.int("POPULAR_WINDOW_HOURS", default=24)
POPULAR_BUCKET_MAX_PRODUCTS = env.int("POPULAR_BUCKET_MAX_PRODUCTS", default=1000)
# The ranking is rebuilt from the buckets at most this often (0: on every read, for tests).
POPULAR_SNAPSHOT_SECONDS = env.int("POPULAR_SNAPSHOT_SECONDS", default=60)
# Each signed-in user's recently viewed products: how many, and how long kept after the last view.
RECENTLY_VIEWED_MAX = env.int("RECENTLY_VIEWED_MAX", default=20)
RECENTLY_VIEWED_DAYS = env.int("RECENTLY_VIEWED_DAYS", default=30)
for _name in (
    "POPULAR_WINDOW_HOURS",
    "POPULAR_BUCKET_MAX_PRODUCTS",
    "RECENTLY_VIEWED_MAX",
    "RECENTLY_VIEWED_DAYS",
):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive whole number")
if POPULAR_SNAPSHOT_SECONDS < 0:
    raise ImproperlyConfigured("POPULAR_SNAPSHOT_SECONDS must be 0 or more")

# --- Idempotency keys ---------------------------------------------------------------------------
# A write retried with the same Idempotency-Key header returns its first answer for this many
# hours; then the key is new again, and the hourly purge deletes it (idempotency/services.py).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
if IDEMPOTENCY_KEY_HOURS <= 0:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_HOURS must be a positive number of hours")
