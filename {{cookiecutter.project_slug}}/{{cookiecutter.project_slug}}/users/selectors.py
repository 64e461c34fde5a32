"""Reads about accounts: what a user has verified and set up."""

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled

from .models import User


def user_email_verified(*, user: User) -> bool:
    """Whether the user's login address has been verified (allauth's EmailAddress, one query)."""
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True)
    return bool(verified.exists())


def user_has_two_factors(*, user: User) -> bool:
    """Whether a second factor (TOTP) is set up: logins then need a code too (one query)."""
    return bool(is_mfa_enabled(user))
