"""Which addresses the doctor may connect to, as a browser's Private Network Access rules decide it.

A page (or a stack's site URL) names the URLs the doctor fetches, so a hostile page could point it at
the machine it runs on. Chromium's Private Network Access ("https://wicg.github.io/private-network-access/")
ranks address spaces public < private < local and blocks a request to a more private space than the
page's own; the doctor does the same. The first URL's own space is the user's choice (a page on
127.0.0.1 for a test or a dev server is fine), except link-local addresses and AWS's instance metadata
service, which are never fetched: they are where cloud instances keep their credentials
("Access instance metadata", Amazon EC2 User Guide: ``169.254.169.254`` and ``fd00:ec2::254``; ECS task
metadata at ``169.254.170.2``, Amazon ECS Developer Guide), and no website is served from them.
"""

from __future__ import annotations

import ipaddress

PUBLIC, PRIVATE, LOCAL = "public", "private", "local"
RANK = {PUBLIC: 0, PRIVATE: 1, LOCAL: 2}
#: Never connected to: link-local (RFC 3927, RFC 4291) and AWS's IPv6 instance metadata endpoint.
FORBIDDEN = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"),
             ipaddress.ip_network("fd00:ec2::254/128"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse(text: str) -> Address:
    address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id says nothing about the space
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forbidden(address: Address) -> bool:
    return any(address in network for network in FORBIDDEN if network.version == address.version)


def space(address: Address) -> str:
    """``local`` (loopback, and the unspecified address, which reaches this machine), ``private`` (RFC 1918,
    unique local, shared address space), or ``public``."""
    if address.is_loopback or address.is_unspecified:
        return LOCAL
    if address.is_private or address in ipaddress.ip_network("100.64.0.0/10") or not address.is_global:
        return PRIVATE
    return PUBLIC


def refusal(address: Address, initiator: str | None) -> str:
    """Why ``address`` may not be fetched for a page in space ``initiator`` (None: the first URL), or ""."""
    if forbidden(address):
        return f"{address} is a link-local or instance-metadata address, which the doctor never fetches"
    target = space(address)
    if initiator is not None and RANK[target] > RANK[initiator]:
        return (f"{address} is a {target} address and the page is on a {initiator} one: a browser blocks that "
                "request (Private Network Access), and so does the doctor")
    return ""
