from dataclasses import replace

import pytest
from sqlalchemy import select

from mercato.accounts import rules as accounts
from mercato.catalogue import omses
from mercato.catalogue.models import OfferStatus, Oms, OmsType, OrderType, TriggerMethod
from mercato.catalogue.omses import (
    OmsData,
    create_oms,
    oms_data,
    providers_by_slug,
    regenerate_administrator_token,
    update_oms,
    users_by_email,
)
from mercato.errors import Invalid, NotFound

GOOD_PARAMS = {"queue": {"mandatory": True, "default": "short"}, "team": {"mandatory": False}}
HINT = ", which is not a public address; an admin can allow its network in"
HINT += " MERCATO_OUTGOING_ALLOWED_NETWORKS"


@pytest.fixture
def allowing(settings):
    """Triggers may call the documentation network (TEST-NET-1) as if an admin allowed it."""
    return settings.model_copy(update={"outgoing_allowed_networks": "192.0.2.0/24"})


def _rows(session) -> list[tuple[str, OmsType, bool]]:
    session.expire_all()
    return [(o.name, o.type, o.is_default) for o in session.scalars(select(Oms).order_by(Oms.id))]


def test_update_oms_replaces_every_field(session, make, allowing):
    admin, other = make.user(), make.user()
    provider = make.provider()
    oms = make.oms("Desk", administrators=[admin])

    update_oms(
        session,
        allowing,
        oms,
        OmsData(
            name=" Service Desk ",
            type=OmsType.PROVIDER_GROUP,
            is_default=True,
            custom_params=GOOD_PARAMS,
            administrators=[other],
            providers=[provider],
            trigger_url="https://192.0.2.10/hook",
            trigger_method=TriggerMethod.PUT,
            trigger_user="mercato",
            trigger_password="s3cret",
        ),
    )
    session.commit()
    session.expire_all()

    assert (oms.name, oms.type, oms.is_default, oms.custom_params) == (
        "Service Desk",
        OmsType.PROVIDER_GROUP,
        True,
        GOOD_PARAMS,
    )
    assert (oms.administrators, oms.providers, oms.service) == ([other], [provider], None)
    assert (oms.trigger_url, oms.trigger_method, oms.trigger_user, oms.trigger_password) == (
        "https://192.0.2.10/hook",
        TriggerMethod.PUT,
        "mercato",
        "s3cret",
    )


def test_changing_the_type_drops_providers_and_service_of_the_old_type(session, make, settings):
    service = make.service()
    oms = make.oms(type=OmsType.RESOURCE_DEDICATED, service=service)

    update_oms(session, settings, oms, replace(oms_data(oms), type=OmsType.GLOBAL))

    assert (oms.service, oms.service_id, oms.providers) == (None, None, [])


def test_an_oms_keeps_its_own_name_and_default_flag(session, make, settings):
    oms = make.oms("Operations", is_default=True)

    update_oms(session, settings, oms, oms_data(oms))

    assert _rows(session) == [("Operations", OmsType.GLOBAL, True)]


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"name": "  "}, {"name": ["can't be blank"]}),
        ({"name": "Taken"}, {"name": ["is already taken"]}),
        ({"name": "x" * 256}, {"name": ["is too long (255 characters at most)"]}),
        ({"is_default": True}, {"default": ["“Taken” is already the default OMS"]}),
        (
            {"type": OmsType.PROVIDER_GROUP},
            {"providers": ["a provider_group OMS needs at least one provider"]},
        ),
        (
            {"type": OmsType.RESOURCE_DEDICATED},
            {"service": ["a resource_dedicated OMS needs a service"]},
        ),
        ({"custom_params": []}, {"custom_params": ["must be an object"]}),
        (
            {"custom_params": {"queue": {"mandatory": True}}},
            {
                "custom_params": [
                    """'queue' must be {"mandatory": false} """
                    """or {"mandatory": true, "default": "<string>"}"""
                ]
            },
        ),
        (
            {"trigger_url": "ftp://desk.example.org"},
            {"trigger_url": ["must be an http:// or https:// address"]},
        ),
        (
            {"trigger_user": "mercato", "trigger_password": "pw"},
            {"trigger_url": ["is needed for the trigger's credentials"]},
        ),
        (
            {"trigger_url": "https://192.0.2.10", "trigger_password": "pw"},
            {"trigger_user": ["is needed with a password (Basic authorization)"]},
        ),
        (
            {"trigger_url": "https://192.0.2.10", "trigger_user": "a:b"},
            {"trigger_user": ["can't contain a colon (Basic authorization)"]},
        ),
    ],
)
def test_update_oms_names_the_wrong_field_and_changes_nothing(
    session, make, allowing, change, errors
):
    make.oms("Taken", is_default=True)
    oms = make.oms("Desk")

    with pytest.raises(Invalid) as raised:
        update_oms(session, allowing, oms, replace(oms_data(oms), **change))
    session.rollback()

    assert raised.value.errors == errors
    assert _rows(session) == [("Taken", OmsType.GLOBAL, True), ("Desk", OmsType.GLOBAL, False)]


