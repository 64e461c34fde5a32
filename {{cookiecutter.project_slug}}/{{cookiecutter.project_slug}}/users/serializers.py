"""The user's REST shape, and a token refresh that blacklists each refresh token exactly once."""

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import User


class UserSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "email", "name", "date_joined")
        read_only_fields = fields


def blacklist_once(token: RefreshToken, *, user: User) -> bool:
    """Blacklist a refresh token; True only for the one call that did it.

    The unique row is the lock: of two requests that present the same token at the same moment,
    one inserts it and the other finds it (get_or_create retries the read after the clash).
    """
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token[api_settings.JTI_CLAIM],
        defaults={
            "user": user,
            "token": str(token),
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    return created


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """simplejwt's refresh with rotation, closed where it failed in the field.

    In: `{"refresh": str}`. Out: `{"access": str, "refresh": str}` (the old refresh token is
    blacklisted). Raises TokenError (the view answers 401 token_not_valid) for an invalid,
    expired or already used token, and AuthenticationFailed (401 no_active_account) when the
    token's user was deleted or deactivated: simplejwt 5.5 let User.DoesNotExist out as a 500
    (jazzband/djangorestframework-simplejwt #825), and let two requests racing with one token
    both pass its blacklist check and get a new pair each.
    """

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if not isinstance(user, User) or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(
                str(self.error_messages["no_active_account"]), "no_active_account"
            )
        data = {"access": str(refresh.access_token)}
        if not blacklist_once(refresh, user=user):
            raise TokenError("Token is blacklisted")  # used since it was checked on reading
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        data["refresh"] = str(refresh)
        return data
