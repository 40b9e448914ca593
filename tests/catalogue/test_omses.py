from dataclasses import replace

import pytest
from sqlalchemy import select

from mercato.accounts import rules as accounts
from mercato.catalogue.models import Oms, OmsType, TriggerMethod
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


def _rows(session) -> list[tuple[str, OmsType, bool]]:
    session.expire_all()
    return [(o.name, o.type, o.is_default) for o in session.scalars(select(Oms).order_by(Oms.id))]


def test_update_oms_replaces_every_field(session, make):
    admin, other = make.user(), make.user()
    provider = make.provider()
    oms = make.oms("Desk", administrators=[admin])

    update_oms(
        session,
        oms,
        OmsData(
            name=" Service Desk ",
            type=OmsType.PROVIDER_GROUP,
            is_default=True,
            custom_params=GOOD_PARAMS,
            administrators=[other],
            providers=[provider],
            trigger_url="https://desk.example.org/hook",
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
        "https://desk.example.org/hook",
        TriggerMethod.PUT,
        "mercato",
        "s3cret",
    )


def test_changing_the_type_drops_providers_and_service_of_the_old_type(session, make):
    service = make.service()
    oms = make.oms(type=OmsType.RESOURCE_DEDICATED, service=service)

    update_oms(session, oms, replace(oms_data(oms), type=OmsType.GLOBAL))

    assert (oms.service, oms.service_id, oms.providers) == (None, None, [])


def test_an_oms_keeps_its_own_name_and_default_flag(session, make):
    oms = make.oms("Operations", is_default=True)

    update_oms(session, oms, oms_data(oms))

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
            {"trigger_url": "https://desk.example.org", "trigger_password": "pw"},
            {"trigger_user": ["is needed with a password (Basic authorization)"]},
        ),
        (
            {"trigger_url": "https://desk.example.org", "trigger_user": "a:b"},
            {"trigger_user": ["can't contain a colon (Basic authorization)"]},
        ),
    ],
)
def test_update_oms_names_the_wrong_field_and_changes_nothing(session, make, change, errors):
    make.oms("Taken", is_default=True)
    oms = make.oms("Desk")

    with pytest.raises(Invalid) as raised:
        update_oms(session, oms, replace(oms_data(oms), **change))
    session.rollback()

    assert raised.value.errors == errors
    assert _rows(session) == [("Taken", OmsType.GLOBAL, True), ("Desk", OmsType.GLOBAL, False)]


def test_every_wrong_field_is_reported_at_once(session, make):
    with pytest.raises(Invalid) as raised:
        create_oms(
            session,
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
