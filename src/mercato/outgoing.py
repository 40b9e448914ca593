"""Where Mercato may call out to addresses users give: public ones, and networks an admin allows.

Trigger URLs, Linked USDL URLs and the like are typed in by operators and
providers, so Mercato would otherwise call whatever they name, its own
loopback and private networks included. Addresses are checked when such a URL
is saved and again when it is called, since a name may resolve elsewhere by
then (DNS rebinding).

Every such call goes through ``call``: it checks each hop against the allow-list,
connects to exactly the address checked, bounds the time and the size of the
answer, and follows redirects only when asked, checking each one again.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx

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


# --- calling ------------------------------------------------------------------------

# Answers larger than this are refused unless a caller asks for another cap.
MAX_ANSWER_BYTES = 1024 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class TooLarge(Exception):
    """The answer's body is over the caller's cap (the rest was not read)."""


class TooSlow(httpx.TimeoutException):
    """The whole call (every hop, every byte) took longer than its deadline."""


@dataclass(frozen=True)
class Answer:
    """An answer read whole, and the address (as given, not pinned) that gave it."""

    status_code: int
    headers: httpx.Headers
    body: bytes
    url: str


def new_client(connections: int = 10) -> httpx.Client:
    """An HTTP client for ``call``: no redirects of its own, no proxy from the environment
    (a proxy would reach the name, not the address checked), connections kept alive."""
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


def pinned(settings: Settings, url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL with its host replaced by the address checked just now, the Host header and
    the TLS server name to send: connecting there leaves no second lookup that could
    answer differently (DNS rebinding). Raises ``RefusedAddress``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress(f"{url} is not an http:// or https:// address")
    hostname = parts.hostname
    address = resolve_allowed(settings, hostname, default_port(parts))
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    headers = {"Host": parts.netloc.rpartition("@")[2]}
    extensions = {"sni_hostname": hostname} if parts.scheme == "https" else {}
    return parts._replace(netloc=netloc).geturl(), headers, extensions


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", default_port(parts)


def _read(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"the answer is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise TooSlow("the answer took too long")
    return bytes(body)


def call(
    settings: Settings,
    client: httpx.Client,
    method: str,
    url: str,
    *,
    timeout: float,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    auth: httpx.Auth | None = None,
    max_bytes: int = MAX_ANSWER_BYTES,
    max_redirects: int = 0,
) -> Answer:
    """The one way Mercato calls an address that users configure.

    Each hop's host is checked against the allow-list and called at the address
    checked; ``timeout`` bounds each phase (connect, send, each read) and three times
    it the whole call; the body is read up to ``max_bytes``. Up to ``max_redirects``
    redirects are followed, each checked again; a redirect to another origin drops
    the credentials, and a 303 (or a 301/302 after a POST) becomes a body-less GET.
    With none allowed, a 3xx is the answer.

    Raises ``RefusedAddress`` (``UnresolvableHost`` when the name does not resolve),
    ``httpx.HTTPError`` for network errors and timeouts, and ``TooLarge``.
    """
    deadline = time.monotonic() + 3 * timeout
    redirects = 0
    while True:
        target, host_header, extensions = pinned(settings, url)
        request = client.build_request(
            method,
            target,
            headers={**(headers or {}), **host_header},
            content=content,
            extensions=extensions,
            timeout=timeout,
        )
        response = client.send(request, auth=auth, stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location and max_redirects:
                if redirects == max_redirects:
                    raise httpx.TooManyRedirects(f"more than {max_redirects} redirects")
                redirects += 1
                following = urljoin(url, location)
                if _origin(following) != _origin(url):
                    auth = None
                if response.status_code == 303 or (
                    response.status_code in (301, 302) and method == "POST"
                ):
                    method, content = "GET", None
                url = following
                continue
            body = _read(response, max_bytes, deadline)
            return Answer(response.status_code, response.headers, body, url)
        finally:
            response.close()
