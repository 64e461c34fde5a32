"""How the API authenticates a request: an access token (simplejwt), its user read cheaply."""

from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from .models import User
from .selectors import user_by_id


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's `JWTAuthentication`: the same checks, answers and codes, a cheaper lookup.

    In: `Authorization: Bearer <access token>`. Every such request reads its user, so an account
    deleted, deactivated or given a new password since the token was issued is refused at once
    (401 `user_not_found`, `user_inactive`, `password_changed`), whichever way it changed (a bulk
    `update()` sends no signal). simplejwt reads the user through a QuerySet; this through
    `selectors.user_by_id`, the same SQL compiled once.
    https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
    """

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]  # this User
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        user = user_by_id(user_id=user_id)
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


class JWTAuthenticationScheme(SimpleJWTScheme):  # type: ignore[no-untyped-call]
    """Its OpenAPI security scheme: simplejwt's `jwtAuth` (drf-spectacular finds it by class)."""

    target_class = f"{__name__}.JWTAuthentication"
