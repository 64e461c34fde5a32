"""What resolvers may ask of the request: who is calling."""

import strawberry

from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError
from {{ cookiecutter.project_slug }}.core.models import MAX_ID
from {{ cookiecutter.project_slug }}.users.models import User


class NotAuthenticatedError(ApplicationError):
    status_code = 401
    code = "unauthenticated"


def parse_id(value: object) -> int:
    """An ID argument as a primary key, or a clear `invalid` error (not a database error)."""
    try:
        pk = int(str(value))
    except ValueError:
        raise ApplicationError(f"{value!r} is not a valid id.") from None
    if not 0 < pk <= MAX_ID:
        raise ApplicationError(f"{value!r} is not a valid id.")
    return pk


def require_user(info: strawberry.Info) -> User:
    """The authenticated user (JWT or session, as in REST), or an `unauthenticated` error."""
    user = info.context.request.user
    if not isinstance(user, User):
        raise NotAuthenticatedError("Authentication required.")
    return user
