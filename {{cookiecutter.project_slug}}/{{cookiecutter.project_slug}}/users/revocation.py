"""Revocation: when a password changes or an account closes, every token it holds stops working.

Refresh tokens are blacklisted here (all of them, not just the one in hand: simplejwt's PR #700
left this to projects). Access tokens live minutes and are refused at once anyway: each request
checks that the user exists and is active, and that the token's password-hash claim is the
current one (SIMPLE_JWT's CHECK_REVOKE_TOKEN, config/settings/components/jwt.py). allauth's
sessions die with the password hash or the account (Django checks both on every request).
"""

from typing import Any

from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .models import User


def user_tokens_revoke(*, user_id: int) -> int:
    """Blacklist every refresh token of the user `user_id`; returns how many were still usable.

    Idempotent, and safe beside a refresh in flight: the blacklist's unique row settles which of
    the two blacklists a token (BlacklistedToken.token is one-to-one).
    """
    usable = list(OutstandingToken.objects.filter(user_id=user_id, blacklistedtoken__isnull=True))
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in usable], ignore_conflicts=True
    )
    return len(usable)


def revoke_on_credential_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    """pre_save: a new password or a deactivation revokes the user's tokens, whatever saved it.

    The admin, `changepassword`, allauth's change and reset, a shell: each ends in User.save, so
    the rule lives here and not in one flow. Saves that name their fields and touch neither (the
    last-login stamp of every login) cost nothing; others read the stored row once.
    """
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    deactivated = stored["is_active"] and not instance.is_active
    if deactivated or stored["password"] != instance.password:
        user_tokens_revoke(user_id=instance.pk)


def revoke_on_delete(sender: type[User], instance: User, **kwargs: Any) -> None:
    """pre_delete: a deleted user's tokens are revoked before the row goes.

    simplejwt keeps a deleted user's refresh tokens (their user becomes NULL); the refresh
    serializer refuses them, and the blacklist says so for anyone who reads the table.
    """
    user_tokens_revoke(user_id=instance.pk)
