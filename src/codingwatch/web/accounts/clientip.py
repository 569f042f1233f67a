"""The client address behind trusted proxies (CODINGWATCH_TRUSTED_PROXIES), for the lockout log.

django-ipware trusts the proxy entries written inside X-Forwarded-For, which a client talking
to the app directly can forge; here the header is believed only when the peer that actually
connected (REMOTE_ADDR) is a trusted proxy, and only up to the first untrusted hop. That rule
is a few lines with the standard `ipaddress` module, so it lives here rather than in a library.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def trusted_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """'10.0.0.0/8, 192.0.2.7' -> networks; a bad entry raises ValueError naming it."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"CODINGWATCH_TRUSTED_PROXIES: {item!r} is not an IP address or network") from None
    return networks


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """REMOTE_ADDR, unless it is a trusted proxy: then the right-most X-Forwarded-For entry that
    is not itself a trusted proxy (a forged entry to its left is never reached)."""
    networks = settings.TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR")
    peer = _address(remote or "")
    if peer is None or not any(peer in net for net in networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # a garbled header: stop at the last address we could trust
            break
        if not any(address in net for net in networks):
            return str(address)
        remote = str(address)
    return remote
