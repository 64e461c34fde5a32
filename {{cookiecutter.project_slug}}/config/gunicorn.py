"""gunicorn settings, from the environment (`gunicorn --config config/gunicorn.py` reads them)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # all interfaces: inside a container
# Sync workers: one request each. WEB_CONCURRENCY is the usual knob; ~2 per CPU is a start.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A worker stuck longer than this is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Let in-flight requests finish on SIGTERM before exiting (below the orchestrator's grace period).
graceful_timeout = 20
# Recycle workers now and then: a slow leak in any library cannot grow forever.
max_requests = 1000
max_requests_jitter = 100
# gunicorn 25.1+ opens a control socket under $HOME by default (runtime management through
# `gunicornc`): nothing here uses it, and in a container whose root filesystem is read-only it
# only logs an error at every start.
control_socket_disable = True
# Request logs come from the app (core/observability/middleware.py); gunicorn logs errors only.
accesslog = None
errorlog = "-"
# Believe no peer's forwarded headers: whether a request came over HTTPS is Django's call alone
# (SECURE_PROXY_SSL_HEADER in production.py), one switch however far away the proxy is. Trusting a
# peer would also let it set SCRIPT_NAME and PATH_INFO by header (gunicorn's forwarder_headers).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
