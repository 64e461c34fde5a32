"""The user in GraphQL: only the caller's own account is visible."""

import strawberry
import strawberry_django
from strawberry import auto

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

from . import models


class NotAuthenticatedError(ApplicationError):
    status_code = 401
    code = "unauthenticated"


def require_user(info: strawberry.Info) -> models.User:
    """The authenticated user (JWT or session, as in REST), or an `unauthenticated` error.

    GraphQL's counterpart of users/auth.py::request_user: every resolver that needs an account
    asks here.
    """
    user = info.context.request.user
    if not isinstance(user, models.User):
        raise NotAuthenticatedError("Authentication required.")
    return user


@strawberry_django.type(models.User)
class User:
    id: auto
    email: auto
    date_joined: auto


@strawberry.type
class UsersQuery:
    @strawberry_django.field
    def me(self, info: strawberry.Info) -> User:
        """The authenticated user. Requires authentication."""
        return require_user(info)  # type: ignore[return-value]
