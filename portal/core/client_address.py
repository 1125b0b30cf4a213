"""The one place that decides a request's client address.

Sign-in lockouts (django-axes and allauth), the rate limits (django-ratelimit and the
API's throttles), the API call log and the audit log all ask ``client_address``, so
they agree, and a forged header cannot fool one of them while another is right.

Behind reverse proxies the socket's address (``REMOTE_ADDR``) is the nearest proxy's,
and the visitor's is in ``X-Forwarded-For``, which each proxy extends with the address
that connected to it. Anyone can send that header, so it is believed only as far as
the configuration says:

- ``TRUSTED_PROXY_COUNT``: how many proxies stand in front of the portal. 0 (the
  default outside production) means the header is never read.
- ``TRUSTED_PROXIES``: the addresses or networks the proxies connect from. The header
  is read only when the peer is one of them, so a header sent straight to the portal
  is ignored.

The address is found by walking back from the peer: while the current address is a
trusted proxy and fewer than ``TRUSTED_PROXY_COUNT`` proxies have been passed, step to
the entry that proxy added (the header's last unread entry). The first address that
is not a trusted proxy, or the one reached after the last expected proxy, is the
client's. Entries further left were written by the visitor and are never used.

django-ipware's own resolver picks an entry by its position in the header and never
looks at who sent it, so it cannot refuse a forged header; only its address parser
(python-ipware's, which knows ports, brackets and IPv4-mapped IPv6) is used here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from python_ipware.modern.parsers import IpAddressType, parse_ip

if TYPE_CHECKING:
    # Only for type hints: the settings modules import this module to check their values.
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# What django-ratelimit counts a request under when no address can be found at all
# (a missing or non-IP socket address): one shared budget, never a 500.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a rate-limit key, never bound to  # nosec B104


def trusted_proxy_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Parse ``TRUSTED_PROXIES``; a wrong entry stops the portal from starting."""
    networks = []
    for entry in entries:
        text = str(entry).strip()
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES has {text!r}, which is not an IP address or network "
                "(for example 10.0.0.0/8 or 192.0.2.10)."
            ) from None
        if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
            # An IPv4-mapped entry must match the IPv4 peer it is unwrapped to.
            mapped = network.network_address.ipv4_mapped
            if mapped is not None:
                network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
        networks.append(network)
    return tuple(networks)


def proxy_settings_check(count: int, entries: Iterable[str]) -> tuple[Network, ...]:
    """Refuse a proxy count with no proxy addresses: the header would be believed from
    nobody, which is never what was meant."""
    if count < 0:
        raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")
    networks = trusted_proxy_networks(entries)
    if count and not networks:
        raise ImproperlyConfigured(
            "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXIES is empty: list the addresses "
            "the reverse proxy connects to the portal from."
        )
    return networks


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return trusted_proxy_networks(entries)


def _is_trusted_proxy(address: IpAddressType) -> bool:
    return any(
        address.version == network.version and address in network
        for network in _networks(tuple(settings.TRUSTED_PROXIES))
    )


def client_address(request: HttpRequest | None) -> str | None:
    """The address of whoever sent ``request``, or None if there is none to be had."""
    if request is None:
        return None
    meta = request.META
    address = parse_ip(meta.get("REMOTE_ADDR"))
    if address is None:
        return None
    proxies_left = settings.TRUSTED_PROXY_COUNT
    # gunicorn joins repeated headers with commas, so this is every entry, in order.
    forwarded = (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if proxies_left else []
    while proxies_left and forwarded and _is_trusted_proxy(address):
        previous = parse_ip(forwarded.pop())
        if previous is None:
            # A trusted proxy always writes an address; anything else means the chain
            # cannot be read, so the request counts as the proxy's own.
            break
        address = previous
        proxies_left -= 1
    return str(address)


def rate_limit_address(request: HttpRequest) -> str:
    """``client_address`` for django-ratelimit, which needs some address to count under."""
    return client_address(request) or UNKNOWN_ADDRESS
