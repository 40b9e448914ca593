"""Every GET route takes a pinned number of SQL queries, so an N+1 fails CI.

A marketplace with several of everything (providers, services, offers, OMSes, projects,
orders, messages, deliveries, assets, offerings, reviews, remote stores) and several
children of each is built twice, with SIZE and with twice SIZE rows of each kind. Every
GET route is requested in both as someone allowed to see it, and must take the number of
queries pinned in PINNED in both: a count that grows with the rows is an N+1. A route
that reads no list or page, or serves one file, is named in EXCLUDED with the reason;
`test_every_get_route_is_pinned` fails for a route in neither.
"""

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from mercato.accounts import rules as accounts
from mercato.accounts.models import Provider
from mercato.app import create_app
from mercato.catalogue.models import (
    Bundle,
    BundleStatus,
    Offer,
    OfferStatus,
    Oms,
    OmsType,
    Service,
    ServiceStatus,
)
from mercato.commerce import registry, revenue
from mercato.commerce.models import (
    Contract,
    Currency,
    PriceUnit,
    PurchaseNotificationAttempt,
    TaxAddress,
    TaxRate,
)
from mercato.commerce.notifications import notify_purchase
from mercato.commerce.payments.gateway import Gateways
from mercato.commerce.payments.offline import OfflineGateway
from mercato.commerce.payments.sandbox import SandboxGateway
from mercato.commerce.purchases import PurchaseRequest, acquire
from mercato.commerce.revenue_models import RevenueClass
from mercato.db import make_session_factory, read_only, utcnow
from mercato.ordering.models import (
    AuthorRole,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Message,
    MessageScope,
    Order,
    Project,
    StatusType,
)
from mercato.ordering.orders import update_order
from mercato.reports.jobs import ask_report, build_due
from mercato.reports.models import ReportJob
from mercato.settings import Settings
from mercato.store import reviews, tags
from mercato.store.assets import AssetContent, Files, upgrade_asset
from mercato.store.marketplaces import receiving
from mercato.store.marketplaces import rules as marketplaces
from mercato.store.marketplaces.models import Marketplace, Publication, RemoteOffering, RemoteStore
from mercato.store.models import Asset, NotificationTarget, StoreOffering
from mercato.store.reviews import ReplyText, ReviewText
from mercato.store.storage import LocalStorage
from mercato.store.uploads import Upload
from mercato.store.usdl.description import OfferingDescription
from mercato.store.web.common import asset_url, offering_url
from mercato.usage.limits import LimitData, set_limits
from mercato.usage.models import LimitPeriod, UsageRecord
from tests.commerce.invoicing import issue
from tests.conftest import empty_tables
from tests.factories import ALL_PARAMETERS, Factory, TokenUser
from tests.store.world import WIDGET, Store
from tests.web.pages import log_in

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # older FastAPI lists included routes flat in app.routes

    def iter_route_contexts(routes):  # type: ignore[no-redef]
        return routes


SIZE = 3
# Priced plans in the registered units and currency, one per model, and a free one.
PLANS = [
    {
        "label": f"plan {number}",
        "title": f"Plan {number}",
        "description": "Priced",
        "currency": "EUR",
        "price_components": [
            {"label": "setup", "description": "", "value": "9.99", "unit": "single payment"},
            {"label": "fee", "description": "", "value": 10, "unit": "per month"},
            {"label": "calls", "description": "", "value": "0.005", "unit": "invocation"},
        ],
    }
    for number in range(SIZE)
] + [{"label": "free", "title": "Free", "description": "No charge"}]
# Never called: no worker runs in the tests; deliveries only need an OMS with a trigger.
TRIGGER = "http://127.0.0.1:9/hook"


@dataclass
class World:
    admin: TokenUser
    steward: TokenUser  # data administrator of every provider, and the store's seller
    operator: TokenUser  # administers the default OMS
    customer: TokenUser
    token_id: int  # one of the customer's tokens
    provider: Provider
    service: Service  # has many offers, ordered many times
    offer: Offer
    bundle: Bundle  # fronted by the offer, bundling offers of other services
    oms: Oms
    project: Project
    order: Order
    message: Message
    asset: Asset
    offering: StoreOffering  # published, reviewed, acquired
    draft: StoreOffering  # not yet published
    remote_store: RemoteStore
    unit: PriceUnit
    currency: Currency
    tax_rate: TaxRate
    purchase: Contract  # paid
    pending: Contract  # waiting for the sandbox gateway
    report: ReportJob  # built

    @property
    def sandbox_ref(self) -> str:
        return self.pending.payments[0].gateway_ref

    def user(self, who: str) -> TokenUser | None:
        return None if who == "visitor" else getattr(self, who)

    # Provider, name (and version) of an offering or asset, as both the pages and the
    # WStore API put them in their paths.
    @property
    def offering_path(self) -> str:
        return offering_url(self.offering).removeprefix("/store/offerings/")

    @property
    def draft_path(self) -> str:
        return offering_url(self.draft).removeprefix("/store/offerings/")

    @property
    def asset_path(self) -> str:
        return asset_url(self.asset).removeprefix("/store/assets/")


