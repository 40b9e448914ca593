"""The demo data: a realistic catalogue built through the rules, and accounts that work."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from mercato.accounts.models import ApiToken, Provider
from mercato.accounts.rules import authenticate, require_user, user_for_token
from mercato.catalogue.models import (
    Category,
    Offer,
    OfferStatus,
    Oms,
    OrderType,
    ScientificDomain,
    Service,
)
from mercato.catalogue.parameters import PARAMETER_TYPES
from mercato.catalogue.rules import OfferData, check_offer, managed_services
from mercato.datasets.context import LoadError
from mercato.db import make_session_factory, transaction
from mercato.demo import DemoAccount, load_demo
from mercato.ordering.models import Event, Message, MessageScope, Order, Project, StatusType
from mercato.settings import Settings
from mercato.store.assets import local_files
from mercato.store.models import Asset, StoreOffering
from tests.conftest import empty_tables

# (e-mail, name, roles, password) of each demo user, in the order they are printed.
DEMO_USERS = [
    ("admin@mercato.example", "Alice Martin", "admin", "admin-pass"),
    (
        "operator@mercato.example",
        "Olivier Dupont",
        "operator, OMS admin: Mercato Operations",
        "operator-pass",
    ),
    (
        "ingrid.larsen@mercato.example",
        "Ingrid Larsen",
        "data administrator: Nordic Research Cloud",
        "ingrid-pass",
    ),
    (
        "marco.rossi@mercato.example",
        "Marco Rossi",
        "data administrator: Alpine Supercomputing Centre",
        "marco-pass",
    ),
    (
        "sofia.papadopoulou@mercato.example",
        "Sofia Papadopoulou",
        "OMS admin: Helix Sequencing LIMS, data administrator: Helix Life Science Data Centre",
        "sofia-pass",
    ),
    (
        "jan.devries@mercato.example",
        "Jan de Vries",
        "data administrator: Lowlands Social Data Archive and Research Identity Federation",
        "jan-pass",
    ),
    (
        "emma.schmidt@mercato.example",
        "Emma Schmidt",
        "data administrator: Open Science Training Network",
        "emma-pass",
    ),
    (
        "oms-admin@mercato.example",
        "Tomas Novak",
        "OMS admin: Nordic Cloud Service Desk",
        "oms-admin-pass",
    ),
    ("customer@mercato.example", "Lukas Weber", "customer", "customer-pass"),
]


def _settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("demo"), secret_key="x")


@pytest.fixture(scope="module")
def demo_accounts(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[DemoAccount]]:
    """The demo, loaded once for this module: hashing its passwords takes seconds.

    Tests here only read it, through ``db`` rather than ``session``, whose
    teardown would empty the tables after the first test.
    """
    with transaction(make_session_factory(engine)) as session:
        made = load_demo(session, local_files(_settings(tmp_path_factory)))
    yield made
    empty_tables(engine)


@pytest.fixture
def db(engine: Engine, demo_accounts: list[DemoAccount]) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _offers(session: Session) -> list[Offer]:
    return list(session.scalars(select(Offer).order_by(Offer.id)))


def test_demo_catalogue_has_a_realistic_size(db, demo_accounts):
    assert _count(db, Provider) >= 5
    assert _count(db, Service) >= 25
    assert _count(db, Offer) >= 60


def test_demo_catalogue_spans_the_usual_categories_and_domains(db, demo_accounts):
    categories = set(db.scalars(select(Category.name)))
    domains = set(db.scalars(select(ScientificDomain.name)))

    assert categories == {"Analytics", "Compute", "Data", "Security", "Storage", "Training"}
    assert {
        "Physical Sciences",
        "Life Sciences",
        "Engineering & Technology",
        "Social Sciences",
        "Humanities",
    } <= domains


def test_demo_offers_use_every_parameter_type(db, demo_accounts):
    used = {parameter["type"] for offer in _offers(db) for parameter in offer.parameters}

    assert used == set(PARAMETER_TYPES)


def test_demo_offers_use_every_order_type(db, demo_accounts):
    used = {offer.order_type for offer in _offers(db)}

    assert used == set(OrderType)


def test_demo_offers_cover_every_way_of_ordering(db, demo_accounts):
    offers = _offers(db)
    required = [o for o in offers if o.order_type == OrderType.ORDER_REQUIRED]

    assert any(o.internal and o.primary_oms is None for o in required)
    assert any(o.internal and o.primary_oms is not None and o.oms_params for o in required)
    assert all(o.order_url.startswith("https://example.org/") for o in required if not o.internal)
    assert any(not o.internal for o in required)
    assert any(o.status == OfferStatus.DRAFT for o in offers)


def test_some_demo_services_have_a_pid(db, demo_accounts):
    pids = list(db.scalars(select(Service.pid).where(Service.pid.is_not(None))))

    assert len(pids) >= 5


def test_demo_registers_three_omses_with_one_default(db, demo_accounts):
    omses = db.scalars(select(Oms).order_by(Oms.id))

    assert [
        (
            oms.name,
            oms.type.value,
            oms.is_default,
            oms.custom_params,
            [user.email for user in oms.administrators],
            [provider.name for provider in oms.providers],
        )
        for oms in omses
    ] == [
        ("Mercato Operations", "global", True, {}, ["operator@mercato.example"], []),
        (
            "Nordic Cloud Service Desk",
            "provider_group",
            False,
            {"order_target": {"mandatory": False}},
            ["oms-admin@mercato.example"],
            ["Nordic Research Cloud"],
        ),
        (
            "Helix Sequencing LIMS",
            "resource_dedicated",
            False,
            {"lims_queue": {"mandatory": True, "default": "short-read"}},
            ["sofia.papadopoulou@mercato.example"],
            [],
        ),
    ]


def test_every_demo_offer_passes_the_offer_rules_again(db, demo_accounts):
    for offer in _offers(db):
        stored = OfferData.of(offer)

        assert check_offer(db, offer.service, stored) == stored, offer.name


def test_demo_accounts_cover_every_role(demo_accounts):
    assert [(a.email, a.name, a.roles, a.password) for a in demo_accounts] == DEMO_USERS


def test_every_demo_token_authenticates_its_user(db, demo_accounts):
    for account in demo_accounts:
        user = user_for_token(db, account.token)

        assert user is not None and user.email == account.email
    labels = db.scalars(select(ApiToken.label).distinct())
    assert list(labels) == ["demo"]


def test_every_demo_password_logs_in(db, demo_accounts):
    for account in demo_accounts:
        user = authenticate(db, account.email, account.password)

        assert user is not None and user.email == account.email


def test_a_demo_data_administrator_manages_both_providers_services(db, demo_accounts):
    jan = require_user(db, "jan.devries@mercato.example")

    providers = {service.provider.name for service in managed_services(db, jan)}

    assert providers == {"Lowlands Social Data Archive", "Research Identity Federation"}


def test_loading_the_demo_twice_is_refused_by_the_rules(db, demo_accounts, tmp_path_factory):
    with pytest.raises(LoadError) as raised:
        load_demo(db, local_files(_settings(tmp_path_factory)))

    assert str(raised.value) == "users[0] (ref 'admin'), field 'email': is already taken"


def test_demo_orders_show_every_stage_and_each_kind_of_oms(db, demo_accounts):
    rows = db.execute(
        select(Project.name, Order.iid, Offer.name, Order.status_type, Order.status_value)
        .join(Order.project)
        .join(Order.offer)
        .order_by(Project.id, Order.iid)
    ).all()

    assert [tuple(row) for row in rows] == [
        (
            "Rare disease genomes 2027",
            1,
            "Whole-genome analysis",
            StatusType.IN_PROGRESS,
            "Samples received",
        ),
        ("Rare disease genomes 2027", 2, "Pilot analysis", StatusType.CREATED, "created"),
        (
            "Regional climate downscaling",
            1,
            "Standard VM",
            StatusType.WAITING_FOR_RESPONSE,
            "Need a public key",
        ),
        ("Regional climate downscaling", 2, "Interactive notebooks", StatusType.READY, "ready"),
    ]


def test_demo_conversations_include_internal_notes_and_every_creation_is_an_event(
    db, demo_accounts
):
    scopes = db.execute(
        select(Message.scope, func.count()).group_by(Message.scope).order_by(Message.scope)
    ).all()

    assert [tuple(row) for row in scopes] == [(MessageScope.INTERNAL, 1), (MessageScope.PUBLIC, 4)]
    # 2 projects, 4 orders and 5 messages created; a data set's status history is its past.
    assert _count(db, Event) == 11


def test_demo_store_has_published_offerings_with_files_links_tags_and_reviews(db, demo_accounts):
    rows = db.execute(
        select(Offer.name, StoreOffering.version, Offer.status, StoreOffering.rating, Offer.tags)
        .join(StoreOffering.offer)
        .order_by(Offer.name)
    ).all()

    assert [tuple(row) for row in rows] == [
        ("Alps Container Registry", "1.0", OfferStatus.DRAFT, 0.0, ["hpc", "containers"]),
        (
            "FAIR Data Handbook",
            "3.0",
            OfferStatus.PUBLISHED,
            0.0,
            ["fair", "training", "data-management"],
        ),
        ("NRC Cloud API", "1.0", OfferStatus.PUBLISHED, 4.0, ["iaas", "api", "openstack"]),
        (
            "Variant Annotator",
            "2.1",
            OfferStatus.PUBLISHED,
            4.5,
            ["genomics", "variants", "annotation"],
        ),
    ]
    files = db.execute(select(Asset.name, Asset.file_name, Asset.link).order_by(Asset.name)).all()
    assert [tuple(row) for row in files] == [
        ("alps-registry", None, "https://registry.alps.example/v2"),
        ("fair-handbook", "fair-handbook.md", None),
        ("nrc-api", None, "https://api.nrc.example/v1"),
        ("variant-annotator", "annotate.py", None),
    ]
