import pytest
from django.test import Client
from django.urls import reverse

from ..models import User

pytestmark = pytest.mark.django_db


def test_admin_lists_searches_and_adds_users(admin_client: Client) -> None:
    assert (
        admin_client.get(reverse("admin:users_user_changelist"), {"q": "admin"}).status_code == 200
    )
    response = admin_client.post(
        reverse("admin:users_user_add"),
        {
            "email": "new@example.com",
            "password1": "Un1que-pass-phrase",
            "password2": "Un1que-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com").exists()
