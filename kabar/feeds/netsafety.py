"""Which URLs and IP addresses Kabar may connect to: pure checks, no I/O.

A feed URL is user input (admins, OPML files, redirects chosen by a remote server), so every
address a connection would reach is checked against the ranges that lead inside the host's own
network: loopback, private, link-local (cloud metadata lives at 169.254.169.254), CGNAT,
multicast, reserved and unspecified addresses, and the IPv6 forms that embed an IPv4 address
(IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from kabar.errors import UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Ranges Python's flags miss on some 3.11 patch releases; listed so the answer never depends on it.
_EXTRA_BLOCKED_V4 = (
    ipaddress.IPv4Network("0.0.0.0/8"),
    ipaddress.IPv4Network("192.0.0.0/24"),
    ipaddress.IPv4Network("198.18.0.0/15"),
    ipaddress.IPv4Network("240.0.0.0/4"),
)
_EXTRA_BLOCKED_V6 = (
    ipaddress.IPv6Network("fc00::/7"),
    ipaddress.IPv6Network("fe80::/10"),
    ipaddress.IPv6Network("fec0::/10"),
    ipaddress.IPv6Network("100::/64"),
    ipaddress.IPv6Network("2001:db8::/32"),
)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """What the operator allows: everything private, some host names, or some networks."""

    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def from_settings(cls, allow_private: bool, allowed: frozenset[str]) -> AddressPolicy:
        """Split KABAR_ALLOWED_HOSTS into host names and CIDR networks."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in allowed:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.strip().lower().rstrip("."))
        return cls(allow_private, frozenset(hosts), tuple(networks))

    def host_allowed(self, host: str) -> bool:
        """Whether `host` is on the allowlist (exact name, or a `.suffix` entry)."""
        host = host.lower().rstrip(".")
        if host in self.allowed_hosts:
            return True
        return any(e.startswith(".") and host.endswith(e) for e in self.allowed_hosts)

    def address_allowed(self, address: IPAddress) -> bool:
        """Whether `address` lies in an allowlisted network."""
        return any(
            address in net for net in self.allowed_networks if net.version == address.version
        )


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # ::1 and :: are not embeddings
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def blocked_reason(address: IPAddress) -> str | None:
    """Why `address` leads into a private network, or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = blocked_reason(inner)
            return f"embeds {inner} which is {reason}" if reason else None
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "carrier-grade NAT"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (_in_extra(address), "special-purpose"),
        (not address.is_global, "not globally routable"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


def _in_extra(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return any(address in net for net in _EXTRA_BLOCKED_V4)
    return any(address in net for net in _EXTRA_BLOCKED_V6)


def check_address(address: IPAddress, host: str, policy: AddressPolicy) -> None:
    """Raise UnsafeURLError unless connecting to `address` (for `host`) is allowed."""
    if policy.allow_private or policy.host_allowed(host) or policy.address_allowed(address):
        return
    reason = blocked_reason(address)
    if reason is not None:
        raise UnsafeURLError(
            f"refused to connect to {host} ({address}): the address is {reason}; "
            "set KABAR_ALLOW_PRIVATE_NETWORKS or KABAR_ALLOWED_HOSTS to allow it"
        )


def parse_ip(host: str) -> IPAddress | None:
    """`host` as an IP address if it is a literal (brackets and zone ids tolerated), else None."""
    literal = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(literal)
    except ValueError:
        return None


def check_url(url: str, policy: AddressPolicy) -> str:
    """The URL's host name if the URL is http(s) with a host and any literal IP is allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise UnsafeURLError(f"malformed URL {url[:200]!r}: {exc}") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURLError(f"only http and https URLs are fetched, not {parts.scheme!r}")
    host = parts.hostname
    if not host:
        raise UnsafeURLError(f"URL has no host: {url[:200]!r}")
    if parts.username or parts.password:
        raise UnsafeURLError("URLs with a user name or password are not fetched")
    if port == 0:
        raise UnsafeURLError("port 0 is not a valid port")
    literal = parse_ip(host)
    if literal is not None:
        check_address(literal, host, policy)
    return host
