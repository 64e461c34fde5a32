"""The user behind an API request, as a User."""

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from .models import User


def request_user(request: Request) -> User:
    """The authenticated user.

    Views behind IsAuthenticated never get anything else; the check is explicit (an `assert` would
    vanish under `python -O`), so a dropped permission fails closed.
    """
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user
