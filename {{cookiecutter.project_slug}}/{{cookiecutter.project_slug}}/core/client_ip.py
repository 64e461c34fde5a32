"""The client's IP address, resolved once and the same way for rate limits, monitoring and logs.

Behind N trusted proxies, each proxy appends the address it received the request from to
X-Forwarded-For. Reading from the right, the entry N places from the end was written by our
outermost trusted proxy, so a client cannot choose it; anything further left may be forged.
With no trusted proxy (the default) X-Forwarded-For is ignored entirely.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

# A label for "unparseable", never bound to.
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 # nosec B104
# Resolved once per request, then read by the monitor, the throttles, the limits and the log.
META_KEY = "nexus.client_ip"


def client_ip(request: HttpRequest) -> str:
    """Return the client's IPv4 address, or its IPv6 /64 network (one subscriber's usual block)."""
    resolved: str | None = request.META.get(META_KEY)
    if resolved is None:
        resolved = request.META[META_KEY] = resolve_client_ip(request)
    return resolved


def resolve_client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops: int = settings.TRUSTED_PROXY_COUNT
    candidate = remote
    if hops > 0:
        forwarded = request.headers.get("x-forwarded-for", "")
        chain = [part.strip() for part in forwarded.split(",") if part.strip()] + [remote]
        # chain[-1] is the peer (our nearest proxy); chain[-(hops + 1)] was added by the farthest
        # trusted proxy. A shorter chain means fewer proxies than configured: take its first entry.
        candidate = chain[-(hops + 1)] if len(chain) > hops else chain[0]
    return normalise_ip(candidate) or normalise_ip(remote) or UNKNOWN_IP


@lru_cache(maxsize=4096)  # the same few addresses, parsed on every request: once per process
def normalise_ip(value: str) -> str | None:
    """Canonical text of an address; IPv6 grouped by /64, IPv4-mapped IPv6 unwrapped."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)
