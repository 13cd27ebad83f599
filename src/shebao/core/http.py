"""Facts about the HTTP request that every entry point needs the same way."""

import ipaddress

from django.conf import settings
from python_ipware import IpWare


def _meta_key(header: str) -> str:
    """``X-Forwarded-For`` -> ``HTTP_X_FORWARDED_FOR``, the name Django's META uses."""
    key = header.strip().upper().replace("-", "_")
    return key if key.startswith("HTTP_") else f"HTTP_{key}"


def _is_trusted_proxy(address: str) -> bool:
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(network, strict=False)
        for network in settings.SHEBAO_TRUSTED_PROXY_ADDRESSES
    )


def client_address(request) -> str:
    """The address of the client: the peer's own, or, when the peer is the trusted proxy,
    the one that proxy put in its header.

    A forwarding header is believed only when ``SHEBAO_TRUSTED_PROXY_HEADER`` names it and
    the request comes from an address in ``SHEBAO_TRUSTED_PROXY_ADDRESSES``; anyone can
    send such a header, and trusting it otherwise would let a client pick its address.
    With ``SHEBAO_TRUSTED_PROXY_COUNT`` proxies in a row, the nearest one is the peer and
    each of the others appended its own entry, so the client is that many entries from the
    end of the list (python-ipware parses the list and skips them).
    """
    if request is None:  # a login made outside a request (a test client's ``login``)
        return "unknown"
    peer = request.META.get("REMOTE_ADDR", "") or "unknown"
    header = settings.SHEBAO_TRUSTED_PROXY_HEADER
    if not header or not _is_trusted_proxy(peer):
        return peer
    resolver = IpWare(
        precedence=(_meta_key(header),), proxy_count=settings.SHEBAO_TRUSTED_PROXY_COUNT - 1
    )
    client, _trusted_route = resolver.get_client_ip(request.META)
    return str(client) if client is not None else peer
