"""How allauth fits the project: who may sign up, and how its e-mails leave.

https://docs.allauth.org/en/latest/account/advanced.html#custom-redirects (the adapter)
"""

import secrets
from functools import partial
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import EmailMessage
from django.http import HttpRequest

from {{ cookiecutter.project_slug }}.core.after_commit import on_commit_robust

from .emails import email_payload{% if cookiecutter.use_celery == "n" %}, email_send{% endif %}
from .headless import account_flow
{%- if cookiecutter.use_celery == "y" %}
from .tasks import send_account_email
{%- endif %}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ACCOUNT_SIGNUP_OPEN)

    def send_account_already_exists_mail(self, email: str) -> None:
        """Sign-up with a taken address: mail its owner, and take as long as a real sign-up.

        allauth answers it as it answers a new account (ACCOUNT_PREVENT_ENUMERATION), but creates
        nothing, and so skips the password hash that is most of a sign-up's time (about 0.2 s
        with Argon2 against 0.03 s): the time of the answer told whether the address had an
        account. So the same hash is computed here, on a throwaway password.
        """
        if account_flow(context.request) == "account:signup":
            make_password(secrets.token_urlsafe(32))
        super().send_account_already_exists_mail(email)

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """Render as allauth does; the message is sent after the commit, not in the request.

        A code mailed from a transaction that then rolls back would name an account that does
        not exist, and a slow mail server must not hold the request. A hand-over that fails (the
        service it needs is down) is logged; the user asks for the mail again.
        """
        message = super().render_mail(template_prefix, email, context, headers)
        return AfterCommitEmail(message)


class AfterCommitEmail(EmailMessage):
    """An e-mail whose send() hands it over once the transaction commits.

    allauth's send_mail calls send() on what render_mail returns: this is the one seam.
    """

    def __init__(self, message: EmailMessage) -> None:
        super().__init__(message.subject, message.body, message.from_email, message.to)
        self.payload = email_payload(message)

    def send(self, fail_silently: bool = False) -> int:
{%- if cookiecutter.use_celery == "y" %}
        on_commit_robust("account e-mail", partial(send_account_email.delay, **self.payload))
{%- else %}
        on_commit_robust("account e-mail", partial(email_send, **self.payload))
{%- endif %}
        return 1
