import ipaddress

import pytest

from shared.http.client_address import allowed, client_address, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.1")


def ip(text: str):  # type: ignore[no-untyped-def]
    return ipaddress.ip_address(text)


def test_the_header_is_ignored_without_trusted_proxies() -> None:
    assert client_address("203.0.113.9", "13.108.0.1", ()) == ip("203.0.113.9")
    assert client_address("203.0.113.9", "13.108.0.1", PROXIES) == ip("203.0.113.9")  # peer not a proxy


def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    assert client_address("10.1.2.3", "13.108.0.1", PROXIES) == ip("13.108.0.1")
    # a client that writes its own header cannot hide behind it: the proxy appended the real address
    assert client_address("10.1.2.3", "13.108.0.1, 198.51.100.7", PROXIES) == ip("198.51.100.7")
    assert client_address("10.1.2.3", "198.51.100.7, 192.0.2.1", PROXIES) == ip("198.51.100.7")
    assert client_address("10.1.2.3", None, PROXIES) == ip("10.1.2.3")
    assert client_address("10.1.2.3", "garbage", PROXIES) is None


def test_allow_lists() -> None:
    networks = parse_networks(["13.108.0.0/14", "2001:db8::/32"])
    assert allowed(ip("13.109.1.1"), networks) and allowed(ip("2001:db8::1"), networks)
    assert not allowed(ip("13.112.0.1"), networks) and not allowed(None, networks)
    with pytest.raises(ValueError, match="not an IP"):
        parse_networks("13.108.0.0/14, salesforce.com")
