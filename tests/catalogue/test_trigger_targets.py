"""The allow-list of trigger addresses, checked when a trigger is saved."""

import pytest

from mercato.catalogue.models import TriggerMethod
from mercato.catalogue.trigger_targets import check_trigger_url, set_trigger
from mercato.errors import Invalid

HINT = ", which is not a public address; an admin can allow its network in"
HINT += " MERCATO_OUTGOING_ALLOWED_NETWORKS"


@pytest.mark.parametrize(
    ("url", "host", "address"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1", "127.0.0.1"),
        ("http://10.1.2.3/hook", "10.1.2.3", "10.1.2.3"),
        ("https://172.16.0.9/hook", "172.16.0.9", "172.16.0.9"),
        ("http://192.168.1.1/hook", "192.168.1.1", "192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254", "169.254.169.254"),
        ("http://100.64.0.1/hook", "100.64.0.1", "100.64.0.1"),
        ("http://0.0.0.0/hook", "0.0.0.0", "0.0.0.0"),
        ("http://[::1]/hook", "::1", "::1"),
        ("http://[fd00::1]/hook", "fd00::1", "fd00::1"),
        ("http://[fe80::1]/hook", "fe80::1", "fe80::1"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1", "::ffff:7f00:1"),
    ],
)
def test_non_public_addresses_are_refused_by_default(settings, url, host, address):
    with pytest.raises(Invalid) as raised:
        check_trigger_url(settings, url)
    assert raised.value.errors == {
        "trigger_url": [f"is refused: {host} resolves to {address}{HINT}"]
    }


def test_names_are_refused_for_what_they_resolve_to(settings):
    with pytest.raises(Invalid) as raised:
        check_trigger_url(settings, "http://localhost:8000/hook")
    [message] = raised.value.errors["trigger_url"]
    assert message.startswith("is refused: localhost resolves to ")
    assert message.endswith(HINT)


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/hook", "https://[2606:2800:220:1::]:8443/x", "  http://1.1.1.1 "]
)
def test_public_addresses_are_allowed(settings, url):
    assert check_trigger_url(settings, url) == url.strip()


def test_an_allowed_network_lets_its_addresses_through_and_no_others(settings):
    allowing = settings.model_copy(update={"outgoing_allowed_networks": "127.0.0.0/8, 10.0.0.0/24"})
    assert check_trigger_url(allowing, "http://127.0.0.2:9000/h") == "http://127.0.0.2:9000/h"
    assert check_trigger_url(allowing, "http://10.0.0.7/h") == "http://10.0.0.7/h"
    with pytest.raises(Invalid):
        check_trigger_url(allowing, "http://10.0.1.7/h")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.216.34/", "must be an http:// or https:// address"),
        ("http:///hook", "must be an http:// or https:// address"),
        ("http://93.184.216.34:99999/", "must be an http:// or https:// address"),
        ("hook", "must be an http:// or https:// address"),
        ("http://no-such-host.invalid/", "is refused: no-such-host.invalid does not resolve"),
    ],
)
def test_malformed_or_unresolvable_urls_are_refused(settings, url, message):
    with pytest.raises(Invalid) as raised:
        check_trigger_url(settings, url)
    assert raised.value.errors["trigger_url"][0].startswith(message)


def test_empty_url_means_no_trigger(settings):
    assert check_trigger_url(settings, "  ") == ""


def test_set_trigger_saves_an_allowed_trigger(make, session, settings):
    oms = make.oms()
    set_trigger(session, settings, oms, " http://93.184.216.34/h ", TriggerMethod.PUT, "u", "p")
    session.commit()
    session.refresh(oms)
    assert (oms.trigger_url, oms.trigger_method, oms.trigger_user, oms.trigger_password) == (
        "http://93.184.216.34/h",
        TriggerMethod.PUT,
        "u",
        "p",
    )


def test_set_trigger_refuses_a_private_address_and_changes_nothing(make, session, settings):
    oms = make.oms(trigger_url="http://93.184.216.34/h")
    with pytest.raises(Invalid) as raised:
        set_trigger(session, settings, oms, "http://10.0.0.1/h", TriggerMethod.GET)
    session.rollback()
    session.refresh(oms)
    assert raised.value.errors == {
        "trigger_url": [f"is refused: 10.0.0.1 resolves to 10.0.0.1{HINT}"]
    }
    assert (oms.trigger_url, oms.trigger_method) == ("http://93.184.216.34/h", TriggerMethod.POST)
