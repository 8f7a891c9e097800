"""Address and URL checks, as pure functions (nothing here opens a connection)."""

from __future__ import annotations

import ipaddress

import pytest

from kabar.errors import UnsafeURLError
from kabar.feeds.netsafety import (
    AddressPolicy,
    blocked_reason,
    check_address,
    check_url,
    embedded_ipv4,
)

BLOCKED = [
    "127.0.0.1",
    "127.1.2.3",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.8",
    "198.18.0.1",
    "192.0.2.1",
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of the metadata address
    "2001:db8::1",  # documentation
    "100::1",  # discard-only
]
ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "203.0.114.1",
    "100.128.0.1",  # just outside CGNAT
    "2606:4700:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize("literal", BLOCKED)
def test_private_and_special_addresses_are_blocked(literal: str) -> None:
    address = ipaddress.ip_address(literal)
    assert blocked_reason(address) is not None
    with pytest.raises(UnsafeURLError, match="KABAR_ALLOW_PRIVATE_NETWORKS"):
        check_address(address, "example.com", AddressPolicy())


@pytest.mark.parametrize("literal", ALLOWED)
def test_public_addresses_pass(literal: str) -> None:
    address = ipaddress.ip_address(literal)
    assert blocked_reason(address) is None
    check_address(address, "example.com", AddressPolicy())


def test_embedded_ipv4_forms_are_unwrapped() -> None:
    v6 = ipaddress.IPv6Address
    assert embedded_ipv4(v6("::ffff:10.1.2.3")) == ipaddress.IPv4Address("10.1.2.3")
    assert embedded_ipv4(v6("64:ff9b::a01:203")) == ipaddress.IPv4Address("10.1.2.3")
    assert embedded_ipv4(v6("2002:a01:203::")) == ipaddress.IPv4Address("10.1.2.3")
    assert embedded_ipv4(v6("2606:4700::1")) is None
    assert "embeds 127.0.0.1" in (blocked_reason(v6("::ffff:127.0.0.1")) or "")


def test_the_operator_can_allow_private_networks_hosts_or_networks() -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    check_address(loopback, "anything", AddressPolicy(allow_private=True))
    by_host = AddressPolicy.from_settings(False, frozenset({"feeds.lan", ".intranet"}))
    check_address(loopback, "feeds.lan", by_host)
    check_address(loopback, "news.intranet", by_host)
    with pytest.raises(UnsafeURLError):
        check_address(loopback, "other.lan", by_host)
    by_net = AddressPolicy.from_settings(False, frozenset({"10.0.0.0/8"}))
    check_address(ipaddress.ip_address("10.9.8.7"), "x", by_net)
    with pytest.raises(UnsafeURLError):
        check_address(ipaddress.ip_address("192.168.0.1"), "x", by_net)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http:///nohost",
        "http://user:pw@example.com/feed",
        "http://example.com:0/",
        "http://example.com:99999/",
        "http://127.0.0.1/feed",
        "http://[::1]:8080/feed",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:80/",
    ],
)
def test_unsafe_urls_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        check_url(url, AddressPolicy())


def test_safe_url_gives_its_host() -> None:
    assert check_url("https://News.Example.com/rss", AddressPolicy()) == "news.example.com"
    assert check_url("http://8.8.8.8/feed", AddressPolicy()) == "8.8.8.8"