def build_world(make: Factory, store: Store, size: int) -> World:
    session = make.session
    admin = make.token_user(is_admin=True, first_name="Ada", last_name="Admin")
    steward = make.token_user(first_name="Sam", last_name="Steward")
    operator = make.token_user(first_name="Olivia", last_name="Operator")
    customer = make.token_user(first_name="Cleo", last_name="Customer")
    for user in (admin, steward, operator, customer):
        for _ in range(size):
            accounts.issue_token(session, user.user, "laptop")
    session.commit()

    # --- catalogue: providers, services in categories, offers -------------------------
    providers = [make.provider(steward.user, make.user()) for _ in range(size)]
    services = [
        make.service(
            provider,
            categories=["Compute", f"Category {number}"],
            scientific_domains=["Physics", f"Domain {number}"],
        )
        for provider in providers
        for number in range(size)
    ]
    make.service(providers[0], status=ServiceStatus.DRAFT)
    firsts = [make.offer(service, internal=True) for service in services]
    service = services[0]
    oms = make.oms(
        "Operations", is_default=True, administrators=[operator.user], trigger_url=TRIGGER
    )
    group_omses = [
        make.oms(
            type=OmsType.PROVIDER_GROUP,
            providers=providers,
            administrators=[make.user(), make.user()],
            trigger_url=TRIGGER,
            custom_params={"region": {"mandatory": False}},
        )
        for _ in range(size)
    ]
    offers = [
        make.offer(service, internal=True, parameters=ALL_PARAMETERS) for _ in range(size)
    ] + [
        make.offer(service, internal=True, primary_oms_id=group.id, parameters=ALL_PARAMETERS)
        for group in group_omses
    ]
    make.offer(service, status=OfferStatus.DRAFT, internal=True)
    # The service's bundles: fronted by the world's offer, with offers of other services.
    bundles = [
        make.bundle(offers[0], [*firsts[1 : size + 1], offers[number + 1]], name=f"Bundle {number}")
        for number in range(size)
    ]
    make.bundle(offers[1], firsts[1:size], status=BundleStatus.DRAFT)

    # --- ordering: projects, orders, status changes, conversations, deliveries --------
    projects = [
        make.project(customer.user, scientific_domains=["Physics"], country="Norway")
        for _ in range(size)
    ]
    # Each project orders offers of the default OMS and of group OMSes.
    mixed = [offer for pair in zip(offers[:size], offers[size:], strict=True) for offer in pair]
    orders = [
        make.order(mixed[(number + turn) % len(mixed)], project)
        for number, project in enumerate(projects)
        for turn in range(size)
    ]
    order, project = orders[0], projects[0]
    for other in orders[1:]:
        update_order(session, other, author=operator.user, status=(StatusType.READY, "Ready"))
        make.message(other)
    # The order and the project the pages show have several children of each kind.
    first_message = make.message(order)
    for number in range(size):
        update_order(
            session,
            order,
            author=operator.user,
            status=(StatusType.IN_PROGRESS, f"Step {number}"),
            user_secrets={f"secret {number}": "value"},
        )
        make.message(order)
        make.message(order, role=AuthorRole.MEDIATOR, author=operator.user)
        make.message(
            order, scope=MessageScope.INTERNAL, role=AuthorRole.MEDIATOR, author=operator.user
        )
        make.message(
            order, scope=MessageScope.USER_DIRECT, role=AuthorRole.PROVIDER, author=steward.user
        )
        make.message(project)
    for delivery in session.scalars(select(Delivery).where(Delivery.oms_id == oms.id).limit(size)):
        delivery.status, delivery.attempts = DeliveryStatus.FAILED, size
        delivery.attempt_log.extend(
            DeliveryAttempt(url=TRIGGER, method="post", status_code=500, error="Boom")
            for _ in range(size)
        )
    session.commit()

    # --- store: assets, offerings, reviews with replies, tags, publications -----------
    shop = providers[0]
    assets = [store.asset(shop, f"Asset {number}", is_open=number == 0) for number in range(size)]
    for version in range(2, size + 1):
        upload = AssetContent(Upload("widget.zip", WIDGET), None)
        upgrade_asset(session, store.files, assets[0], f"{version}.0", upload)
    session.commit()
    offerings = [
        # An open offering takes only open assets.
        store.offering(
            shop, steward, f"Offering {number}", bound=assets, publish=True, price_plans=PLANS
        )
        if number == 0
        else store.offering(
            shop, steward, f"Offering {number}", bound=assets[:1], is_open=True, publish=True
        )
        for number in range(size)
    ]
    draft = store.offering(shop, steward, "Draft offering", bound=assets, price_plans=PLANS)
    # Purchase notifications of the priced offering, each failed after several attempts.
    offerings[0].notification, offerings[0].notification_url = NotificationTarget.OWN, TRIGGER
    for number in range(size):
        notification = notify_purchase(
            session,
            store.files.settings,
            offering=offerings[0],
            customer=f"Buyer {number}",
            reference=f"ref-{number}",
            resources=offerings[0].assets,
        )
        assert notification is not None
        notification.status, notification.attempts = DeliveryStatus.FAILED, size
        notification.attempt_log.extend(
            PurchaseNotificationAttempt(url=TRIGGER, method="POST", status_code=500, error="Boom")
            for _ in range(size)
        )
    session.commit()
    market_places = [
        Marketplace(
            name=f"Market {number}",
            host=f"http://market{number}.example/",
            api_version=2,
            store_id=str(number),
            username="store",
            password="secret",
        )
        for number in range(size)
    ]
    session.add_all(market_places)
    for offering in offerings:
        tags.set_tags(session, offering, ["maps", "city", offering.service.name.lower()])
        for marketplace in market_places:
            session.add(
                Publication(
                    offer_id=offering.offer_id, marketplace=marketplace, remote_name="remote"
                )
            )
        make.order(offering.offer, project, values={})
        reviews.create_review(session, customer.user, offering, ReviewText(rating=5, title="Good"))
        for _ in range(size):
            reviewer = make.user()
            make.order(offering.offer, make.project(reviewer), values={})
            text = ReviewText(rating=4, title="Fine", comment="Yes")
            review = reviews.create_review(session, reviewer, offering, text)
            reply = ReplyText(title="Thanks", comment="!")
            reviews.reply_to_review(session, steward.user, offering, review, reply)
        session.commit()

    # --- federation: repositories, stores registered here and what they published -----
    for number in range(size):
        marketplaces.register_repository(
            session,
            admin.user,
            marketplaces.RepositoryData(
                name=f"Repository {number}",
                host=f"http://repository{number}.example/",
                api_version=2,
                offering_collection="offerings",
                resource_collection="resources",
            ),
        )
    remote_stores = [
        receiving.register_store(
            session,
            admin.user,
            receiving.StoreData(f"Store {number}", f"http://store{number}.example/"),
        )
        for number in range(size)
    ]
    for remote in remote_stores:
        for number in range(size):
            description = OfferingDescription(
                name=f"Remote {number}",
                version="1.0",
                description="Maps of a city",
                provider="Elsewhere",
                tags=["maps"],
            )
            session.add(
                RemoteOffering(
                    store=remote,
                    name=f"remote-{number}",
                    display_name=f"Remote {number}",
                    url=f"{remote.url}usdl/{number}",
                    description=description.model_dump(mode="json"),
                    received_at=utcnow(),
                )
            )
    session.commit()

    # --- commerce: price units, currencies and tax rates beside the shipped ones -------
    units = [
        registry.add_unit(session, registry.UnitData(f"per {number + 2} days", "subscription", 2))
        for number in range(size)
    ]
    currencies = [
        registry.add_currency(session, registry.CurrencyData(f"C{number:02}"))
        for number in range(size)
    ]
    tax_rates = [
        registry.add_tax_rate(session, registry.TaxRateData(f"A{chr(65 + number)}", number))
        for number in range(size)
    ]
    # --- invoices: the steward buys from every provider it administers, which sell too --
    for provider in providers:
        for number in range(size):
            issue(session, provider, steward.user, order_id=number)
            issue(session, provider, customer.user, order_id=number)
    session.commit()

    # --- revenue sharing: stakeholders of every kind in every class, and an RSS -------
    for revenue_class in RevenueClass:
        for number in range(size):
            for party in (
                revenue.StakeholderData("1", organisation=f"Organisation {number}"),
                revenue.StakeholderData("1", provider_id=providers[number].id),
                revenue.StakeholderData("1", user_email=make.user().email),
            ):
                revenue.add_stakeholder(session, revenue_class, party)
    revenue.register_rss(
        session,
        revenue.RssData("rss", "http://rss.example.org/", 2, revenue.default_limits("EUR")),
        None,
    )
    session.commit()

    # --- commerce: purchases of priced offerings, paid (with a charge) and pending -----
    gateways = Gateways([SandboxGateway(), OfflineGateway()])
    session.add(
        TaxAddress(
            user_id=customer.user.id, street="Mayor 1", postal="28013", city="Madrid", country="ES"
        )
    )
    purchases = [
        acquire(
            session,
            customer.user,
            store.offering(
                shop, steward, f"Priced {number}", bound=assets, publish=True, price_plans=PLANS
            ),
            PurchaseRequest("sandbox" if number == 0 else "offline", projects[0].id, "plan 0"),
            gateways,
            base_url="http://testserver",
            timeout=timedelta(hours=1),
            now=utcnow(),
        ).contract
        for number in range(size + 1)
    ]
    # --- usage: records of the paid purchase, and the customer's limits ----------------
    session.execute(
        insert(UsageRecord),
        [
            {
                "contract_id": purchases[1].id,
                "transaction_id": f"t{number}",
                "unit": "call",
                "value": "1",
                "time_stamp": utcnow(),
                "received_at": utcnow(),
            }
            for number in range(size)
        ],
    )
    set_limits(
        session,
        customer.user.id,
        [LimitData(period, "EUR", Decimal(10 * size)) for period in LimitPeriod],
    )
    # --- reports: the customer's usage over years, built -------------------------------
    report = ask_report(
        session, customer.user, "customer", "usage", None, "2000-01", None, utcnow().date()
    )
    session.commit()
    build_due(make_session_factory(session.get_bind()))

    return World(
        admin=admin,
        steward=steward,
        operator=operator,
        customer=customer,
        token_id=accounts.active_tokens(session, customer.user)[0].id,
        provider=shop,
        service=service,
        offer=offers[0],
        bundle=bundles[0],
        oms=oms,
        project=project,
        order=order,
        message=first_message,
        asset=assets[0],
        offering=offerings[0],
        draft=draft,
        remote_store=remote_stores[0],
        unit=units[0],
        currency=currencies[0],
        tax_rate=tax_rates[0],
        purchase=purchases[1],
        pending=purchases[0],
        report=report,
    )


