"""The address a request came from, believing ``X-Forwarded-For`` only when a trusted proxy sent it.

Without trusted proxies (``SSI_INGEST_TRUSTED_PROXIES`` empty) the TCP peer is the client and the header is
ignored, since anyone can write it. Behind trusted proxies the header is read from the right: each hop a
trusted proxy appended is skipped, and the first address not in the trusted set is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(text: str | Iterable[str]) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 192.0.2.7"`` (or a list of them) -> networks; ``ValueError`` naming a bad entry."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item[:60]!r} is not an IP address or CIDR network") from None
    return tuple(out)


def _address(text: str | None) -> Address | None:
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> Address | None:
    """The client's address, or None when it cannot be told (an unparsable peer or forwarded hop)."""
    address = _address(peer)
    if address is None or not _trusted(address, proxies) or not forwarded_for:
        return address
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None or not _trusted(address, proxies):
            return address
    return address  # every hop is a trusted proxy: the leftmost is as far as anyone can tell


def allowed(address: Address | None, networks: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in networks)
