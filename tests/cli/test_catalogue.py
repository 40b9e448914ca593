"""`mercato oms ...`, in-process on the test database (tests/cli/test_server.py runs the script)."""

import pytest
from sqlalchemy import select

from mercato.accounts import rules as accounts
from mercato.catalogue.models import Oms, OmsType, TriggerMethod


def _oms(session, name: str) -> Oms:
    session.expire_all()
    return session.scalars(select(Oms).where(Oms.name == name)).one()


def test_oms_create_sets_every_field_and_prints_the_oms(mercato, session, make):
    make.user("desk@example.org", first_name="Desk", last_name="Admin")
    make.provider(name="Nordic Cloud")

    code, out, err = mercato(
        "oms", "create", "--name", "Nordic Desk", "--type", "provider_group", "--default",
        "--custom-params", '{"queue": {"mandatory": false}}', "--admin", "desk@example.org",
        "--provider", "nordic-cloud", "--trigger-url", "https://192.0.2.10/hook",
        "--trigger-method", "put", "--trigger-user", "mercato", "--trigger-password", "pw",
    )  # fmt: skip

    oms = _oms(session, "Nordic Desk")
    assert (code, err) == (0, "")
    assert out == (
        f"Id:             {oms.id}\n"
        "Name:           Nordic Desk\n"
        "Type:           provider_group\n"
        "Default:        yes\n"
        'Custom params:  {"queue": {"mandatory": false}}\n'
        "Administrators: desk@example.org\n"
        "Providers:      nordic-cloud\n"
        "Service:        none\n"
        "Trigger:        PUT https://192.0.2.10/hook (Basic authorization as mercato)\n"
        "Signed:         no\n"
    )
    assert (oms.trigger_method, oms.trigger_password) == (TriggerMethod.PUT, "pw")


def test_oms_create_refuses_a_trigger_outside_the_allowed_networks(mercato, session):
    code, out, err = mercato(
        "oms", "create", "--name", "Desk", "--type", "global",
        "--trigger-url", "http://127.0.0.1:9000/hook",
    )  # fmt: skip

    assert (code, out, err) == (
        1,
        "",
        "Error: trigger_url is refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public"
        " address; an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS\n",
    )
    assert session.scalars(select(Oms)).all() == []


def test_oms_update_changes_only_the_options_given(mercato, session, make):
    service = make.service(name="Sequencer")
    desk = make.user("desk@example.org")
    make.oms("LIMS", administrators=[desk], trigger_url="https://192.0.2.30/lims")

    code, _, err = mercato(
        "oms", "update", "LIMS", "--name", "Sequencing LIMS", "--type", "resource_dedicated",
        "--service", service.slug, "--trigger-method", "get",
    )  # fmt: skip

    oms = _oms(session, "Sequencing LIMS")
    assert (code, err) == (0, "")
    assert (oms.type, oms.service_id, oms.administrators) == (
        OmsType.RESOURCE_DEDICATED,
        service.id,
        [desk],
    )
    assert (oms.trigger_url, oms.trigger_method) == ("https://192.0.2.30/lims", TriggerMethod.GET)


def test_oms_update_can_clear_the_default_flag_and_the_trigger(mercato, session, make):
    oms = make.oms("Operations", is_default=True, trigger_url="https://192.0.2.31/ops")

    code, _, _ = mercato("oms", "update", str(oms.id), "--no-default", "--trigger-url", "")

    oms = _oms(session, "Operations")
    assert (code, oms.is_default, oms.trigger_url) == (0, False, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", " "], "name can't be blank"),
        (["--custom-params", "{oops"], "custom_params is not valid JSON"),
        (["--admin", "ghost@example.org"], "administrators no account for ghost@example.org"),
        (
            ["--type", "provider_group"],
            "providers a provider_group OMS needs at least one provider",
        ),
        (["--service", "nowhere"], "service no service nowhere"),
        (
            ["--trigger-url", "ftp://x.example.org"],
            "trigger_url must be an http:// or https:// address",
        ),
        (["--default"], "default “Operations” is already the default OMS"),
        (
            ["--trigger-url", "http://10.1.2.3/hook"],
            "trigger_url is refused: 10.1.2.3 resolves to 10.1.2.3, which is not a public"
            " address; an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS",
        ),
    ],
)
def test_oms_update_refuses_wrong_fields_and_changes_nothing(mercato, session, make, args, message):
    make.oms("Operations", is_default=True)
    make.oms("Desk")

    code, out, err = mercato("oms", "update", "Desk", *args)

    assert (code, out, err) == (1, "", f"Error: {message}\n")
    assert _oms(session, "Desk").is_default is False


def test_oms_list_shows_every_oms_default_first(mercato, make):
    desk = make.user("desk@example.org")
    zeta = make.oms("Zeta", administrators=[desk], trigger_url="https://192.0.2.32/zeta")
    operations = make.oms("Operations", is_default=True)

    code, out, _ = mercato("oms", "list")

    rows = [
        [c.strip() for c in line.split("│")[1:-1]]
        for line in out.splitlines()
        if line.startswith("│")
    ]
    assert code == 0
    assert rows == [
        [str(operations.id), "Operations", "global", "yes", "", ""],
        [str(zeta.id), "Zeta", "global", "", "desk@example.org", "POST https://192.0.2.32/zeta"],
    ]


def test_oms_show_of_an_unknown_oms_fails(mercato):
    assert mercato("oms", "show", "Nowhere") == (1, "", "Error: OMS not found\n")


def test_oms_token_prints_a_new_token_for_an_administrator(mercato, session, make):
    desk = make.token_user("desk@example.org")
    make.oms("Desk", administrators=[desk.user])

    code, out, _ = mercato("oms", "token", "Desk", "desk@example.org")

    plain = out.strip()
    session.expire_all()
    assert (code, len(plain)) == (0, 32)
    assert accounts.user_for_token(session, plain) == desk.user
    assert accounts.user_for_token(session, desk.token) is None


def test_oms_token_refuses_someone_who_does_not_administer_it(mercato, session, make):
    stranger = make.token_user("stranger@example.org")
    make.oms("Desk")

    result = mercato("oms", "token", "Desk", "stranger@example.org")

    assert result == (1, "", "Error: Administrator not found\n")
    assert accounts.user_for_token(session, stranger.token) == stranger.user


def test_oms_signing_secret_prints_a_new_secret_once(mercato, session, make):
    make.oms("Desk")

    code, out, err = mercato("oms", "signing-secret", "Desk")

    assert (code, err) == (0, "")
    assert out == f"{_oms(session, 'Desk').signing_secret}\n"
    assert out.startswith("whsec_")
    assert "Signed:         yes\n" in mercato("oms", "show", "Desk")[1]


def test_oms_signing_secret_remove_sends_triggers_unsigned(mercato, session, make):
    make.oms("Desk")
    mercato("oms", "signing-secret", "Desk")

    code, out, err = mercato("oms", "signing-secret", "Desk", "--remove")

    assert (code, out, err) == (0, "Triggers of Desk are no longer signed.\n", "")
    assert _oms(session, "Desk").signing_secret == ""


def test_a_service_the_command_adds_shows_at_once_on_the_page_kept_for_visitors(
    mercato, client, make
):
    make.provider(name="Nordic Grid")
    assert "Fresh service" not in client.get("/providers/nordic-grid").text
    code, _, errors = mercato(
        "service",
        "create",
        "--provider",
        "nordic-grid",
        "--name",
        "Fresh service",
        "--description",
        "New",
        "--order-type",
        "open_access",
    )
    assert (code, errors) == (0, "")
    assert "Fresh service" in client.get("/providers/nordic-grid").text
