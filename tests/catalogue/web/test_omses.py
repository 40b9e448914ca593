import re

import pytest
from sqlalchemy import select

from mercato.accounts import rules as accounts
from mercato.catalogue import omses as registry
from mercato.catalogue.models import Oms, OmsType, TriggerMethod
from tests.web.pages import field_error, input_value, log_in, submit

FULL_FORM = {
    "name": "Nordic Desk",
    "type": "provider_group",
    "custom_params": '{"queue": {"mandatory": true, "default": "short"}}',
    "trigger_url": "https://192.0.2.10/hook",
    "trigger_method": "put",
    "trigger_user": "mercato",
    "trigger_password": "s3cret",
}


def _oms_rows(session) -> list[tuple]:
    session.expire_all()
    return [
        (
            oms.name,
            oms.type,
            oms.is_default,
            oms.custom_params,
            [u.email for u in oms.administrators],
            [p.slug for p in oms.providers],
            oms.service_id,
            oms.trigger_url,
            oms.trigger_method,
            oms.trigger_user,
            oms.trigger_password,
        )
        for oms in session.scalars(select(Oms).order_by(Oms.id))
    ]


def _shown_token(page: str) -> str:
    match = re.search(r'<input class="token-value" type="text" value="([^"]+)"', page)
    assert match, "no new token on the page"
    return match[1]


@pytest.fixture
def admin(client, make, settings):
    # Triggers may call the documentation network (TEST-NET-1) as if an admin allowed it.
    settings.outgoing_allowed_networks = "192.0.2.0/24"
    user = make.user("root@example.org", is_admin=True)
    log_in(client, user)
    return user


def test_admin_registers_an_oms_with_every_field(client, session, make, admin):
    make.user("desk@example.org")
    make.provider(name="Nordic Cloud")

    response = submit(
        client,
        "/omses/new",
        "/omses/new",
        {
            **FULL_FORM,
            "default": "on",
            "administrators": "Desk@example.org",
            "providers": "nordic-cloud",
        },
    )

    [oms] = session.scalars(select(Oms)).all()
    assert (response.status_code, response.headers["location"]) == (303, f"/omses/{oms.id}")
    assert _oms_rows(session) == [
        (
            "Nordic Desk",
            OmsType.PROVIDER_GROUP,
            True,
            {"queue": {"mandatory": True, "default": "short"}},
            ["desk@example.org"],
            ["nordic-cloud"],
            None,
            "https://192.0.2.10/hook",
            TriggerMethod.PUT,
            "mercato",
            "s3cret",
        )
    ]
    page = client.get(f"/omses/{oms.id}").text
    assert "OMS “Nordic Desk” has been registered." in page
    assert "<code>PUT</code> https://192.0.2.10/hook (Basic authorization as mercato)" in page
    assert f'href="/omses/{oms.id}/deliveries">Delivery log</a>' in page


def test_refused_form_names_each_wrong_field_and_keeps_what_was_typed(client, session, admin):
    response = submit(
        client,
        "/omses/new",
        "/omses/new",
        {
            **FULL_FORM,
            "custom_params": "{not json",
            "administrators": "ghost@example.org",
            "trigger_url": "ftp://desk.example.org",
        },
    )

    assert response.status_code == 400
    page = response.text
    assert "please fix these 4 problems" in page
    assert field_error(page, "custom_params") == "is not valid JSON"
    assert field_error(page, "administrators") == "no account for ghost@example.org"
    assert field_error(page, "providers") == "a provider_group OMS needs at least one provider"
    assert field_error(page, "trigger_url") == "must be an http:// or https:// address"
    assert input_value(page, "name") == "Nordic Desk"
    assert input_value(page, "trigger_password") == ""
    assert _oms_rows(session) == []


def test_admin_edits_an_oms_and_an_empty_password_keeps_the_stored_one(
    client, session, make, admin
):
    service = make.service(name="Sequencer")
    oms = make.oms(
        "LIMS", trigger_url="https://192.0.2.30/lims", trigger_user="u", trigger_password="pw"
    )
    edit = f"/omses/{oms.id}/edit"
    assert input_value(client.get(edit).text, "trigger_user") == "u"

    response = submit(
        client,
        edit,
        edit,
        {
            "name": "Sequencing LIMS",
            "type": "resource_dedicated",
            "custom_params": "{}",
            "administrators": "root@example.org",
            "service": service.slug,
            "trigger_url": "https://192.0.2.20/v2",
            "trigger_method": "get",
            "trigger_user": "u",
            "trigger_password": "",
        },
    )

    assert (response.status_code, response.headers["location"]) == (303, f"/omses/{oms.id}")
    assert _oms_rows(session) == [
        (
            "Sequencing LIMS",
            OmsType.RESOURCE_DEDICATED,
            False,
            {},
            ["root@example.org"],
            [],
            service.id,
            "https://192.0.2.20/v2",
            TriggerMethod.GET,
            "u",
            "pw",
        )
    ]