# Every request here only reads, so the world is built once per size for the module, and
# the app and its logged-in clients are shared too: building the world takes seconds,
# logging in a tenth of one, a request a few hundredths. conftest's `settings` and `session`
# would empty the tables after each test, so the module has its own.


@pytest.fixture(scope="module")
def settings(database_url: str, engine: Engine, tmp_path_factory) -> Settings:
    data_dir = tmp_path_factory.mktemp("query-counts")
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        secret_key="test-secret",
        # API routes are pinned with the caller's token known; a slow run must not forget it.
        token_cache_seconds=300,
    )


@pytest.fixture(scope="module")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module", params=[SIZE, 2 * SIZE], ids=lambda size: f"size{size}")
def world(request, engine: Engine, settings: Settings) -> Iterator[World]:
    # Deferred, as conftest's `session`: the tests' reads through it take no write lock.
    with make_session_factory(read_only(engine))() as session:
        make = Factory(session)
        files = Files(LocalStorage(settings.data_dir / "media"), settings)
        yield build_world(make, Store(session, make, files), request.param)
    empty_tables(engine)


@pytest.fixture(scope="module")
def client_of(app: FastAPI, world: World) -> Iterator[Callable[[str], TestClient]]:
    """A client per user of the world, logged in to the pages at its first use."""
    clients: dict[str, TestClient] = {}
    with ExitStack() as stack:

        def client(who: str) -> TestClient:
            if who not in clients:
                clients[who] = stack.enter_context(TestClient(app))
                user = world.user(who)
                if user is not None:
                    log_in(clients[who], user.user)
            return clients[who]

        yield client


