"""Log in, refresh, read yourself: the token endpoints with their rate limits, and /me."""

from typing import Any

from rest_framework.generics import RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from {{ cookiecutter.project_slug }}.core.throttling.ratelimit import rate_limit

from .auth import request_user
from .login_limits import check_login_rate_limits
from .models import User
from .serializers import UserSerializer


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


class MeApi(RetrieveAPIView[User]):
    """The authenticated user's own profile."""

    serializer_class = UserSerializer

    def get_object(self) -> User:
        return request_user(self.request)
