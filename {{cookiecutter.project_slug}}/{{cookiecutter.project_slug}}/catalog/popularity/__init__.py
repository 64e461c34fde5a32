"""Redis as a data store: a decaying "popular products" ranking and each user's recently viewed.

Not a cache: this data is nowhere else. Losing it loses a signal, not a record, so every call
fails open: while Redis is down, views and orders go uncounted (one warning when the outage
starts, one line when it ends) and reads answer empty.

Every key, all owned by this package (names under the cache's KEY_PREFIX and version). Measured
with MEMORY USAGE (catalog/tests/test_popularity.py holds them to it): a full bucket 95 KB, a
snapshot 944 B, a full list 280 B.

| key                        | type       | written on                     | expires                  | holds at most            |
|----------------------------|------------|--------------------------------|--------------------------|--------------------------|
| catalog:popular:<hour>     | sorted set | a product view (+1), an order  | when its hour leaves the | POPULAR_BUCKET_MAX_PRODUCTS |
|                            |            | (+ORDER_WEIGHT per line)       | window, plus one hour    | members                  |
| catalog:popular:top:<hour> | sorted set | a ranking read (the snapshot)  | POPULAR_SNAPSHOT_SECONDS | SNAPSHOT_SIZE members    |
| catalog:popular:union      | sorted set | a snapshot's build, in Lua     | deleted in the same run  | the window's union       |
| catalog:recent:<user id>   | list       | a signed-in user's view        | RECENTLY_VIEWED_DAYS     | RECENTLY_VIEWED_MAX ids  |
| catalog:popular:seen:      | set        | a view through the APIs or the | the end of its hour,     | the products that viewer |
|   <hour>:<viewer>          |            | shop: the products counted for | plus a minute            | looked at that hour      |
|                            |            | that viewer this hour          |                          |                          |

<viewer> is `u<user id>`, or for an anonymous client `a` and a 16-hex-digit BLAKE2 digest of its
address (viewer_id): each viewer counts each product once an hour, so reloading a page, or a
script doing it, does not make a product popular. <hour> counts hours since the Unix epoch (UTC). A bucket expires (EXPIREAT) when its hour leaves
the window, so popularity decays by the hour and at most POPULAR_WINDOW_HOURS + 1 buckets exist.

A write is one pipelined round trip, without MULTI (each command stands alone). A full bucket
makes room by Space-Saving (Metwally, Agrawal and El Abbadi, 2005): a newcomer replaces the
least counted product and inherits its count. A plain ZREMRANGEBYRANK trim would drop every
newcomer at once, so a product taking off late in an hour could never enter it; with
Space-Saving any product with more than 1/POPULAR_BUCKET_MAX_PRODUCTS of an hour's score is
kept, and a count is over-estimated by at most the smallest count in its bucket.

A read is one round trip too: a Lua script serves the snapshot of the window's ranking,
building it first when there is none (ZUNIONSTORE of the buckets, then its top SNAPSHOT_SIZE
copied out by ZRANGESTORE: Redis 6.2 or later). A union on every request would cost Redis
~10 ms of CPU with 24 full buckets of 1,000 (80 ms at 10,000), blocking every other client
meanwhile; once per POPULAR_SNAPSHOT_SECONDS it does not matter. Scripts are sent by SHA
(EVALSHA); after a Redis restart the first call sends the script itself (EVAL), which stores it
again.

Modules: store.py (the Redis client, failing open, scripts), ranking.py (the buckets, the
snapshot, counting), recent.py (the lists). Settings: POPULAR_* and RECENTLY_VIEWED_* in
config/settings/components/catalog.py.
"""

from .ranking import (
    MAX_LIMIT,
    ORDER_WEIGHT,
    SNAPSHOT_SIZE,
    VIEW_WEIGHT,
    popular_ranking,
    product_orders_record,
    product_view_record,
    request_view_record,
    viewer_id,
)
from .recent import recently_viewed_clear, recently_viewed_forget, recently_viewed_ids

__all__ = [
    "MAX_LIMIT",
    "ORDER_WEIGHT",
    "SNAPSHOT_SIZE",
    "VIEW_WEIGHT",
    "popular_ranking",
    "product_orders_record",
    "product_view_record",
    "recently_viewed_clear",
    "recently_viewed_forget",
    "recently_viewed_ids",
    "request_view_record",
    "viewer_id",
]
