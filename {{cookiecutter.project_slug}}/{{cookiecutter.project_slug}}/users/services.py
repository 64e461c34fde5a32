"""Writes about accounts that allauth does not do: closing an account at its owner's request."""

from functools import partial

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.db.models import ProtectedError
from rest_framework import status

from {{ cookiecutter.project_slug }}.core.after_commit import on_commit_robust
from {{ cookiecutter.project_slug }}.core.exceptions import ApplicationError

from .models import User
from .revocation import user_tokens_revoke
from .signals import account_closed


class WrongPasswordError(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "wrong_password"


@transaction.atomic
def user_delete(*, user: User, password: str) -> bool:
    """Close `user`'s account, confirmed by their current password. Returns True if the row went.

    Every token the account holds is revoked first. The row is deleted, with its
    addresses and second factors, unless records that must outlive it point at it (an
    on_delete=PROTECT foreign key, such as a financial record's); then it is anonymised instead, so nothing personal is left and
    nobody can log in to it: no address, no name, no usable password, inactive.
    Then, after the commit, `account_closed` (signals.py) is sent.
    Raises WrongPasswordError (403) for a wrong password, and changes nothing then.
    """
    if not user.check_password(password):
        raise WrongPasswordError("The password is not right.")
    # Sessions need no work: Django refuses a session whose user is gone, inactive or has another
    # password hash, and allauth's login flows are sessions.
    user_tokens_revoke(user_id=user.pk)
    # Once committed, whichever way it goes: other apps forget what they keep about the person.
    on_commit_robust(
        "account closed signal", partial(account_closed.send, sender=User, user_id=user.pk)
    )
    try:
        with transaction.atomic():  # a savepoint: a refused delete leaves the transaction usable
            user.delete()
    except ProtectedError:
        pass
    else:
        return True
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@invalid"  # .invalid: a domain that can never receive mail
    user.name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return False
