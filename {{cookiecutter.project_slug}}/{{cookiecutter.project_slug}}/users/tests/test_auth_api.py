"""JWT login, refresh and /me: the right answer for every kind of credential."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from ..auth import request_user
from ..models import User
from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = reverse("api-v1:token-obtain")
REFRESH_URL = reverse("api-v1:token-refresh")
ME_URL = reverse("api-v1:users:me")


def obtain(client: APIClient, email: str, password: str) -> tuple[int, dict[str, str]]:
    response = client.post(TOKEN_URL, {"email": email, "password": password}, format="json")
    return response.status_code, response.json()


def test_token_with_the_right_password_returns_access_and_refresh(
    api_client: APIClient, user: User
) -> None:
    status, body = obtain(api_client, user.email, TEST_PASSWORD)
    assert status == 200
    assert set(body) == {"access", "refresh"}


def test_token_login_ignores_email_case(api_client: APIClient, user: User) -> None:
    status, _ = obtain(api_client, user.email.upper(), TEST_PASSWORD)
    assert status == 200


def test_token_with_a_wrong_password_is_401(api_client: APIClient, user: User) -> None:
    status, body = obtain(api_client, user.email, "wrong")
    assert status == 401
    assert "detail" in body


def test_token_for_an_unknown_user_is_401(api_client: APIClient) -> None:
    status, _ = obtain(api_client, "nobody@example.com", "wrong")
    assert status == 401


def test_token_for_an_inactive_user_is_401(api_client: APIClient, user: User) -> None:
    user.is_active = False
    user.save()
    status, _ = obtain(api_client, user.email, TEST_PASSWORD)
    assert status == 401


def test_access_token_authenticates_the_me_endpoint(api_client: APIClient, user: User) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.get(ME_URL)
    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_me_without_credentials_is_401(api_client: APIClient) -> None:
    assert api_client.get(ME_URL).status_code == 401


def test_me_with_a_forged_token_is_401(api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    assert api_client.get(ME_URL).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_is_blacklisted(
    api_client: APIClient, user: User
) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    first = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]  # rotated
    replay = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert replay.status_code == 401  # the old one was blacklisted


def test_session_auth_works_for_the_browsable_api(user: User) -> None:
    client = APIClient()
    assert client.login(email=user.email, password=TEST_PASSWORD)
    assert client.get(ME_URL).status_code == 200


def test_request_user_fails_closed_for_an_anonymous_request() -> None:
    # What a view gets if its IsAuthenticated permission is ever dropped: 401, not a crash or a leak.
    request = Request(APIRequestFactory().get("/"))
    request.user = AnonymousUser()
    with pytest.raises(NotAuthenticated):
        request_user(request)


def test_logging_out_revokes_the_refresh_token(api_client: APIClient, user: User) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    logout = api_client.post(
        reverse("api-v1:token-blacklist"), {"refresh": tokens["refresh"]}, format="json"
    )
    assert logout.status_code == 200
    response = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401


# Found in the field: simplejwt's refresh serializer let User.DoesNotExist out (a 500). A deleted
# user's tokens are revoked as it goes (users/revocation.py).
def test_refreshing_the_token_of_a_deleted_user_is_401(api_client: APIClient, user: User) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    user.delete()
    response = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refreshing_the_token_of_a_deactivated_user_is_401(
    api_client: APIClient, user: User
) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    user.is_active = False
    user.save()
    response = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"  # revoked when it was deactivated


def test_the_refresh_serializer_checks_the_user_even_when_nothing_revoked_the_token(
    api_client: APIClient, user: User
) -> None:
    # A bulk update sends no signal, so nothing revoked the token: the serializer's own check
    # must still refuse it.
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "No active account found for the given token.",
        "code": "no_active_account",
    }


def test_the_access_token_of_a_deleted_user_is_401(api_client: APIClient, user: User) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    user.delete()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"refresh": "not.a.token"},
        {"refresh": ""},
        {"refresh": ["a list"]},
        {"refresh": "a" * 10_000},
        {},
    ],
    ids=["garbage", "empty", "list", "long", "missing"],
)
def test_a_malformed_refresh_request_is_a_4xx(api_client: APIClient, body: object) -> None:
    response = api_client.post(REFRESH_URL, body, format="json")
    assert response.status_code in {400, 401}
    assert "detail" in response.json() or "refresh" in response.json()


def test_an_access_token_is_no_refresh_token(api_client: APIClient, user: User) -> None:
    _, tokens = obtain(api_client, user.email, TEST_PASSWORD)
    response = api_client.post(REFRESH_URL, {"refresh": tokens["access"]}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
