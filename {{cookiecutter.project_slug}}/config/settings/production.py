"""Production: refuses to start on a missing or placeholder secret, and hardens HTTP."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import {% if cookiecutter.use_graphql == "y" %}GRAPHQL, {% endif %}REDIS_URL, REST_FRAMEWORK
from .env import env

# Values shipped in .env.example: they must never reach production.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "django-insecure")


def required(name: str) -> str:
    """Return an environment variable, failing fast when it is missing or still a placeholder."""
    value = str(env.str(name, default="")).strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable (required in production).")
    if any(marker in value.lower() for marker in PLACEHOLDER_MARKERS):
        raise ImproperlyConfigured(f"{name} still holds a placeholder value; set a real one.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY is too short; use at least 50 random characters.")
ALLOWED_HOSTS = [host.strip() for host in required("ALLOWED_HOSTS").split(",") if host.strip()]
DATABASES = {"default": env.db_url_config(required("DATABASE_URL"))}
# Reuse connections across requests, and check them before use so a restarted database is
# survived without a worker restart.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that takes the connection but never answers (hung, or a route that drops packets)
    # fails the request after this long instead of holding a worker forever. (Redis has its own
    # timeouts: CACHES in components/caches.py.)
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
        "DB_CONNECT_TIMEOUT", default=5
    )
if not REDIS_URL:
    # A per-process cache would give each worker its own view of cached data and counters.
    raise ImproperlyConfigured("Set the REDIS_URL environment variable (required in production).")

# --- HTTPS and security headers (`manage.py check --deploy` is clean) ----------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# (Health probes speak plain HTTP inside the network: core.health.middleware.HealthProbeMiddleware
# answers them before SecurityMiddleware, so they are never redirected.)
# Behind a TLS-terminating proxy Django sees plain HTTP, and the redirect above would loop: turn
# this on there. Only behind a proxy that overwrites X-Forwarded-Proto and is the sole way in;
# otherwise any client could claim HTTPS. gunicorn believes no one (config/gunicorn.py), so this
# is the only switch.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Roll HSTS out gradually: start small, raise to 31536000 once HTTPS is known good everywhere.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Compressed, hashed static files served by WhiteNoise: no separate file server needed.
# (Local development lets runserver serve them; tests need none.)
MIDDLEWARE.insert(  # noqa: F405
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,  # noqa: F405
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# JSON only: DRF's browsable API (HTML forms for every endpoint) is for local development, and
# choosing between two renderers is work on every request.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]

{% if cookiecutter.use_graphql == "y" %}# The schema is public knowledge only if you choose: introspection is off unless turned on.
GRAPHQL["INTROSPECTION"] = env.bool("GRAPHQL_INTROSPECTION", default=False)

{% endif %}# JSON lines for the log pipeline, unless explicitly overridden.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")  # noqa: F405

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10  # a stalled mail server must not hold a worker forever
