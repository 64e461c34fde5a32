"""JSON Web Tokens for the API (djangorestframework-simplejwt): lifetimes, rotation, blacklist.

Always present. https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
"""

from datetime import timedelta

from ..env import PACKAGE, env

# Short-lived access tokens; each refresh rotates the refresh token and blacklists the old one,
# so a stolen refresh token works at most once.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Each token carries a digest of its user's password hash, checked on every request: after a
    # password change or reset, the access tokens in flight are refused at once (users/revocation.py).
    "CHECK_REVOKE_TOKEN": True,  # nosec B105: a setting's name, no password
    # The password login, held to the account flows' rules (verified address, second factor).
    "TOKEN_OBTAIN_SERIALIZER": f"{PACKAGE}.users.serializers.TokenObtainPairSerializer",
    # simplejwt's own, with its 500 for a deleted user and its rotation race closed.
    "TOKEN_REFRESH_SERIALIZER": f"{PACKAGE}.users.serializers.TokenRefreshSerializer",
}