@dataclass(frozen=True)
class Visit:
    """Who asks for what (`{w.…}` reads the world), and how many queries it takes: on
    PostgreSQL, `postgresql` when it differs."""

    who: str
    url: str
    queries: int
    postgresql: int | None = None

    def expected(self, dialect: str) -> int:
        if dialect == "postgresql" and self.postgresql is not None:
            return self.postgresql
        return self.queries


RESOURCE = "/api/v1/resources/{w.service.slug}"
OMS = "/api/v1/oms/{w.oms.id}"
OFFERING = "/api/offering/offerings/{w.offering_path}"
OFFERING_PAGE = "/store/offerings/{w.offering_path}"
ASSET = "/store/assets/{w.asset_path}"
DRAFT = "/store/offerings/{w.draft_path}"
SERVICE = "/services/{w.service.slug}"

PINNED: dict[str, Visit] = {
    # --- the Offering API (EOSC) -------------------------------------------------------
    "/api/v1/resources": Visit("steward", "/api/v1/resources", 3),
    "/api/v1/resources/{resource_id:path}": Visit("steward", RESOURCE, 4),
    "/api/v1/resources/{resource_id:path}/offers": Visit("steward", f"{RESOURCE}/offers", 4),
    "/api/v1/resources/{resource_id:path}/offers/{offer_id}": Visit(
        "steward", RESOURCE + "/offers/{w.offer.iid}", 2
    ),
    # --- the Ordering API (EOSC) -------------------------------------------------------
    "/api/v1/oms": Visit("operator", "/api/v1/oms", 1),
    "/api/v1/oms/{oms_id}": Visit("operator", OMS, 2),
    "/api/v1/oms/{oms_id}/events": Visit("operator", f"{OMS}/events?from_id=0&limit=1000", 3),
    "/api/v1/oms/{oms_id}/projects": Visit("operator", f"{OMS}/projects", 4),
    "/api/v1/oms/{oms_id}/projects/{p_id}": Visit("operator", OMS + "/projects/{w.project.id}", 5),
    "/api/v1/oms/{oms_id}/projects/{p_id}/project_items": Visit(
        "operator", OMS + "/projects/{w.project.id}/project_items", 5
    ),
    "/api/v1/oms/{oms_id}/projects/{p_id}/project_items/{pi_id}": Visit(
        "operator", OMS + "/projects/{w.project.id}/project_items/{w.order.iid}", 5
    ),
    "/api/v1/oms/{oms_id}/messages": Visit(
        "operator", OMS + "/messages?project_id={w.project.id}", 4
    ),
    "/api/v1/oms/{oms_id}/messages/{m_id}": Visit("operator", OMS + "/messages/{w.message.id}", 3),
    # --- the WStore API ----------------------------------------------------------------
    "/api/administration/marketplaces": Visit("admin", "/api/administration/marketplaces", 1),
    "/api/administration/repositories": Visit("admin", "/api/administration/repositories", 1),
    "/api/administration/units": Visit("customer", "/api/administration/units", 1),
    "/api/administration/currency": Visit("customer", "/api/administration/currency", 1),
    "/api/administration/rss": Visit("customer", "/api/administration/rss", 2),
    "/api/administration/rss/{name}": Visit("customer", "/api/administration/rss/rss", 2),
    "/api/administration/organizations/{organization}": Visit(
        "steward", "/api/administration/organizations/{w.provider.slug}", 3
    ),
    "/api/v2/store": Visit("visitor", "/api/v2/store", 1),
    "/api/v2/store/{store}": Visit("visitor", "/api/v2/store/{w.remote_store.name}", 1),
    "/api/v2/store/{store}/description": Visit(
        "visitor", "/api/v2/store/{w.remote_store.name}/description", 3
    ),
    "/api/v2/offering": Visit("visitor", "/api/v2/offering", 2),
    "/api/offering/resources": Visit("steward", "/api/offering/resources", 5),
    "/api/offering/resources/plugins": Visit("steward", "/api/offering/resources/plugins", 0),
    "/api/offering/resources/plugin": Visit("steward", "/api/offering/resources/plugin", 0),
    "/api/offering/resources/{provider}/{name}/{version}": Visit(
        "steward", "/api/offering/resources/{w.asset_path}/{w.asset.version}", 6
    ),
    "/api/offering/offerings": Visit("customer", "/api/offering/offerings", 10),
    "/api/offering/offerings/latest": Visit("customer", "/api/offering/offerings/latest", 10),
    "/api/offering/offerings/toprated": Visit("customer", "/api/offering/offerings/toprated", 10),
    "/api/offering/offerings/{provider}/{name}/{version}": Visit("customer", OFFERING, 12),
    "/api/offering/offerings/{provider}/{name}/{version}/usdl": Visit(
        "customer", f"{OFFERING}/usdl", 9
    ),
    "/api/offering/offerings/{provider}/{name}/{version}/review": Visit(
        "customer", f"{OFFERING}/review", 9
    ),
    "/api/offering/offerings/{provider}/{name}/{version}/tag": Visit(
        "customer", f"{OFFERING}/tag", 9
    ),
    "/api/offering/offerings/{provider}/{name}/{version}/tags": Visit(
        "customer", f"{OFFERING}/tags?action=recommend&tags=maps", 10
    ),
    "/api/search/{text}": Visit("customer", "/api/search/maps", 10),
    "/api/search/keyword/{text}": Visit("customer", "/api/search/keyword/offering", 10),
    # PostgreSQL first asks whether the tag has words its text search does not ignore.
    "/api/search/tag/{tag}": Visit("customer", "/api/search/tag/maps", 10, postgresql=11),
    "/api/search/resource/{provider}/{name}/{version}": Visit(
        "customer", "/api/search/resource/{w.asset_path}/{w.asset.version}", 14
    ),
    # --- accounts pages ----------------------------------------------------------------
    "/login": Visit("visitor", "/login", 0),
    # The tokens, and the providers whose notification signing the user manages.
    "/account": Visit("customer", "/account", 5),
    "/account/tokens/regenerate": Visit("customer", "/account/tokens/regenerate", 4),
    "/account/tokens/{token_id}/revoke": Visit(
        "customer", "/account/tokens/{w.token_id}/revoke", 4
    ),
    # --- catalogue pages ---------------------------------------------------------------
    "/": Visit("customer", "/", 9),
    "/providers": Visit("customer", "/providers", 4),
    "/providers/{slug}": Visit("customer", "/providers/{w.service.provider.slug}", 8),
    # + the store plans of its offers (their units and currencies only when one is priced).
    "/services/{slug}": Visit("steward", SERVICE, 17),
    "/my-services": Visit("steward", "/my-services", 5),
    "/services/{slug}/offers": Visit("steward", f"{SERVICE}/offers", 9),
    "/services/{slug}/offers/new": Visit("steward", f"{SERVICE}/offers/new", 7),
    "/services/{slug}/offers/{iid}/edit": Visit(
        "steward", SERVICE + "/offers/{w.offer.iid}/edit", 8
    ),
    "/services/{slug}/offers/{iid}/delete": Visit(
        "steward", SERVICE + "/offers/{w.offer.iid}/delete", 7
    ),
    "/services/{slug}/bundles/new": Visit("steward", f"{SERVICE}/bundles/new", 13),
    "/services/{slug}/bundles/{iid}/edit": Visit(
        "steward", SERVICE + "/bundles/{w.bundle.iid}/edit", 21
    ),
    "/services/{slug}/bundles/{iid}/delete": Visit(
        "steward", SERVICE + "/bundles/{w.bundle.iid}/delete", 7
    ),
    "/omses": Visit("admin", "/omses", 4),
    "/omses/new": Visit("admin", "/omses/new", 4),
    "/omses/{oms_id}": Visit("admin", "/omses/{w.oms.id}", 4),
    "/omses/{oms_id}/edit": Visit("admin", "/omses/{w.oms.id}/edit", 7),
    "/omses/{oms_id}/administrators/{user_id}/token": Visit(
        "admin", "/omses/{w.oms.id}/administrators/{w.operator.user.id}/token", 5
    ),
    # --- ordering pages ----------------------------------------------------------------
    "/omses/{oms_id}/deliveries": Visit("operator", "/omses/{w.oms.id}/deliveries", 9),
    "/notifications": Visit("steward", "/notifications", 8),
    # + the providers the user is a data administrator of (their orders are listed too).
    "/queue": Visit("operator", "/queue", 13),
    "/queue/{order_id}": Visit("operator", "/queue/{w.order.id}", 29),
    "/projects": Visit("customer", "/projects", 4),
    "/projects/new": Visit("customer", "/projects/new", 4),
    "/projects/{project_id}": Visit("customer", "/projects/{w.project.id}", 8),
    "/projects/{project_id}/orders/{iid}": Visit(
        "customer", "/projects/{w.project.id}/orders/{w.order.iid}", 11
    ),
    "/services/{slug}/offers/{iid}/order": Visit(
        "customer", SERVICE + "/offers/{w.offer.iid}/order", 8
    ),
    # One more than the offer's form: which of the bundle's offers are sold in the store.
    "/services/{slug}/bundles/{iid}/order": Visit(
        "customer", SERVICE + "/bundles/{w.bundle.iid}/order", 9
    ),
    # --- store pages -------------------------------------------------------------------
    "/store": Visit("customer", "/store", 19),
    "/store/my-offerings": Visit("steward", "/store/my-offerings", 13),
    # Services, offers and offerings: who may see drafts, count, page, each kind loaded
    # (with its provider, categories, assets, owner, reviews), marks, six facets' counts.
    "/search": Visit(
        "customer", "/search?q=offering&kind=service&kind=offering&order_type=order_required", 25
    ),
    "/store/from-other-stores": Visit("customer", "/store/from-other-stores", 2),
    # + the registered units and currencies that price its plans.
    "/store/offerings/{provider}/{name}/{version}": Visit(
        "customer", "/store/offerings/{w.offering_path}", 18
    ),
    "/store/offerings/new": Visit("steward", "/store/offerings/new", 8),
    "/store/offerings/{provider}/{name}/{version}/edit": Visit("steward", f"{DRAFT}/edit", 11),
    "/store/offerings/{provider}/{name}/{version}/bind": Visit("steward", f"{DRAFT}/bind", 14),
    "/store/offerings/{provider}/{name}/{version}/publish": Visit(
        "steward", f"{DRAFT}/publish", 12
    ),
    "/store/offerings/{provider}/{name}/{version}/tags": Visit("steward", f"{DRAFT}/tags", 12),
    "/store/offerings/{provider}/{name}/{version}/delete": Visit("steward", f"{DRAFT}/delete", 12),
    "/store/offerings/{provider}/{name}/{version}/plans": Visit("steward", f"{DRAFT}/plans", 13),
    "/store/offerings/{provider}/{name}/{version}/plans/new": Visit(
        "steward", f"{DRAFT}/plans/new", 15
    ),
    "/store/offerings/{provider}/{name}/{version}/plans/{position}/edit": Visit(
        "steward", f"{DRAFT}/plans/0/edit", 14
    ),
    "/store/assets": Visit("steward", "/store/assets", 8),
    "/store/assets/new": Visit("steward", "/store/assets/new", 5),
    "/store/assets/{provider}/{name}": Visit("steward", ASSET, 9),
    "/store/assets/{provider}/{name}/edit": Visit("steward", f"{ASSET}/edit", 9),
    "/store/assets/{provider}/{name}/upgrade": Visit("steward", f"{ASSET}/upgrade", 9),
    "/store/assets/{provider}/{name}/delete": Visit("steward", f"{ASSET}/delete", 9),
    "/admin/marketplaces": Visit("admin", "/admin/marketplaces", 5),
    "/admin/repositories": Visit("admin", "/admin/repositories", 3),
    # --- commerce pages ----------------------------------------------------------------
    "/admin/units": Visit("admin", "/admin/units", 3),
    "/admin/units/{unit_id}/edit": Visit("admin", "/admin/units/{w.unit.id}/edit", 4),
    "/admin/currencies": Visit("admin", "/admin/currencies", 3),
    "/admin/currencies/{currency_id}/edit": Visit(
        "admin", "/admin/currencies/{w.currency.id}/edit", 4
    ),
    "/admin/tax-rates": Visit("admin", "/admin/tax-rates", 3),
    "/admin/tax-rates/{tax_rate_id}/edit": Visit(
        "admin", "/admin/tax-rates/{w.tax_rate.id}/edit", 4
    ),
    "/admin/revenue-sharing": Visit("admin", "/admin/revenue-sharing", 7),
    "/admin/revenue-sharing/{class_value}": Visit("admin", "/admin/revenue-sharing/use", 7),
    # The period that holds the world's purchases, made now.
    "/admin/revenue": Visit("admin", "/admin/revenue?start=2000-01-01&end=2100-12-31", 5),
    "/invoices": Visit("steward", "/invoices", 6),
    "/store/offerings/{provider}/{name}/{version}/acquire": Visit(
        "customer", f"{OFFERING_PAGE}/acquire", 16
    ),
    "/purchases": Visit("customer", "/purchases", 10),
    "/purchases/{ref}": Visit("customer", "/purchases/{w.purchase.ref}", 17),
    # --- usage --------------------------------------------------------------------------
    "/purchases/{ref}/usage": Visit("customer", "/purchases/{w.purchase.ref}/usage", 13),
    "/api/contracting/{ref}/accounting": Visit(
        "customer", "/api/contracting/{w.purchase.ref}/accounting", 2
    ),
    "/api/v1/users/{user}/expenditure-limits": Visit(
        "customer", "/api/v1/users/me/expenditure-limits", 1
    ),
    "/payments/sandbox/{gateway_ref}": Visit("customer", "/payments/sandbox/{w.sandbox_ref}", 7),
    "/sales": Visit("steward", "/sales", 6),
    # --- reports: the last six months by default, which hold the world's purchases -------
    "/sales/reports": Visit("steward", "/sales/reports", 7),
    "/sales/reports/{name}.{kind}": Visit("steward", "/sales/reports/usage.svg", 6),
    "/admin/reports": Visit("admin", "/admin/reports", 5),
    "/admin/reports/{name}.{kind}": Visit("admin", "/admin/reports/revenue.csv", 3),
    "/purchases/spending": Visit("customer", "/purchases/spending", 5),
    "/purchases/spending/{name}.{kind}": Visit("customer", "/purchases/spending/spending.svg", 4),
    "/reports/jobs/{ref}": Visit("customer", "/reports/jobs/{w.report.ref}", 4),
    "/reports/jobs/{ref}/download": Visit("customer", "/reports/jobs/{w.report.ref}/download", 4),
}

