"""Who is calling: the one function that tells the client's IP address.

Every rate limiter, the audit log and the request log use :func:`client_ip`, so they all agree.

Without ``TRUSTED_PROXIES`` the client is the socket peer (``REMOTE_ADDR``) and
``X-Forwarded-For`` is ignored: anybody can write that header. With ``TRUSTED_PROXIES`` (a list
of CIDRs: the load balancer, the ingress), a request whose peer is one of them is attributed to
the right-most address of ``X-Forwarded-For`` that is *not* a trusted proxy. Each proxy appends
the address it received the connection from, so the entries right of that one were written by
our own proxies and the entries left of it by whoever the client is (and may be forged).
See docs/rate-limits.md.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """Parse ``TRUSTED_PROXIES`` entries (``10.0.0.0/8``, ``192.0.2.7``, ``fd00::/8``).

    Raises :class:`ImproperlyConfigured` for an entry that is not an address or a network.
    """
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {cidr!r} is not an IP network") from exc
    return tuple(networks)


def _parse(value: str) -> IPAddress | None:
    """An address from a header or ``REMOTE_ADDR``; tolerates ``1.2.3.4:5678`` and ``[::1]:80``."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port (an IPv6 address has at least two colons)
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:192.0.2.1 is 192.0.2.1
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or ``None`` when it cannot be told (never raises).

    ``REMOTE_ADDR``; when that peer is in ``TRUSTED_PROXIES``, the right-most untrusted address
    of ``X-Forwarded-For`` instead (all of them trusted: the left-most one). An entry that is
    not an address ends the walk: the last good address before it is the answer.
    """
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if peer is None or not networks or not _is_trusted(peer, networks):
        return str(peer) if peer is not None else None
    found = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",") if forwarded else []):
        address = _parse(entry)
        if address is None:
            break
        found = address
        if not _is_trusted(address, networks):
            break
    return str(found)
