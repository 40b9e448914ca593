"""Where Mercato may call out to addresses users give: public ones, and networks an admin allows.

Trigger URLs, Linked USDL URLs and the like are typed in by operators and
providers, so Mercato would otherwise call whatever they name, its own
loopback and private networks included. Addresses are checked when such a URL
is saved and again when it is called, since a name may resolve elsewhere by
then (DNS rebinding).
"""

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from mercato.errors import Invalid
from mercato.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_NETWORKS_SETTING = "MERCATO_OUTGOING_ALLOWED_NETWORKS"


class RefusedAddress(Exception):
    """A host resolves to an address outside the allow-list, or not at all."""


class UnresolvableHost(RefusedAddress):
    """The name does not resolve (now): at call time, a network error worth retrying."""


def allowed_networks(settings: Settings) -> list[Network]:
    try:
        return [
            ipaddress.ip_network(cidr.strip(), strict=False)
            for cidr in settings.outgoing_allowed_networks.split(",")
            if cidr.strip()
        ]
    except ValueError as error:
        raise ValueError(f"{ALLOWED_NETWORKS_SETTING}: {error}") from None


def is_allowed(address: Address, networks: list[Network]) -> bool:
    """Public addresses are; loopback, private, link-local and the like only when listed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global or any(address in network for network in networks)


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def resolve_allowed(settings: Settings, host: str, port: int) -> Address:
    """The address to call ``host`` at; every address it resolves to must be allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnresolvableHost(f"{host} does not resolve ({error})") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
    networks = allowed_networks(settings)
    refused = [address for address in addresses if not is_allowed(address, networks)]
    if refused:
        raise RefusedAddress(
            f"{host} resolves to {refused[0]}, which is not a public address; an admin can"
            f" allow its network in {ALLOWED_NETWORKS_SETTING}"
        )
    return addresses[0]


def _split(url: str, field: str) -> SplitResult:
    problem = Invalid.field(field, "must be an http:// or https:// address")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise problem from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise problem
    return parts


def check_url(settings: Settings, url: str, field: str) -> str:
    """The URL, stripped, if it calls an allowed address; an empty URL stays empty."""
    url = url.strip()
    if not url:
        return url
    parts = _split(url, field)
    try:
        resolve_allowed(settings, parts.hostname or "", default_port(parts))
    except RefusedAddress as refused:
        raise Invalid.field(field, f"is refused: {refused}") from None
    return url


def url_checker(settings: Settings, field: str) -> Callable[[str], object]:
    """``check_url`` for one setting and field, for code that calls out (and follows redirects)."""
    return lambda url: check_url(settings, url, field)