# Routes that read no rows of a list or a page, or serve one file's bytes.
EXCLUDED = {
    "/openapi.json": "the OpenAPI document, built from the routes alone",
    "/docs": "the Swagger UI page, static",
    "/api_docs/swagger/v1/{file:path}": "the EOSC documents' files, built without the database",
    "/static": "static files",
    "/static/swagger-ui": "static files (Swagger UI)",
    "/media/resources/{provider}/{name}/{version}/{file_name}": "downloads one asset's file",
    "/media/offerings/{offer_id}/{token}/{file_name}": "serves one logo or screenshot",
    "/media/resources/{stored}": "downloads one asset's file (WStore's link)",
    "/media/{folder}/{file_name}": "serves one logo or screenshot (WStore's address)",
    "/invoices/{number}.pdf": "downloads one invoice's file",
    "/purchases/{ref}/accept": "a gateway's return: completes one payment, answers a redirect",
    "/purchases/{ref}/cancel": "a gateway's cancel: rolls back one payment, answers a redirect",
    "/api/contracting/form": "a redirect to the acquire form: reads one offering",
    "/api/contracting/{ref}/accept": "a redirect to the purchase's return, no query",
    "/api/contracting/{ref}/cancel": "a redirect to the purchase's cancel, no query",
}


def get_routes(app: FastAPI) -> set[str]:
    """Paths answering GET: routes with GET among their methods, and mounts."""
    found = set()
    for route in iter_route_contexts(app.routes):
        methods = getattr(route, "methods", None)
        if methods is None or "GET" in methods:
            found.add(route.path)
    return found


