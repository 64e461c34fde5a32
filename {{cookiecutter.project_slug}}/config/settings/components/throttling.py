"""Abuse protection: the client IP, django-ratelimit on sensitive endpoints, the IP monitor.

Always present. DRF's throttles for the whole API are in rest_framework.py; both count in the
cache of caches.py.
"""

from django.core.exceptions import ImproperlyConfigured

from ..env import PACKAGE, env, rate

# How many proxies in front of the app append to X-Forwarded-For (0: it is ignored). Set it to
# exactly the number of trusted proxies; a wrong value lets clients choose their own IP.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")

# django-ratelimit on sensitive endpoints. https://django-ratelimit.readthedocs.io/
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
# One resolver of the client IP for every feature.
RATELIMIT_IP_META_KEY = f"{PACKAGE}.core.client_ip.client_ip"
RATELIMIT_RATES = {
    "login_ip": rate("RATELIMIT_LOGIN_IP", "20/m"),  # password guessing from one address
    "login_email": rate("RATELIMIT_LOGIN_EMAIL", "5/m"),  # guessing one account from many
    "token_refresh": rate("RATELIMIT_TOKEN_REFRESH", "30/m"),
    # The account flows (users/account_limits.py): guessing a mailed or TOTP code ...
    "code_ip": rate("RATELIMIT_CODE_IP", "30/m"),
    "code_account": rate("RATELIMIT_CODE_ACCOUNT", "5/m"),
    # ... and making the service mail an address (sign-up, reset, resend, a new address).
    "mail_ip": rate("RATELIMIT_MAIL_IP", "20/h"),
    "mail_account": rate("RATELIMIT_MAIL_ACCOUNT", "5/h"),
}

# Rate counters (IP monitor, throttles) sync each key with Redis at most this often per process,
# and on every hit once near their limit: a hot client costs ~1 round trip per second, not one per
# request. 0 syncs every hit.
COUNTER_SYNC_SECONDS = env.float("COUNTER_SYNC_SECONDS", default=1.0)

# The IP monitor: counts each IP per window in Redis; bans an IP that passes THRESHOLD.
IP_MONITOR = {
    "ENABLED": env.bool("IP_MONITOR_ENABLED", default=True),
    "WINDOW_SECONDS": env.int("IP_MONITOR_WINDOW_SECONDS", default=60),
    "THRESHOLD": env.int("IP_MONITOR_THRESHOLD", default=600),
    "BAN_SECONDS": env.int("IP_MONITOR_BAN_SECONDS", default=900),
    "EXEMPT_PATHS": env.list("IP_MONITOR_EXEMPT_PATHS", default=["/health/", "/static/"]),
    "RETENTION_DAYS": env.int("IP_MONITOR_RETENTION_DAYS", default=30),
    # The hourly scan flags an address with more requests than this in one hour, for review.
    "SUSPICIOUS_PER_HOUR": env.int("IP_MONITOR_SUSPICIOUS_PER_HOUR", default=3000),
}