def test_every_wrong_field_is_reported_at_once(session, make, settings):
    with pytest.raises(Invalid) as raised:
        create_oms(
            session,
            settings,
            name="",
            type=OmsType.PROVIDER_GROUP,
            custom_params="no",
            trigger_url="nowhere",
        )

    assert raised.value.errors == {
        "name": ["can't be blank"],
        "providers": ["a provider_group OMS needs at least one provider"],
        "custom_params": ["must be an object"],
        "trigger_url": ["must be an http:// or https:// address"],
    }


# --- the trigger's address ------------------------------------------------------------


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
def test_a_trigger_to_a_non_public_address_is_refused_by_default(
    session, settings, url, host, address
):
    with pytest.raises(Invalid) as raised:
        create_oms(session, settings, name="Desk", type=OmsType.GLOBAL, trigger_url=url)
    session.rollback()

    assert raised.value.errors == {
        "trigger_url": [f"is refused: {host} resolves to {address}{HINT}"]
    }
    assert _rows(session) == []


def test_a_trigger_to_a_name_is_refused_for_what_it_resolves_to(session, settings):
    with pytest.raises(Invalid) as raised:
        create_oms(
            session,
            settings,
            name="Desk",
            type=OmsType.GLOBAL,
            trigger_url="http://localhost:8000/hook",
        )

    [message] = raised.value.errors["trigger_url"]
    assert message.startswith("is refused: localhost resolves to ")
    assert message.endswith(HINT)


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/hook", "https://[2606:2800:220:1::]:8443/x", "  http://1.1.1.1 "]
)
def test_a_trigger_to_a_public_address_is_saved(session, settings, url):
    oms = create_oms(session, settings, name="Desk", type=OmsType.GLOBAL, trigger_url=url)

    assert oms.trigger_url == url.strip()


def test_an_allowed_network_lets_its_addresses_through_and_no_others(session, settings):
    allowing = settings.model_copy(update={"outgoing_allowed_networks": "127.0.0.0/8, 10.0.0.0/24"})
    oms = create_oms(session, allowing, name="Desk", type=OmsType.GLOBAL)

    for url in ("http://127.0.0.2:9000/h", "http://10.0.0.7/h"):
        update_oms(session, allowing, oms, replace(oms_data(oms), trigger_url=url))
        assert oms.trigger_url == url
    with pytest.raises(Invalid) as raised:
        update_oms(session, allowing, oms, replace(oms_data(oms), trigger_url="http://10.0.1.7/h"))
    assert raised.value.errors == {
        "trigger_url": [f"is refused: 10.0.1.7 resolves to 10.0.1.7{HINT}"]
    }


def test_a_trigger_whose_name_does_not_resolve_is_refused(session, settings):
    with pytest.raises(Invalid) as raised:
        create_oms(
            session,
            settings,
            name="Desk",
            type=OmsType.GLOBAL,
            trigger_url="http://no-such-host.invalid/",
        )

    [message] = raised.value.errors["trigger_url"]
    assert message.startswith("is refused: no-such-host.invalid does not resolve")