def _headers(path: str, user: TokenUser | None) -> dict[str, str]:
    if user is None:
        return {}
    if path.startswith("/api/v1/"):
        return user.headers
    return {"Authorization": f"Bearer {user.token}"}


def test_every_get_route_is_pinned(app):
    routes, listed = get_routes(app), set(PINNED) | set(EXCLUDED)

    assert not set(PINNED) & set(EXCLUDED)
    assert sorted(routes - listed) == [], "pin these routes' query counts in PINNED"
    assert sorted(listed - routes) == [], "these routes are gone"


FRESH = {"Cache-Control": "no-cache"}


@pytest.mark.parametrize("route", sorted(PINNED))
def test_get_routes_take_a_fixed_number_of_queries(app, client_of, world, count_queries, route):
    visit = PINNED[route]
    url = visit.url.format(w=world)
    user = world.user(visit.who)
    # API callers send their token and no cookie; page visitors log in.
    is_api = url.startswith("/api/")
    client = client_of("visitor" if is_api else visit.who)
    headers = _headers(url, user) if is_api else {}
    if is_api:
        # Pinned as it runs most often: with the caller's token already known.
        client.get(url, headers=headers, follow_redirects=False)

    # Counted as made, not as kept (mercato.kept_answers): no-cache asks for a fresh answer.
    with count_queries() as counted:
        response = client.get(url, headers={**headers, **FRESH}, follow_redirects=False)

    assert response.status_code == 200, response.text[:500]
    statements = "\n".join(counted.statements)
    assert counted.count == visit.expected(app.state.engine.dialect.name), statements