def test_a_trigger_to_a_network_not_allowed_is_refused(client, session, admin):
    form = {**FULL_FORM, "type": "global", "trigger_url": "http://127.0.0.1:9000/hook"}

    response = submit(client, "/omses/new", "/omses/new", form)

    assert response.status_code == 400
    assert field_error(response.text, "trigger_url") == (
        "is refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address;"
        " an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS"
    )
    assert _oms_rows(session) == []


def test_an_edit_to_a_trigger_on_a_network_not_allowed_is_refused(client, session, make, admin):
    oms = make.oms("LIMS", trigger_url="https://192.0.2.30/lims")
    edit = f"/omses/{oms.id}/edit"
    form = {"name": "LIMS", "type": "global", "trigger_url": "http://10.1.2.3/hook"}

    response = submit(client, edit, edit, form)

    assert response.status_code == 400
    assert field_error(response.text, "trigger_url") == (
        "is refused: 10.1.2.3 resolves to 10.1.2.3, which is not a public address;"
        " an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS"
    )
    assert [row[7] for row in _oms_rows(session)] == ["https://192.0.2.30/lims"]


def test_custom_params_that_an_offer_no_longer_fits_are_refused_on_their_field(
    client, session, make, admin
):
    oms = make.oms("LIMS", custom_params={"queue": {"mandatory": False}})
    make.offer(
        make.service(name="Sequencer"),
        name="Runs",
        internal=True,
        primary_oms_id=oms.id,
        oms_params={"queue": "short"},
    )
    edit = f"/omses/{oms.id}/edit"

    response = submit(client, edit, edit, {"name": "LIMS", "type": "global", "custom_params": "{}"})

    assert response.status_code == 400
    assert field_error(response.text, "custom_params") == (
        "don't fit the oms_params of offer sequencer/1 “Runs”"
        " (must be blank if primary OMS' custom params are blank)"
    )
    assert [row[3] for row in _oms_rows(session)] == [{"queue": {"mandatory": False}}]


def test_a_second_default_oms_is_refused(client, session, make, admin):
    make.oms("Operations", is_default=True)

    response = submit(
        client, "/omses/new", "/omses/new", {"name": "Other", "type": "global", "default": "on"}
    )

    assert response.status_code == 400
    assert field_error(response.text, "default") == "“Operations” is already the default OMS"
    assert [row[0] for row in _oms_rows(session)] == ["Operations"]


def test_registry_lists_omses_default_first(client, make, admin):
    desk = make.user("desk@example.org")
    make.oms("Zeta", trigger_url="https://192.0.2.32/zeta", administrators=[desk])
    make.oms("Operations", is_default=True)

    page = client.get("/omses").text

    names = re.findall(r'<td><a href="/omses/\d+">([^<]+)</a>', page)
    assert names == ["Operations", "Zeta"]
    assert "<td>desk@example.org</td>" in page
    assert "<td><code>POST</code> https://192.0.2.32/zeta</td>" in page


def test_admin_regenerates_an_administrators_token_shown_once(client, session, make, admin):
    desk = make.token_user("desk@example.org")
    oms = make.oms("Desk", administrators=[desk.user])

    response = submit(
        client, f"/omses/{oms.id}", f"/omses/{oms.id}/administrators/{desk.user.id}/token"
    )

    assert response.status_code == 200
    plain = _shown_token(response.text)
    assert "New token for desk@example.org" in response.text
    session.expire_all()
    assert accounts.user_for_token(session, plain) == desk.user
    assert accounts.user_for_token(session, desk.token) is None
    assert plain not in client.get(f"/omses/{oms.id}").text


def test_no_token_is_made_for_someone_who_does_not_administer_the_oms(client, session, make, admin):
    stranger = make.token_user()
    oms = make.oms("Desk")

    response = submit(
        client, f"/omses/{oms.id}", f"/omses/{oms.id}/administrators/{stranger.user.id}/token"
    )

    assert response.status_code == 404
    assert accounts.user_for_token(session, stranger.token) == stranger.user


