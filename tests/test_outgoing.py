"""The one allow-listed way out (``mercato.outgoing.call``), over real loopback HTTP."""

import socket
from collections.abc import Iterator
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
