"""The user in GraphQL: only the caller's own account is visible."""

import strawberry
import strawberry_django
from strawberry import auto

from {{ cookiecutter.project_slug }}.graphql_api.context import require_user

from . import models


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
