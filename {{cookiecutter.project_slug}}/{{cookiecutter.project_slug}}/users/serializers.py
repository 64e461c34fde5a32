"""The user's REST shape; the password login's account policy; a race-free token refresh."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch

from {{ cookiecutter.project_slug }}.core.api.serializers import (
    CachedFieldsMixin,
)

from .models import User
from .selectors import user_email_verified, user_has_two_factors


class UserSerializer(CachedFieldsMixin, serializers.ModelSerializer[User]):
    """Out: `{"id", "email", "name", "date_joined"}`, the signed-in user (every /me request)."""

    class Meta:
        model = User
        fields = ("id", "email", "name", "date_joined")
        read_only_fields = fields


class AccountDeletionSerializer(serializers.Serializer[None]):
    """In: `{"password": str}`, the account's current password."""

    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenObtainPairSerializer(jwt_serializers.TokenObtainPairSerializer):
    """The password-only login, held to the account flows' rules.

    In: `{"email": str, "password": str}`. Out: `{"access": str, "refresh": str}`. A right
    password is not enough for an account whose address is unverified (when verification is
    mandatory) or that has a second factor: 401 `email_not_verified` or `two_factor_required`,
    and the client logs in through /_allauth/app/v1/auth/login, which asks for the rest.
    """

    @classmethod
    def get_token(cls, user: Any) -> Token:
        # Called once the password is right, before any token exists.
        if not isinstance(user, User):
            raise AuthenticationFailed("No active account found.", "no_active_account")
        mandatory = settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
        if mandatory and not user_email_verified(user=user):
            raise AuthenticationFailed(
                "Verify your e-mail address first: log in through /_allauth/app/v1/auth/login.",
                "email_not_verified",
            )
        if user_has_two_factors(user=user):
            raise AuthenticationFailed(
                "This account has two-factor login: use /_allauth/app/v1/auth/login.",
                "two_factor_required",
            )
        return super().get_token(user)


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
