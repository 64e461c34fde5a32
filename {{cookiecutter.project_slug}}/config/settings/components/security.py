"""Browser and request hardening: cross-origin requests, request size, Content-Security-Policy.

Always present. HTTPS, HSTS and secure cookies are production's (production.py).
"""

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ..env import env

# --- Cross-origin requests and request size -----------------------------------------------------
# CORS is closed: no browser on another origin may call the API until its origin is listed here
# (e.g. https://app.example.com). https://github.com/adamchainz/django-cors-headers
CORS_ALLOWED_ORIGINS: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
# The paths CORS answers for; a component that serves another API widens it.
CORS_URLS_REGEX = r"^/api/"
# A request body larger than this is refused with 400 before it is parsed (Django's default is
# 2.5 MB; the API takes small JSON documents).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Bounds on a JSON body's shape (core/api/parsers.py): deeper nesting or more values is a 400 before
# anything reads it. The API's own documents nest 3 deep and hold a few hundred values at most.
API_JSON = {
    "MAX_DEPTH": env.int("API_JSON_MAX_DEPTH", default=32),
    "MAX_VALUES": env.int("API_JSON_MAX_VALUES", default=10_000),
}
if API_JSON["MAX_DEPTH"] < 1 or API_JSON["MAX_VALUES"] < 1:
    raise ImproperlyConfigured("API_JSON_MAX_DEPTH and API_JSON_MAX_VALUES must be 1 or more")

# --- Content-Security-Policy (django-csp) --------------------------------------------------------
# Browsers run and load only what this server sends: no inline script, no other origin. The admin
# needs nothing more; the API docs pages relax only what their bundles need (config/urls.py).
# In every environment, so a page that breaks the policy breaks on your machine first.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
