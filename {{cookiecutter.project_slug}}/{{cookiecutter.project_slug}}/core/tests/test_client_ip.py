"""The client's address behind as many proxies as TRUSTED_PROXY_COUNT says, and no more."""

import pytest
from django.test import RequestFactory

from {{ cookiecutter.project_slug }}.core.client_ip import (
    client_ip,
    normalise_ip,
)


def ip_for(settings, hops: int, remote: str, forwarded: str | None = None) -> str:
    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings) -> None:
    assert ip_for(settings, 0, "203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings) -> None:
    # The client forged "6.6.6.6"; our proxy (10.0.0.2) appended the real peer, 203.0.113.9.
    assert ip_for(settings, 1, "10.0.0.2", "6.6.6.6, 203.0.113.9") == "203.0.113.9"


def test_behind_two_proxies_the_outer_proxys_entry_is_the_client(settings) -> None:
    chain = "6.6.6.6, 203.0.113.9, 10.0.0.1"
    assert ip_for(settings, 2, "10.0.0.2", chain) == "203.0.113.9"


def test_a_chain_shorter_than_the_proxy_count_yields_its_first_entry(
    settings,
) -> None:
    assert ip_for(settings, 3, "10.0.0.2", "203.0.113.9") == "203.0.113.9"


def test_an_unparseable_forwarded_entry_falls_back_to_the_peer(settings) -> None:
    assert ip_for(settings, 1, "10.0.0.2", "not-an-ip") == "10.0.0.2"


def test_ipv6_clients_are_grouped_by_their_64_prefix(settings) -> None:
    first = ip_for(settings, 0, "2001:db8:1:2:aaaa::1")
    second = ip_for(settings, 0, "2001:db8:1:2:bbbb::7")
    assert first == second == "2001:db8:1:2::"
    assert ip_for(settings, 0, "2001:db8:1:3::1") != first


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("::ffff:192.0.2.5", "192.0.2.5"), (" 192.0.2.5 ", "192.0.2.5"), ("", None), ("1.2.3", None)],
)
def test_normalise_ip(raw: str, expected: str | None) -> None:
    assert normalise_ip(raw) == expected


def test_a_missing_peer_address_is_labelled_unknown(settings) -> None:
    assert ip_for(settings, 0, "") == "0.0.0.0"  # noqa: S104
