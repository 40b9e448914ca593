"""Users, providers, services, OMSes and offers loaded from a data set, and dumped again."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import authenticate, issue_token, require_user
from mercato.catalogue.models import Offer, Oms, Service
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.dumping import dump_dataset
from mercato.datasets.loading import load_dataset, read_dataset
from mercato.datasets.schema import DataSet
from mercato.store.models import ProviderStoreSettings

TOKEN = "kept-token-from-the-old-marketplace"
SELECT_CPUS = {
    "id": "cpus",
    "type": "select",
    "label": "CPUs",
    "config": {"values": [1, 2], "mode": "dropdown"},
    "value_type": "integer",
}


def records() -> dict[str, list[dict[str, Any]]]:
    return {
        "users": [
            {
                "ref": "ann",
                "email": "Ann@Example.org",
                "first_name": "Ann",
                "last_name": "Lee",
                "password": "ann-password",
                "tokens": [{"token": TOKEN, "label": "jira adapter"}],
            },
            {"ref": "bob", "uid": "bob@egi.eu", "email": "bob@example.org", "is_admin": True},
        ],
        "providers": [
            {
                "ref": "cloud",
                "name": "Cloud Org",
                "slug": "cloud-org-eu",
                "notification_url": "https://cloud.example/acquired",
                "administrators": [
                    {"email": "ann@example.org"},
                    {"email": "x@example.org", "first_name": "Xi"},
                ],
            }
        ],
        "services": [
            {
                "ref": "vm",
                "id": 4,
                "provider": "cloud",
                "name": "Virtual machines",
                "pid": "cloud.vm",
                "order_type": "order_required",
                "categories": ["Compute"],
            }
        ],
        "omses": [
            {
                "ref": "ops",
                "name": "Ops",
                "type": "global",
                "is_default": True,
                "administrators": ["ann"],
            },
            {
                "ref": "desk",
                "id": 7,
                "name": "Desk",
                "type": "provider_group",
                "providers": ["cloud"],
                "custom_params": {"queue": {"mandatory": True, "default": "vm"}},
            },
        ],
        "offers": [
            {
                "ref": "small",
                "service": "vm",
                "name": "Small",
                "description": "2 CPUs",
                "order_type": "order_required",
                "internal": True,
                "primary_oms": "desk",
                "oms_params": {"queue": "small-vms"},
                "parameters": [SELECT_CPUS],
            },
            {
                "ref": "big",
                "service": "vm",
                "iid": 5,
                "name": "Big",
                "description": "8",
                "order_type": "open_access",
            },
            {
                "ref": "next",
                "service": "vm",
                "name": "Next",
                "description": "n",
                "order_type": "other",
            },
        ],
    }


def dataset(changed: dict[str, list[dict[str, Any]]] | None = None) -> DataSet:
    return DataSet.model_validate(
        {"format": "mercato-dataset", "version": 1, **(changed or records())}
    )


def test_users_keep_their_uid_email_names_and_role_and_others_get_a_new_uid(
    loading: Loading, session: Session
) -> None:
    load_dataset(loading, dataset())

    ann, bob = session.scalars(select(User).order_by(User.id))
    assert (ann.email, ann.first_name, ann.last_name, ann.is_admin) == (
        "ann@example.org",
        "Ann",
        "Lee",
        False,
    )
    assert len(ann.uid) == 32
    assert (bob.uid, bob.email, bob.is_admin, bob.password_hash) == (
        "bob@egi.eu",
        "bob@example.org",
        True,
        None,
    )
    assert authenticate(session, "ann@example.org", "ann-password") is ann


def test_a_kept_token_authenticates_on_the_ordering_api(
    loading: Loading, session: Session, client: TestClient
) -> None:
    load_dataset(loading, dataset())
    session.commit()

    response = client.get("/api/v1/oms", headers={"X-User-Token": TOKEN})

    assert response.status_code == 200
    assert [oms["name"] for oms in response.json()["omses"]] == ["Ops"]


def test_providers_and_services_keep_their_slugs_pid_and_administrators(
    loading: Loading, session: Session
) -> None:
    load_dataset(loading, dataset())

    provider = session.scalars(select(Provider)).one()
    service = session.scalars(select(Service)).one()
    assert provider.slug == "cloud-org-eu"
    assert [(a.email, a.first_name) for a in provider.data_administrators] == [
        ("ann@example.org", "Ann"),
        ("x@example.org", "Xi"),
    ]
    assert (service.slug, service.pid, service.provider) == (
        "virtual-machines",
        "cloud.vm",
        provider,
    )
    assert [category.name for category in service.categories] == ["Compute"]


def test_offers_keep_given_iids_and_the_others_follow_the_highest(
    loading: Loading, session: Session
) -> None:
    load_dataset(loading, dataset())

    offers = session.scalars(select(Offer).order_by(Offer.id)).all()
    assert [(offer.name, offer.iid) for offer in offers] == [("Small", 1), ("Big", 5), ("Next", 6)]
    assert loading.rows["offers"] == {
        "small": offers[0].id,
        "big": offers[1].id,
        "next": offers[2].id,
    }
    assert offers[0].primary_oms.name == "Desk"
    assert offers[0].oms_params == {"queue": "small-vms"}
    assert offers[0].parameters[0]["config"] == {"values": [1, 2], "mode": "dropdown"}


def _change(kind: str, index: int, **fields: Any) -> dict[str, list[dict[str, Any]]]:
    changed = records()
    changed[kind][index] = {**changed[kind][index], **fields}
    return changed


def _add(kind: str, record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    changed = records()
    changed[kind].append(record)
    return changed


BROKEN = {
    "unknown reference": (
        _change("services", 0, provider="nobody"),
        "services[0] (ref 'vm'), field 'provider': "
        "names no providers record 'nobody' of this data set",
    ),
    "duplicate ref": (
        _change("users", 1, ref="ann"),
        "users[1] (ref 'ann'), field 'ref': is already the ref of users[0]",
    ),
    "duplicate slug": (
        _add(
            "services",
            {
                "ref": "vm2",
                "provider": "cloud",
                "name": "VMs",
                "slug": "virtual-machines",
                "order_type": "other",
            },
        ),
        "services[1] (ref 'vm2'), field 'slug': is already taken",
    ),
    "badly formed slug": (
        _change("providers", 0, slug="Cloud Org"),
        "providers[0] (ref 'cloud'), field 'slug': must be lowercase letters, digits and hyphens",
    ),
    "duplicate iid": (
        _change("offers", 2, iid=5),
        "offers[2] (ref 'next'), field 'iid': is taken by another offer of this service",
    ),
    "parameter breaking its rules": (
        _change(
            "offers",
            0,
            parameters=[{**SELECT_CPUS, "config": {"values": [1, 1], "mode": "dropdown"}}],
        ),
        "offers[0] (ref 'small'), field 'parameters[0].config': values must be unique",
    ),
    "service id taken": (
        _add(
            "services",
            {"ref": "vm2", "id": 4, "provider": "cloud", "name": "B", "order_type": "other"},
        ),
        "services[1] (ref 'vm2'), field 'id': is already taken",
    ),
    "token already in use": (
        _change("users", 1, tokens=[{"token": TOKEN}]),
        "users[1] (ref 'bob'), field 'tokens[0].token': is already in use",
    ),
    "e-mail taken": (
        _change("users", 1, email="ANN@example.org"),
        "users[1] (ref 'bob'), field 'email': is already taken",
    ),
    "administrator listed twice": (
        _change(
            "providers", 0, administrators=[{"email": "a@example.org"}, {"email": "A@example.org"}]
        ),
        "providers[0] (ref 'cloud'), field 'administrators[1].email': is listed twice",
    ),
    "trigger to a refused address": (
        _change("omses", 1, trigger={"url": "http://127.0.0.1:9/hook"}),
        "omses[1] (ref 'desk'), field 'trigger.url': is refused: 127.0.0.1 resolves to "
        "127.0.0.1, which is not a public address; "
        "an admin can allow its network in MERCATO_OUTGOING_ALLOWED_NETWORKS",
    ),
    "trigger password without a user": (
        _change("omses", 1, trigger={"url": "http://93.184.216.34/hook", "password": "pw"}),
        "omses[1] (ref 'desk'), field 'trigger.user': "
        "is needed with a password (Basic authorization)",
    ),
    "trigger signing secret not in the Standard Webhooks form": (
        _change(
            "omses", 1, trigger={"url": "http://93.184.216.34/hook", "signing_secret": "hunter2"}
        ),
        "omses[1] (ref 'desk'), field 'trigger.signing_secret': "
        "must be whsec_ and the base64 of 24 to 64 bytes",
    ),
    "notification signing secret too short": (
        _change("providers", 0, notification_signing_secret="whsec_" + "QUJD"),
        "providers[0] (ref 'cloud'), field 'notification_signing_secret': "
        "must be whsec_ and the base64 of 24 to 64 bytes",
    ),
}


@pytest.mark.parametrize(("changed", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_record_stops_the_load_naming_record_and_field(
    loading: Loading, changed: dict[str, list[dict[str, Any]]], message: str
) -> None:
    with pytest.raises(LoadError) as raised:
        load_dataset(loading, dataset(changed))

    assert str(raised.value) == message


def test_the_dump_gives_back_what_was_loaded_without_passwords_and_tokens(
    loading: Loading, session: Session, dataset_folder
) -> None:
    load_dataset(loading, dataset())
    ann_uid = session.scalar(select(User.uid).where(User.email == "ann@example.org"))

    dumped = dump_dataset(session, loading.files, dataset_folder)

    assert [user.model_dump(exclude_defaults=True) for user in dumped.users] == [
        {
            "ref": "ann@example.org",
            "uid": ann_uid,
            "email": "ann@example.org",
            "first_name": "Ann",
            "last_name": "Lee",
        },
        {
            "ref": "bob@example.org",
            "uid": "bob@egi.eu",
            "email": "bob@example.org",
            "is_admin": True,
        },
    ]
    assert [oms.model_dump(mode="json", exclude_defaults=True) for oms in dumped.omses] == [
        {
            "ref": "Ops",
            "id": 1,
            "name": "Ops",
            "type": "global",
            "is_default": True,
            "administrators": ["ann@example.org"],
        },
        {
            "ref": "Desk",
            "id": 7,
            "name": "Desk",
            "type": "provider_group",
            "custom_params": {"queue": {"mandatory": True, "default": "vm"}},
            "providers": ["cloud-org-eu"],
        },
    ]
    assert [(o.ref, o.service, o.iid, o.primary_oms) for o in dumped.offers] == [
        ("virtual-machines/1", "virtual-machines", 1, "Desk"),
        ("virtual-machines/5", "virtual-machines", 5, None),
        ("virtual-machines/6", "virtual-machines", 6, None),
    ]
    assert dumped.offers[0].parameters[0]["config"] == SELECT_CPUS["config"]


def test_an_oms_keeps_its_id_in_the_ordering_api_and_the_next_takes_the_one_after(
    loading: Loading, session: Session, client: TestClient, make
) -> None:
    load_dataset(loading, dataset())
    session.commit()
    desk = session.get_one(Oms, 7)
    desk.administrators.append(session.scalars(select(User).where(User.uid == "bob@egi.eu")).one())
    session.commit()
    bob_token = make_token(session, "bob@example.org")

    response = client.get("/api/v1/oms/7", headers={"X-User-Token": bob_token})
    later = make.oms("Later")

    assert (response.status_code, response.json()["id"], response.json()["name"]) == (
        200,
        7,
        "Desk",
    )
    assert later.id == 8


def make_token(session: Session, email: str) -> str:
    _, plain = issue_token(session, require_user(session, email))
    session.commit()
    return plain


def test_a_provider_keeps_its_store_notification_url(loading: Loading, session: Session) -> None:
    load_dataset(loading, dataset())

    provider = session.scalars(select(Provider)).one()
    dumped = dump_dataset(session, loading.files, loading.folder)

    assert session.get_one(ProviderStoreSettings, provider.id).notification_url == (
        "https://cloud.example/acquired"
    )
    assert dumped.providers[0].notification_url == "https://cloud.example/acquired"


OMS_SECRET = "whsec_" + "A" * 43 + "="  # the base64 of 32 bytes
PROVIDER_SECRET = "whsec_" + "B" * 43 + "="


def test_signing_secrets_travel_so_a_loaded_site_signs_as_before(
    loading: Loading, session: Session
) -> None:
    changed = _change("providers", 0, notification_signing_secret=PROVIDER_SECRET)
    changed["omses"][1]["trigger"] = {
        "url": "http://93.184.216.34/hook",
        "signing_secret": OMS_SECRET,
    }
    load_dataset(loading, dataset(changed))

    dumped = dump_dataset(session, loading.files, loading.folder)

    assert session.get_one(Oms, 7).signing_secret == OMS_SECRET
    assert session.scalars(select(Provider)).one().notification_signing_secret == PROVIDER_SECRET
    assert dumped.omses[1].trigger is not None
    assert dumped.omses[1].trigger.signing_secret == OMS_SECRET
    assert dumped.providers[0].notification_signing_secret == PROVIDER_SECRET


def test_a_file_with_several_problems_names_the_first_and_counts_the_others(
    dataset_folder,
) -> None:
    path = dataset_folder / "users.json"
    path.write_text(
        '{"format": "mercato-dataset", "version": 1, "users": '
        '[{"ref": "a", "email": "a@example.org", "nick": "A"}, {"ref": "b"}, {"ref": "c"}]}'
    )

    with pytest.raises(LoadError) as raised:
        read_dataset(path)

    assert str(raised.value) == (
        "users[0] (ref 'a'), field 'nick': Extra inputs are not permitted (and 2 more problems)"
    )


def test_a_file_that_is_not_json_is_named_as_such(dataset_folder) -> None:
    path = dataset_folder / "cut.json"
    path.write_text('{"format": "mercato-dataset", "version": 1, "users": [')

    with pytest.raises(LoadError) as raised:
        read_dataset(path)

    assert (
        str(raised.value)
        == "the data set: Invalid JSON: EOF while parsing a list at line 1 column 54"
    )


def test_a_service_keeps_its_id_in_the_offering_api_and_the_next_takes_the_one_after(
    loading: Loading, session: Session, client: TestClient, make
) -> None:
    load_dataset(loading, dataset())
    session.commit()
    token = make_token(session, "ann@example.org")

    response = client.get("/api/v1/resources/4", headers={"X-User-Token": token})
    later = make.service(session.scalars(select(Provider)).one())

    assert (response.status_code, response.json()["id"]) == (200, "virtual-machines")
    assert later.id == 5
    dumped = dump_dataset(session, loading.files, loading.folder)
    assert [service.id for service in dumped.services] == [4, 5]


def _changed_site() -> dict[str, list[dict[str, Any]]]:
    """A dump of a site whose rules and settings changed after its offers were written."""
    changed = records()
    # The Desk OMS gained a mandatory param and left the provider's group; the
    # service's only offers no longer have its order type.
    changed["providers"].append({"ref": "other", "name": "Other Org"})
    changed["omses"][1] = {
        **changed["omses"][1],
        "providers": ["other"],
        "custom_params": {
            "queue": {"mandatory": True, "default": "vm"},
            "region": {"mandatory": True, "default": "eu"},
        },
    }
    changed["services"][0]["order_type"] = "fully_open_access"
    changed["offers"][0]["oms_params"] = {"queue": "small-vms", "old": "x"}
    return changed


def test_a_dump_of_a_changed_site_loads_without_the_rules_for_new_writes(
    loading: Loading, session: Session
) -> None:
    load_dataset(loading, dataset(_changed_site()))

    offers = session.scalars(select(Offer).order_by(Offer.id)).all()
    assert [(offer.order_type.value, offer.iid) for offer in offers] == [
        ("order_required", 1),
        ("open_access", 5),
        ("other", 6),
    ]
    assert offers[0].primary_oms.name == "Desk"
    assert offers[0].oms_params == {"queue": "small-vms", "old": "x"}
    assert session.get_one(Service, 4).order_type.value == "fully_open_access"
