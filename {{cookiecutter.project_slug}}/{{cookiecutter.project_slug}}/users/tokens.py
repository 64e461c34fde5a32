"""allauth's login issues the API's own tokens: one JWT scheme for the whole API.

allauth keeps a short-lived session for each login flow (sign-up, verification, the second
factor), named by the `X-Session-Token` header. Once a flow authenticates the user, this strategy
answers with the pair every other endpoint takes (simplejwt: `Authorization: Bearer <access>`),
and allauth's refresh endpoint rotates it as /api/v1/auth/token/refresh/ does.
https://docs.allauth.org/en/latest/headless/token-strategies.html
"""

from typing import Any

from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .models import User
from .serializers import TokenRefreshSerializer


class JWTPairTokenStrategy(SessionTokenStrategy):
    """Session tokens for the flows; the project's access and refresh tokens once logged in."""

    def create_access_token_payload(self, request: HttpRequest) -> dict[str, Any] | None:
        """`{"access_token", "refresh_token", "expires_in"}` (seconds) for the logged-in user.

        allauth puts it under `meta` of the answer that completes a login.
        """
        user = request.user
        if not isinstance(user, User):
            return None
        refresh = RefreshToken.for_user(user)  # recorded as outstanding: revocable
        lifetime = api_settings.ACCESS_TOKEN_LIFETIME
        return {
            "access_token": str(refresh.access_token),
            "refresh_token": str(refresh),
            "expires_in": int(lifetime.total_seconds()),
        }

    def refresh_token(self, refresh_token: str) -> tuple[str, str] | None:
        """(access, refresh) for a valid refresh token, which is used up; None otherwise."""
        serializer = TokenRefreshSerializer(data={"refresh": refresh_token})
        try:
            serializer.is_valid(raise_exception=True)
        except (TokenError, AuthenticationFailed, ValidationError):
            return None
        data: dict[str, str] = serializer.validated_data
        return data["access"], data["refresh"]
