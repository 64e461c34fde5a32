"""The user model: email login, one account per address whatever its case, the manager's checks."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from ..models import User

pytestmark = pytest.mark.django_db


def test_create_user_logs_in_with_email_and_has_no_username() -> None:
    user = User.objects.create_user(email="Ada@EXAMPLE.com", password="s3cret-pass")
    assert user.email == "Ada@example.com"  # the domain is normalised, the local part kept
    assert user.check_password("s3cret-pass")
    assert not user.is_staff
    assert not hasattr(user, "username") or user.username is None
    assert str(user) == "Ada@example.com"


def test_create_superuser_is_staff_and_superuser() -> None:
    admin = User.objects.create_superuser(email="root@example.com", password="s3cret-pass")
    assert admin.is_staff
    assert admin.is_superuser


def test_create_superuser_refuses_non_staff() -> None:
    with pytest.raises(ValueError, match="is_staff=True"):
        User.objects.create_superuser(email="root@example.com", password="x", is_staff=False)


def test_create_user_requires_an_email() -> None:
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user(email="", password="x")


def test_create_user_rejects_a_malformed_email() -> None:
    with pytest.raises(ValidationError):
        User.objects.create_user(email="not-an-email", password="x")


def test_emails_are_unique_whatever_their_case() -> None:
    User.objects.create_user(email="ada@example.com", password="x")
    with pytest.raises(IntegrityError):
        User.objects.create(email="ADA@example.com")


def test_natural_key_lookup_ignores_case() -> None:
    user = User.objects.create_user(email="ada@example.com", password="x")
    assert User.objects.get_by_natural_key("ADA@Example.COM") == user
