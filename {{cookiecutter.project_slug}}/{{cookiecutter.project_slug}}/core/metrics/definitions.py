"""Every metric the service records, in one place: names, labels and buckets.

Labels take values from a fixed set only (a route's name, never its path; a status class, not the
code): each label value is a time series kept by Prometheus, and a label filled from the request
would let any client create them without end. Names follow Prometheus's conventions: base units
(seconds), `_total` on counters.
(prometheus.io, "Metric and label naming")
"""

from prometheus_client import Counter, Histogram

# Finer than prometheus-client's default buckets at the low end: most answers here take 1-20 ms.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUEST_DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Time from the first middleware to the response, by route name and method.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
HTTP_RESPONSES = Counter(
    "http_server_responses",
    "Responses sent, by route name, method and status class (2xx, 4xx, 5xx ...).",
    ["method", "route", "status_class"],
)
DB_QUERY_DURATION = Histogram(
    "db_client_query_duration_seconds",
    "Time of each SQL statement Django sent, by database alias (count = statements).",
    ["alias"],
    buckets=LATENCY_BUCKETS,
)
CACHE_LOOKUPS = Counter(
    "cache_lookups",
    "Cache-aside lookups (core/cache.py) by namespace and result: hit, miss or error.",
    ["namespace", "result"],
)
RATE_LIMIT_REFUSALS = Counter(
    "rate_limit_refusals",
    "Requests refused with 429, by the limit that refused them (a ratelimit group or a throttle).",
    ["limit"],
)
IP_MONITOR_REFUSALS = Counter(
    "ip_monitor_refusals",
    "Requests the IP monitor refused with 403: from a banned address, or over the threshold.",
    ["reason"],
)
IP_BANS = Counter(
    "ip_monitor_bans",
    "Addresses blocked, by source: automatic (a flood) or manual (the admin, a command).",
    ["source"],
)
