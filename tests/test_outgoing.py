"""The one allow-listed way out (``mercato.outgoing.call``), over real loopback HTTP."""

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from mercato import outgoing
from mercato.errors import Invalid
from mercato.outgoing import RefusedAddress, TooLarge
from mercato.settings import Settings
from mercato.store.marketplaces import client as marketplace_client
from mercato.store.marketplaces.client import MarketplaceAddress
from tests.store.loopback import LOOPBACK, Server, serving


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with outgoing.new_client() as client:
        yield client


def _settings(tmp_path: Path, allowed: str = LOOPBACK) -> Settings:
    return Settings(data_dir=tmp_path, outgoing_allowed_networks=allowed)


def _get(settings: Settings, http: httpx.Client, url: str, **options) -> outgoing.Answer:
    return outgoing.call(settings, http, "GET", url, timeout=5, **options)


def test_a_loopback_address_is_refused_unless_allowed_and_nothing_is_sent(tmp_path, server, http):
    server.answers["/x"] = (200, "text/plain", b"hello")

    with pytest.raises(RefusedAddress, match="not a public address"):
        _get(_settings(tmp_path, allowed=""), http, f"{server.url}/x")
    answer = _get(_settings(tmp_path), http, f"{server.url}/x")

    assert (answer.status_code, answer.body, server.requested) == (200, b"hello", ["/x"])


def test_the_call_connects_to_the_address_checked_without_a_second_lookup(
    tmp_path, server, http, monkeypatch
):
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def resolver(host, port, *args, **kwargs):
        if host == "market.test":
            looked_up.append(host)
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    server.answers["/x"] = (200, "text/plain", b"pinned")
    port = server.url.rsplit(":", 1)[1]

    answer = _get(_settings(tmp_path), http, f"http://market.test:{port}/x")

    assert (answer.status_code, answer.body, answer.url) == (
        200,
        b"pinned",
        f"http://market.test:{port}/x",
    )
    assert looked_up == ["market.test"]


def test_without_redirects_allowed_a_redirect_is_the_answer(tmp_path, server, http):
    server.answers["/old"] = (302, {"Location": "/new"}, b"")

    answer = _get(_settings(tmp_path), http, f"{server.url}/old")

    assert (answer.status_code, server.requested) == (302, ["/old"])


def test_redirects_are_followed_when_asked_each_hop_checked_again(tmp_path, server, http):
    server.answers["/old"] = (302, {"Location": "/new"}, b"")
    server.answers["/new"] = (200, "text/plain", b"moved")
    server.answers["/away"] = (302, {"Location": "http://10.20.30.40/inside"}, b"")

    followed = _get(_settings(tmp_path), http, f"{server.url}/old", max_redirects=3)
    with pytest.raises(RefusedAddress, match=r"10\.20\.30\.40"):
        _get(_settings(tmp_path), http, f"{server.url}/away", max_redirects=3)

    assert (followed.status_code, followed.body, followed.url) == (
        200,
        b"moved",
        f"{server.url}/new",
    )
    assert server.requested == ["/old", "/new", "/away"]


def test_too_many_redirects_fail(tmp_path, server, http):
    server.answers["/loop"] = (302, {"Location": "/loop"}, b"")

    with pytest.raises(httpx.TooManyRedirects):
        _get(_settings(tmp_path), http, f"{server.url}/loop", max_redirects=2)

    assert server.requested == ["/loop"] * 3


def test_an_answer_over_the_cap_is_refused(tmp_path, server, http):
    server.answers["/big"] = (200, "text/plain", b"x" * 5000)

    with pytest.raises(TooLarge, match="larger than 4096 bytes"):
        _get(_settings(tmp_path), http, f"{server.url}/big", max_bytes=4096)


def test_a_marketplace_on_a_network_not_allowed_is_refused_naming_the_host(tmp_path, server):
    address = MarketplaceAddress(f"{server.url}/", "u", "p")

    with pytest.raises(Invalid) as raised:
        marketplace_client.register_store(
            _settings(tmp_path, allowed=""), address, "Mercato", "http://x"
        )

    assert list(raised.value.errors) == ["host"]
    assert server.received == []


# --- over TLS: the checked address is called, the name is sent and verified ----------


@dataclass
class TlsServer:
    port: int
    certificate: Path
    server_names: list[str | None] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


@pytest.fixture
def tls_server(tmp_path) -> Iterator[TlsServer]:
    """An https server on 127.0.0.1 whose self-signed certificate names usdl.test only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    key, certificate = tmp_path / "key.pem", tmp_path / "certificate.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(certificate), "-days", "1",
         "-subj", "/CN=usdl.test", "-addext", "subjectAltName=DNS:usdl.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, key)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hosts.append(self.headers["Host"])
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = TlsServer(httpd.server_address[1], certificate)
    context.sni_callback = lambda connection, name, context: state.server_names.append(name)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def names_on_loopback(monkeypatch) -> None:
    """usdl.test and elsewhere.test resolve to 127.0.0.1."""
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host in ("usdl.test", "elsewhere.test"):
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)


def _trusting(server: TlsServer) -> httpx.Client:
    trusted = ssl.create_default_context(cafile=str(server.certificate))
    return httpx.Client(verify=trusted, trust_env=False, follow_redirects=False)


def test_over_tls_the_name_is_sent_and_verified_while_the_checked_address_is_called(
    tmp_path, tls_server, names_on_loopback
):
    with _trusting(tls_server) as client:
        answer = _get(_settings(tmp_path), client, f"https://usdl.test:{tls_server.port}/x")

    assert (answer.status_code, answer.body) == (200, b"ok")
    assert (tls_server.server_names, tls_server.hosts) == (
        ["usdl.test"],
        [f"usdl.test:{tls_server.port}"],
    )


def test_over_tls_a_certificate_for_another_name_is_refused(
    tmp_path, tls_server, names_on_loopback
):
    with _trusting(tls_server) as client, pytest.raises(httpx.ConnectError) as raised:
        _get(_settings(tmp_path), client, f"https://elsewhere.test:{tls_server.port}/x")

    assert "certificate verify failed" in str(raised.value)
    assert (tls_server.server_names, tls_server.hosts) == (["elsewhere.test"], [])
