"""Log in, refresh, read yourself, close your account: the token endpoints and /me.

Sign-up, verification, password change and reset, address change and the second factor are
allauth's (/_allauth/app/v1/, config/settings/components/accounts.py).
"""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from {{ cookiecutter.project_slug }}.core.api.openapi import ERROR
from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import rate_limit

from .auth import request_user
from .login_limits import check_login_rate_limits
from .models import User
from .serializers import AccountDeletionSerializer, UserSerializer
from .services import user_delete


class TokenObtainApi(TokenObtainPairView):
    """Log in: email and password for an access and a refresh token.

    Limited per IP and per submitted email. Fails closed (503) if the limiter's store is down:
    an unlimited login endpoint is an open door to password guessing.
    """

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check_login_rate_limits(request)
        return super().post(request, *args, **kwargs)


class TokenRefreshApi(TokenRefreshView):
    """Exchange a refresh token for new tokens (the old refresh token is blacklisted)."""

    @rate_limit(group="token_refresh", key="ip", rate="token_refresh")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class TokenBlacklistApi(TokenBlacklistView):
    """Log out: the refresh token given is revoked (its access token expires within minutes).

    A client that signed in through the account flows also ends that session
    (DELETE /_allauth/app/v1/auth/session).
    """

    @rate_limit(group="token_refresh", key="ip", rate="token_refresh")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


def account_email(group: str, request: Request) -> str:
    """Key the password check of a signed-in request on its account, as logins are."""
    return request_user(request).email.lower()


class MeApi(RetrieveAPIView[User]):
    """The authenticated user's own profile; DELETE closes the account."""

    serializer_class = UserSerializer

    def get_object(self) -> User:
        return request_user(self.request)

    @extend_schema(
        request=AccountDeletionSerializer,
        responses={
            204: OpenApiResponse(description="Closed: every token of the account is revoked."),
            403: OpenApiResponse(ERROR, "The password is not right (`wrong_password`)."),
            415: OpenApiResponse(ERROR, "The body is not JSON (the API takes nothing else)."),
        },
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Close your account, confirmed by your password.

        The account and its personal data are deleted; if records that must be kept refer to it,
        they stay, and the account is anonymised instead. The password check counts against the
        login budgets.
        """
        check_login_rate_limits(request, account=account_email)
        serializer = AccountDeletionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_delete(user=request_user(request), password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
