"""Where a webhook may go: the SSRF rule (docs/webhooks.md, "Where deliveries may go").

A target is an ``http``/``https`` URL without credentials whose host, once resolved, has only
public addresses: loopback, private, link-local, shared (CGNAT), multicast, reserved and
unspecified addresses are refused, in IPv4 and IPv6, and an IPv6 address that carries an IPv4
one (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible, 6to4, NAT64) is judged by that IPv4 address.
The rule is applied when an endpoint is saved and again before every delivery (DNS may have
changed), and the delivery connects to the address that was checked, so a second DNS answer
cannot point it elsewhere. ``WEBHOOK_ALLOW_PRIVATE_TARGETS=1`` (tests, local development) turns
the address rule off; the scheme and credentials rules stay.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(Exception):
    """The URL may not receive webhooks; ``reason`` says why (safe to show to an admin)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to ``address``, speak to ``host`` (Host header, TLS name)."""

    scheme: str
    host: str
    port: int
    path: str  # with the query string
    address: str


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address (the only kind a webhook may go to)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_is_public(embedded)
        if address.teredo is not None:
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _parse(url: str) -> SplitResult:
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url.strip()):
        raise TargetRefused("Enter a valid URL (no spaces or control characters).")
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0-65535
    except ValueError as exc:
        raise TargetRefused("Enter a valid URL.") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise TargetRefused("Only http and https URLs can receive webhooks.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Credentials in the URL are not supported.")
    if parts.port == 0:
        raise TargetRefused("Enter a valid port.")
    return parts


def url_check(url: str) -> None:
    """Refuse a URL that may not receive webhooks, as an endpoint is saved.

    Raises :class:`TargetRefused` when the scheme is not http/https, when it carries
    credentials, or (unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS``) when its host does not resolve or
    resolves to any non-public address.
    """
    parts = _parse(url)
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        _resolve(parts.hostname or "", parts.port or SCHEMES[parts.scheme.lower()])


def target_resolve(url: str) -> Target:
    """The checked target of ``url`` for one delivery attempt (resolves the host now).

    Raises :class:`TargetRefused` as :func:`url_check` does, and when the host does not resolve.
    """
    parts = _parse(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or SCHEMES[scheme]
    addresses = _resolve(host, port)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def _resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to; all of them must be public unless private targets
    are allowed (a name with one public and one private address is refused)."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise TargetRefused(f"The host {host!r} does not resolve.") from exc
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).partition("%")[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise TargetRefused(f"The host {host!r} does not resolve.")
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        for address in addresses:
            if not address_is_public(address):
                raise TargetRefused(
                    f"The host {host!r} resolves to {address}, which is not a public address "
                    "(loopback, private, link-local, multicast and reserved addresses are refused)."
                )
    return addresses