def test_a_malformed_trigger_url_is_not_looked_up(session, settings):
    with pytest.raises(Invalid) as raised:
        create_oms(
            session,
            settings,
            name="Desk",
            type=OmsType.GLOBAL,
            trigger_url="http://93.184.216.34:99999/",
        )

    assert raised.value.errors == {"trigger_url": ["must be an http:// or https:// address"]}


def test_update_oms_refuses_a_trigger_to_a_private_address_and_changes_nothing(
    session, make, settings
):
    oms = make.oms(trigger_url="http://93.184.216.34/h")

    changed = replace(
        oms_data(oms), trigger_url="http://10.0.0.1/h", trigger_method=TriggerMethod.GET
    )

    with pytest.raises(Invalid) as raised:
        update_oms(session, settings, oms, changed)
    session.rollback()
    session.refresh(oms)

    assert raised.value.errors == {
        "trigger_url": [f"is refused: 10.0.0.1 resolves to 10.0.0.1{HINT}"]
    }
    assert (oms.trigger_url, oms.trigger_method) == ("http://93.184.216.34/h", TriggerMethod.POST)


def test_an_unchanged_trigger_is_not_checked_again_when_other_fields_change(
    session, make, settings
):
    # Saved while an admin allowed its network; every call checks the address anew.
    oms = make.oms("Desk", trigger_url="http://10.0.0.1/h")

    update_oms(session, settings, oms, replace(oms_data(oms), name="Service Desk"))
    session.commit()

    assert (oms.name, oms.trigger_url) == ("Service Desk", "http://10.0.0.1/h")


# --- custom params and the offers that use them ----------------------------------------

QUEUE = {"queue": {"mandatory": False}}


def _offer_with_params(make, oms, name: str, oms_params: dict[str, str], **fields):
    order_type = fields.get("order_type", OrderType.ORDER_REQUIRED)
    service = fields.pop("service", None) or make.service(
        name=f"{name} service", order_type=order_type
    )
    return make.offer(
        service,
        name=name,
        internal=True,
        primary_oms_id=oms.id if oms is not None else None,
        oms_params=oms_params,
        **fields,
    )


@pytest.mark.parametrize(
    ("custom_params", "message"),
    [
        (
            {},
            "don't fit the oms_params of offer small-service/1 “Small”"
            " (must be blank if primary OMS' custom params are blank)",
        ),
        (
            {"team": {"mandatory": False}},
            "don't fit the oms_params of offer small-service/1 “Small”"
            " (additional unspecified keys added)",
        ),
        (
            {**QUEUE, "team": {"mandatory": True, "default": "ops"}},
            "don't fit the oms_params of offers small-service/1 “Small”"
            " (missing mandatory keys), plain-service/1 “Plain” (can't be blank)",
        ),
    ],
    ids=["params-removed", "param-renamed", "param-made-mandatory"],
)
def test_custom_params_that_offers_no_longer_fit_are_refused_naming_the_offers(
    session, make, settings, custom_params, message
):
    oms = make.oms("Desk", custom_params=QUEUE)
    _offer_with_params(make, oms, "Small", {"queue": "short"})
    _offer_with_params(make, oms, "Plain", {})

    with pytest.raises(Invalid) as raised:
        update_oms(session, settings, oms, replace(oms_data(oms), custom_params=custom_params))
    session.rollback()

    assert raised.value.errors == {"custom_params": [message]}
    session.refresh(oms)
    assert oms.custom_params == QUEUE


def test_custom_params_that_every_offer_still_fits_are_saved(session, make, settings):
    oms = make.oms("Desk", custom_params=QUEUE)
    _offer_with_params(make, oms, "Small", {"queue": "short"})
    params = {"queue": {"mandatory": True, "default": "long"}, "team": {"mandatory": False}}

    update_oms(session, settings, oms, replace(oms_data(oms), custom_params=params))
    session.commit()

    session.expire_all()
    assert oms.custom_params == params


def test_deleted_offers_and_offers_of_other_omses_do_not_hold_custom_params_back(
    session, make, settings
):
    oms, other = make.oms("Desk", custom_params=QUEUE), make.oms("Other", custom_params=QUEUE)
    gone = _offer_with_params(make, oms, "Gone", {"queue": "short"})
    _offer_with_params(make, other, "Elsewhere", {"queue": "short"})
    _offer_with_params(make, None, "Outside", {}, order_type=OrderType.OPEN_ACCESS)
    gone.status = OfferStatus.DELETED
    session.commit()

    update_oms(session, settings, oms, replace(oms_data(oms), custom_params={}))

    assert oms.custom_params == {}


