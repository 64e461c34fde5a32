"""Metrics: Prometheus counters and histograms, served by gunicorn's master on its own port.

Always present. METRICS_ENABLED=false takes the request and SQL timing off every request, and
config/gunicorn.py then serves nothing. What is measured: core/metrics/definitions.py.
"""

from ..base import MIDDLEWARE
from ..env import PACKAGE, env

METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
if METRICS_ENABLED:
    # Outermost: it times the whole stack, and counts what inner middleware answer themselves.
    MIDDLEWARE.insert(0, f"{PACKAGE}.core.metrics.middleware.MetricsMiddleware")
# Where gunicorn's master (METRICS_PORT, 9100, in config/gunicorn.py) and each task worker serve
# /metrics: loopback unless told; the image sets 0.0.0.0 for the scraper. Never published through
# the proxy or the Ingress.
METRICS_HOST = env.str("METRICS_HOST", default="127.0.0.1")