@pytest.mark.parametrize("path", ["/omses", "/omses/new", "/omses/{id}", "/omses/{id}/edit"])
def test_only_site_admins_see_the_registry(client, make, path):
    operator = make.user()
    oms = make.oms("Operations", is_default=True, administrators=[operator])
    log_in(client, operator)

    response = client.get(path.format(id=oms.id))

    assert response.status_code == 403


@pytest.mark.parametrize(
    "action", ["/omses/new", "/omses/{id}/edit", "/omses/{id}/administrators/{user}/token"]
)
def test_non_admins_change_nothing_in_the_registry(client, session, make, action):
    customer = make.token_user()
    oms = make.oms("Desk", administrators=[customer.user])
    log_in(client, customer.user)

    response = submit(
        client,
        "/account",
        action.format(id=oms.id, user=customer.user.id),
        {"name": "Hijacked", "type": "global"},
    )

    assert response.status_code == 403
    assert [row[0] for row in _oms_rows(session)] == ["Desk"]
    assert accounts.user_for_token(session, customer.token) == customer.user


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/omses", follow_redirects=False)

    assert (response.status_code, response.headers["location"]) == (303, "/login?next=%2Fomses")


def test_an_unknown_oms_is_not_found(client, admin):
    assert client.get("/omses/999").status_code == 404


def test_admin_generates_a_signing_secret_shown_once(client, session, make, admin):
    oms = make.oms("Desk")

    response = submit(client, f"/omses/{oms.id}", f"/omses/{oms.id}/signing-secret")

    assert response.status_code == 200
    secret = _shown_token(response.text)
    assert "New signing secret of Desk" in response.text
    session.expire_all()
    assert session.get_one(Oms, oms.id).signing_secret == secret
    assert secret.startswith("whsec_")
    page = client.get(f"/omses/{oms.id}").text
    assert secret not in page
    assert "Trigger calls are signed." in page
    assert "Rotate signing secret" in page


def test_admin_rotates_a_signing_secret(client, session, make, admin):
    oms = make.oms("Desk")
    old = registry.rotate_signing_secret(session, oms)
    session.commit()

    response = submit(client, f"/omses/{oms.id}", f"/omses/{oms.id}/signing-secret")

    new = _shown_token(response.text)
    session.expire_all()
    assert session.get_one(Oms, oms.id).signing_secret == new != old


def test_admin_removes_a_signing_secret(client, session, make, admin):
    oms = make.oms("Desk")
    registry.rotate_signing_secret(session, oms)
    session.commit()

    response = submit(client, f"/omses/{oms.id}", f"/omses/{oms.id}/signing-secret/delete")

    assert (response.status_code, response.headers["location"]) == (303, f"/omses/{oms.id}")
    session.expire_all()
    assert session.get_one(Oms, oms.id).signing_secret == ""
    assert "Trigger calls are not signed." in client.get(f"/omses/{oms.id}").text


@pytest.mark.parametrize("action", ["signing-secret", "signing-secret/delete"])
def test_only_site_admins_change_a_signing_secret(client, session, make, action):
    operator = make.user()
    oms = make.oms("Operations", is_default=True, administrators=[operator])
    registry.rotate_signing_secret(session, oms)
    session.commit()
    secret = oms.signing_secret
    log_in(client, operator)

    response = submit(client, "/account", f"/omses/{oms.id}/{action}")

    assert response.status_code == 403
    session.expire_all()
    assert session.get_one(Oms, oms.id).signing_secret == secret


def test_regenerating_an_administrators_token_asks_first(client, session, make, admin):
    desk = make.token_user("desk@example.org")
    oms = make.oms("Desk", administrators=[desk.user])
    action = f"/omses/{oms.id}/administrators/{desk.user.id}/token"

    listed = client.get(f"/omses/{oms.id}").text
    page = client.get(action)

    assert f'<a class="button small secondary" href="{action}"' in listed
    assert f'<form method="post" action="{action}"' not in listed
    assert page.status_code == 200
    assert "<h1>Regenerate the API token of desk@example.org?</h1>" in page.text
    assert "All the tokens of desk@example.org stop working at once" in page.text
    assert f'<form method="post" action="{action}" class="confirm-actions">' in page.text
    assert f'<a class="button ghost" href="/omses/{oms.id}">Keep the tokens</a>' in page.text
    session.expire_all()
    assert accounts.user_for_token(session, desk.token) == desk.user


def test_no_confirmation_for_someone_who_does_not_administer_the_oms(client, make, admin):
    stranger = make.user()
    oms = make.oms("Desk")

    page = client.get(f"/omses/{oms.id}/administrators/{stranger.id}/token")

    assert page.status_code == 404