def test_offers_without_a_primary_oms_follow_the_default_oms_custom_params(session, make, settings):
    operations = make.oms("Operations", is_default=True, custom_params=QUEUE)
    _offer_with_params(make, None, "Default", {"queue": "short"})

    with pytest.raises(Invalid) as dropped:
        update_oms(session, settings, operations, replace(oms_data(operations), custom_params={}))
    session.rollback()
    with pytest.raises(Invalid) as no_longer_default:
        update_oms(session, settings, operations, replace(oms_data(operations), is_default=False))
    session.rollback()

    problem = (
        "don't fit the oms_params of offer default-service/1 “Default”"
        " (must be blank if primary OMS' custom params are blank)"
    )
    assert dropped.value.errors == no_longer_default.value.errors == {"custom_params": [problem]}


def test_a_new_default_oms_must_fit_the_offers_without_a_primary_oms(session, make, settings):
    _offer_with_params(make, None, "Default", {})
    params = {"queue": {"mandatory": True, "default": "short"}}

    with pytest.raises(Invalid) as raised:
        create_oms(session, settings, name="Ops", type=OmsType.GLOBAL, is_default=True,
                   custom_params=params)  # fmt: skip

    assert raised.value.errors == {
        "custom_params": [
            "don't fit the oms_params of offer default-service/1 “Default” (can't be blank)"
        ]
    }


def test_the_error_names_the_first_offers_and_counts_the_others(
    session, make, settings, monkeypatch
):
    monkeypatch.setattr(omses, "_OFFERS_NAMED", 2)
    oms = make.oms("Desk", custom_params=QUEUE)
    service = make.service(name="VMs")
    for name in ("A", "B", "C", "D"):
        _offer_with_params(make, oms, name, {"queue": "short"}, service=service)

    with pytest.raises(Invalid) as raised:
        update_oms(session, settings, oms, replace(oms_data(oms), custom_params={}))

    blank = "(must be blank if primary OMS' custom params are blank)"
    assert raised.value.errors == {
        "custom_params": [
            f"don't fit the oms_params of offers vms/1 “A” {blank}, vms/2 “B” {blank} and 2 more"
        ]
    }


# --- administrators and providers -------------------------------------------------------


def test_administrators_are_found_by_email_in_the_order_given(session, make):
    first, second = make.user("b@example.org"), make.user("a@example.org")

    found = users_by_email(session, [" B@example.org", "a@example.org", "b@example.org", ""])

    assert found == [first, second]


def test_administrators_need_an_account(session, make):
    make.user("a@example.org")

    with pytest.raises(Invalid) as raised:
        users_by_email(session, ["a@example.org", "x@example.org", "y@example.org"])

    missing = "no account for x@example.org, y@example.org"
    assert raised.value.errors == {"administrators": [missing]}


def test_providers_are_found_by_slug(session, make):
    provider = make.provider(name="Nordic Cloud")

    assert providers_by_slug(session, ["nordic-cloud"]) == [provider]
    with pytest.raises(Invalid) as raised:
        providers_by_slug(session, ["nordic-cloud", "atlantis"])
    assert raised.value.errors == {"providers": ["no provider atlantis"]}


def test_regenerating_an_administrators_token_revokes_the_old_ones(session, make):
    administrator = make.token_user()
    oms = make.oms(administrators=[administrator.user])

    plain = regenerate_administrator_token(session, oms, administrator.user)
    session.commit()

    assert accounts.user_for_token(session, administrator.token) is None
    assert accounts.user_for_token(session, plain) == administrator.user


def test_only_an_administrator_of_the_oms_gets_a_token_from_it(session, make):
    stranger = make.token_user()
    oms = make.oms()

    with pytest.raises(NotFound):
        regenerate_administrator_token(session, oms, stranger.user)

    assert accounts.user_for_token(session, stranger.token) == stranger.user
