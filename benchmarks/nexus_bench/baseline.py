"""The app every share is measured against, served by the same gunicorn as the project.

- The baseline (`BASELINE_STACK` unset): Django answering the same JSON as `/health/live/`, and
  nothing else; and the ceiling for a cached answer, the same bare Django plus one Redis GET of
  the product list's bytes.
- The floors (`BASELINE_STACK=django-drf`): what any Django REST project pays before its own
  code runs: Django's default middleware (`startproject`'s seven) and a DRF view with no
  authentication, permission or throttle, answering the same JSON; that plus one Redis GET of
  the product list; that plus the irreducible work of `/users/me/` with a JWT (the token's
  signature and expiry checked with PyJWT, one row read by primary key through a cursor).

It runs in the project's environment (Django, DRF, redis-py, PyJWT, psycopg), not the
template's, so it is kept as source and written into the build directory.
"""

BASELINE = '''"""The bench's baseline, ceiling and floors (benchmarks/nexus_bench/baseline.py)."""
import os

import redis
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse, JsonResponse
from django.urls import path

FLOORS = os.environ.get("BASELINE_STACK") == "django-drf"
if FLOORS:
    import environ

    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ["SECRET_KEY"],  # the key the project signs the bench's token with
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "django.contrib.messages",
            "rest_framework",
        ],
        # Persistent connections, as the project's production settings keep them.
        DATABASES={
            "default": environ.Env.db_url_config(os.environ["DATABASE_URL"])
            | {"CONN_MAX_AGE": 60}
        },
        REST_FRAMEWORK={
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
    )
else:
    settings.configure(
        DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF=__name__,
        MIDDLEWARE=[], INSTALLED_APPS=[],
    )
store = redis.Redis.from_url(os.environ["REDIS_URL"])


def ok(request):
    return JsonResponse({"status": "ok"})


def cached(request):
    return HttpResponse(store.get("bench:product-list"), content_type="application/json")


urlpatterns = [path("", ok), path("ceiling/", cached)]
application = get_wsgi_application()  # sets Django up: the DRF views below need the apps loaded

if FLOORS:
    import jwt
    from django.db import connection
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Floor(APIView):
        def get(self, request):
            return Response({"status": "ok"})

    class CachedFloor(APIView):
        def get(self, request):
            return cached(request)

    class MeFloor(APIView):
        def get(self, request):
            token = request.META["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
            claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, email, name, is_active FROM users_user WHERE id = %s",
                    [claims["user_id"]],
                )
                row = cursor.fetchone()
            if row is None or not row[3]:
                return Response(status=401)
            return Response({"id": row[0], "email": row[1], "name": row[2]})

    urlpatterns += [
        path("floor/", Floor.as_view()),
        path("floor/cached/", CachedFloor.as_view()),
        path("floor/me/", MeFloor.as_view()),
    ]
'''
