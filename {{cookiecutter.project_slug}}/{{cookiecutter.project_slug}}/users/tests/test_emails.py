"""Account e-mails: rendered in text and HTML, and sent only once their transaction commits."""

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from ..adapters import AccountAdapter

pytestmark = pytest.mark.django_db(transaction=True)


def send_notice(to: str) -> None:
    AccountAdapter().render_mail(
        "account/email/password_changed", to, {"user": None, "current_site": None}
    ).send()


def test_an_account_email_leaves_after_the_commit_with_a_text_and_an_html_part() -> None:
    with transaction.atomic():
        send_notice("ada@example.com")
        assert mail.outbox == []  # not while the transaction may still roll back

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["ada@example.com"]
    html = {mimetype: str(content) for content, mimetype in message.alternatives}["text/html"]
    assert '<html lang="en">' in html
    assert str(message.subject) in html


def send_and_roll_back(to: str) -> None:
    with transaction.atomic():
        send_notice(to)
        raise RuntimeError("rolled back")


def test_an_account_email_of_a_rolled_back_transaction_never_leaves() -> None:
    with pytest.raises(RuntimeError):
        send_and_roll_back("ada@example.com")

    assert mail.outbox == []
