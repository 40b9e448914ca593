"""Projects, orders and messages loaded from a data set through the ordering rules, and dumped."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.catalogue.models import Offer, OfferStatus, OrderType, ScientificDomain
from mercato.catalogue.parameter_values import check_values
from mercato.catalogue.rules import update_offer
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.names import offer_ref
from mercato.datasets.ordering import (
    dump_messages,
    dump_orders,
    dump_projects,
    load_messages,
    load_orders,
    load_projects,
)
from mercato.datasets.schema import MessageRecord, OrderRecord, ProjectRecord
from mercato.ordering.messages import post_message
from mercato.ordering.models import (
    AuthorRole,
    CustomerTypology,
    Delivery,
    Event,
    Message,
    MessageScope,
    Order,
    Project,
    StatusChange,
    StatusType,
)
from mercato.ordering.projects import ProjectData, create_project
from tests.factories import ALL_PARAMETERS, Factory, sample_values

ANN, SOFIA = "ann@example.org", "sofia@example.org"
VM, NOTEBOOKS = "virtual-machines/1", "virtual-machines/2"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 9, 11, 30, 15, 250000, tzinfo=UTC)
T3 = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
# The VM offer's parameters with a customer's values, in the stored shape.
PROPERTIES = check_values(ALL_PARAMETERS, sample_values(ALL_PARAMETERS))


@dataclass
class World:
    ann: User
    sofia: User


@pytest.fixture
def world(loading: Loading, make: Factory, session: Session) -> World:
    """Users kept by e-mail and offers by service slug and iid, as a dump names them."""
    ann = make.user(ANN, first_name="Ann", last_name="Lee")
    sofia = make.user(SOFIA, first_name="Sofia", last_name="Rossi")
    make.oms("Desk", is_default=True, trigger_url="https://192.0.2.40/hook")
    service = make.service(name="Virtual machines")
    vm = make.offer(service, name="VM", internal=True, parameters=ALL_PARAMETERS)
    notebooks = make.offer(service, name="Notebooks", order_type=OrderType.OPEN_ACCESS)
    session.add(ScientificDomain(slug="physics", name="Physics"))
    session.commit()
    for user in (ann, sofia):
        loading.keep("users", user.email, user)
    for offer in (vm, notebooks):
        loading.keep("offers", offer_ref(service.slug, offer.iid), offer.id)
    return World(ann, sofia)


def projects(*changed: dict[str, Any]) -> list[ProjectRecord]:
    base = {"ref": "p1", "owner": ANN, "name": "Genomes"}
    return [ProjectRecord.model_validate({**base, **fields}) for fields in changed]


def orders(*changed: dict[str, Any]) -> list[OrderRecord]:
    base = {"ref": "o1", "project": "p1", "offer": VM, "offer_properties": PROPERTIES}
    return [OrderRecord.model_validate({**base, **fields}) for fields in changed]


def messages(*changed: dict[str, Any]) -> list[MessageRecord]:
    base = {"project": "p1", "author_role": "user", "author": ANN, "content": "Hello"}
    return [MessageRecord.model_validate({**base, **fields}) for fields in changed]


def _events(session: Session) -> list[tuple[str, str, int, int | None, int | None]]:
    return [
        (e.type.value, e.resource.value, e.project_id, e.order_id, e.message_id)
        for e in session.scalars(select(Event).order_by(Event.id))
    ]


def _error(raised: pytest.ExceptionInfo[LoadError]) -> str:
    return str(raised.value)


def test_projects_keep_their_id_owner_attributes_and_creation_time(
    loading: Loading, world: World, session: Session
) -> None:
    load_projects(
        loading,
        projects(
            {
                "id": 7,
                "customer_typology": "research",
                "organization": " CERN ",
                "country": "at",
                "collaboration_countries": ["Italy", "DEU"],
                "scientific_domains": ["Physics"],
                "created_at": "2026-03-02T10:00:00+01:00",
            },
            {"ref": "p2", "owner": SOFIA, "name": "Climate"},
        ),
    )
    session.commit()

    first, second = session.scalars(select(Project).order_by(Project.id))
    assert (first.id, first.owner_id, first.customer_typology, first.organization) == (
        7,
        world.ann.id,
        CustomerTypology.RESEARCH,
        "CERN",
    )
    assert (first.country, first.collaboration_countries, first.scientific_domains) == (
        "Austria",
        ["Germany", "Italy"],
        ["Physics"],
    )
    assert (first.created_at, first.updated_at) == (T0, T0)
    assert (second.id, second.owner_id, second.name) == (8, world.sofia.id, "Climate")
    assert loading.rows["projects"] == {"p1": first, "p2": second}


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (
            [{"owner": "nobody"}],
            "projects[0] (ref 'p1'), field 'owner': names no users record 'nobody' "
            "of this data set",
        ),
        (
            [{"id": 3}, {"ref": "p2", "id": 3}],
            "projects[1] (ref 'p2'), field 'id': is already taken",
        ),
        (
            [{"country": "Atlantis"}],
            "projects[0] (ref 'p1'), field 'country': 'Atlantis' is not a known country",
        ),
        (
            [{"scientific_domains": ["Alchemy"]}],
            "projects[0] (ref 'p1'), field 'scientific_domains': "
            "'Alchemy' is not a scientific domain",
        ),
    ],
)
def test_a_broken_project_is_named_with_its_field(
    loading: Loading, world: World, changed: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(LoadError) as raised:
        load_projects(loading, projects(*changed))

    assert _error(raised) == message


def test_rows_made_the_usual_way_after_given_ids_take_free_ids(
    loading: Loading, world: World, session: Session
) -> None:
    load_projects(loading, projects({"id": 5}, {"ref": "p2"}, {"ref": "p3", "id": 3}))
    load_messages(loading, messages({"id": 8}, {}))
    session.commit()

    project = create_project(session, world.ann, ProjectData(name="Made here"))
    message = post_message(
        session,
        project=project,
        order=None,
        scope=MessageScope.PUBLIC,
        role=AuthorRole.USER,
        author=world.ann,
        content="Hi",
    )
    session.commit()

    assert list(session.scalars(select(Project.id).order_by(Project.id))) == [3, 5, 6, 7]
    assert list(session.scalars(select(Message.id).order_by(Message.id))) == [8, 9, 10]
    assert (project.id, message.id) == (7, 10)


def test_orders_keep_iid_status_history_properties_secrets_and_times(
    loading: Loading, world: World, session: Session
) -> None:
    load_projects(loading, projects({}))

    load_orders(
        loading,
        orders(
            {
                "iid": 4,
                "status": {"type": "in_progress", "value": "Samples received"},
                "history": [
                    {"type": "created", "value": "created", "author": ANN, "at": T1},
                    {"type": "registered", "value": "LIMS-2291", "at": T2},
                    {"type": "in_progress", "value": "Samples received", "author": SOFIA, "at": T3},
                ],
                "user_secrets": {"login": "ann"},
                "request_voucher": True,
                "voucher_id": " V-1 ",
                "created_at": T1,
            }
        ),
    )
    session.commit()

    order = session.scalars(select(Order)).one()
    assert (order.iid, order.status_type, order.status_value, order.order_type) == (
        4,
        StatusType.IN_PROGRESS,
        "Samples received",
        "order_required",
    )
    assert (order.offer_properties, order.user_secrets) == (PROPERTIES, {"login": "ann"})
    assert (order.request_voucher, order.voucher_id) == (True, "V-1")
    assert (order.created_at, order.updated_at) == (T1, T3)
    assert [
        (s.status_type, s.status_value, s.author_id, s.created_at)
        for s in session.scalars(select(StatusChange).order_by(StatusChange.id))
    ] == [
        (StatusType.CREATED, "created", world.ann.id, T1),
        (StatusType.REGISTERED, "LIMS-2291", None, T2),
        (StatusType.IN_PROGRESS, "Samples received", world.sofia.id, T3),
    ]
    assert loading.rows["orders"] == {"o1": order}


def test_an_order_without_status_or_history_starts_as_a_placed_order(
    loading: Loading, world: World, session: Session
) -> None:
    load_projects(loading, projects({}))

    load_orders(
        loading,
        orders(
            {"created_at": T1},
            {"ref": "o2", "offer": NOTEBOOKS, "offer_properties": []},
            {"ref": "o3", "history": [{"type": "ready", "value": "Up", "at": T2}]},
        ),
    )
    session.commit()

    rows = session.scalars(select(Order).order_by(Order.id)).all()
    assert [(o.iid, o.status_type, o.status_value, o.order_type) for o in rows] == [
        (1, StatusType.CREATED, "created", "order_required"),
        (2, StatusType.READY, "ready", "open_access"),
        (3, StatusType.READY, "Up", "order_required"),
    ]
    assert [[(s.status_type, s.author_id) for s in o.history] for o in rows] == [
        [(StatusType.CREATED, world.ann.id)],
        [(StatusType.READY, world.ann.id)],
        [(StatusType.READY, None)],
    ]
    assert (rows[0].created_at, rows[0].history[0].created_at) == (T1, T1)
    assert rows[2].created_at == T2


def test_properties_are_checked_by_their_own_parameters_not_the_offers_current_ones(
    loading: Loading, world: World, session: Session
) -> None:
    # Since the order, the provider changed the offer's parameters and deleted it.
    vm = session.get_one(Offer, loading.rows["offers"][VM])
    update_offer(session, vm, {"parameters": []}, OfferStatus.DELETED)
    session.commit()
    load_projects(loading, projects({}))

    load_orders(loading, orders({}))

    assert session.scalars(select(Order.offer_properties)).one() == PROPERTIES


def test_an_order_keeps_the_type_it_was_ordered_with_when_its_offer_changed_type(
    loading: Loading, world: World, session: Session, make: Factory
) -> None:
    vm = session.get_one(Offer, loading.rows["offers"][VM])
    placed = make.order(vm, make.project(world.ann))
    make.offer(vm.service, name="Keeps the service's order type")
    update_offer(session, vm, {"order_type": OrderType.OTHER, "internal": False})
    session.commit()

    [dumped] = dump_orders(session)
    load_projects(loading, projects({}))
    load_orders(loading, orders({"order_type": dumped.order_type}, {"ref": "o2"}))

    assert (placed.order_type, dumped.order_type) == ("order_required", OrderType.ORDER_REQUIRED)
    assert [o.order_type for o in loading.rows["orders"].values()] == ["order_required", "other"]


def _with_property(index: int, **changed: Any) -> list[dict[str, Any]]:
    return [{**p, **changed} if i == index else p for i, p in enumerate(PROPERTIES)]


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (
            [{"project": "nowhere"}],
            "orders[0] (ref 'o1'), field 'project': names no projects record 'nowhere' "
            "of this data set",
        ),
        (
            [{"offer": "virtual-machines/9"}],
            "orders[0] (ref 'o1'), field 'offer': names no offers record "
            "'virtual-machines/9' of this data set",
        ),
        (
            [{"iid": 2}, {"ref": "o2", "iid": 2}],
            "orders[1] (ref 'o2'), field 'iid': is already taken in this project",
        ),
        (
            [{"offer_properties": _with_property(5, value=65)}],
            "orders[0] (ref 'o1'), field 'offer_properties[5].value': must be between 1 and 64",
        ),
        (
            [{"offer_properties": _with_property(3, value=[])}],
            "orders[0] (ref 'o1'), field 'offer_properties[3].value': can't be blank",
        ),
        (
            [{"offer_properties": _with_property(2, config={"mode": "buttons"})}],
            "orders[0] (ref 'o1'), field 'offer_properties[2].config.values': can't be blank",
        ),
        (
            [{"offer_properties": _with_property(1, id="0")}],
            "orders[0] (ref 'o1'), field 'offer_properties[1].id': repeats the id of parameter 1",
        ),
        (
            [
                {
                    "status": {"type": "ready", "value": "ready"},
                    "history": [{"type": "created", "value": "created", "at": T1}],
                }
            ],
            "orders[0] (ref 'o1'), field 'history': must end with the order's status",
        ),
        (
            [
                {
                    "history": [
                        {"type": "registered", "value": "in", "at": T1},
                        {"type": "created", "value": "again", "at": T2},
                    ]
                }
            ],
            "orders[0] (ref 'o1'), field 'history[1].type': cannot go back to created",
        ),
        (
            [
                {
                    "history": [
                        {"type": "created", "value": "created", "at": T2},
                        {"type": "ready", "value": "ready", "at": T1},
                    ]
                }
            ],
            "orders[0] (ref 'o1'), field 'history[1].at': is earlier than the step before",
        ),
        (
            [{"history": [{"type": "ready", "value": "ready", "author": "ghost", "at": T1}]}],
            "orders[0] (ref 'o1'), field 'history[0].author': names no users record 'ghost' "
            "of this data set",
        ),
        (
            [{"voucher_id": "V-1"}],
            "orders[0] (ref 'o1'), field 'voucher_id': is only given with request_voucher",
        ),
    ],
)
def test_a_broken_order_is_named_with_its_field(
    loading: Loading, world: World, changed: list[dict[str, Any]], message: str
) -> None:
    load_projects(loading, projects({}))

    with pytest.raises(LoadError) as raised:
        load_orders(loading, orders(*changed))

    assert _error(raised) == message


def test_messages_keep_id_scope_author_signature_edit_mark_and_time(
    loading: Loading, world: World, session: Session
) -> None:
    load_projects(loading, projects({}))
    load_orders(loading, orders({}))

    load_messages(
        loading,
        messages(
            {"id": 10, "created_at": T1},
            {
                "project": None,
                "order": "o1",
                "scope": "internal",
                "author_role": "provider",
                "author": SOFIA,
                "signature": {"email": "desk@lab.example.org", "name": "Lab desk"},
                "content": "Noted",
                "is_edited": True,
                "created_at": T2,
            },
        ),
    )
    session.commit()

    order = loading.rows["orders"]["o1"]
    assert [
        (
            m.id,
            m.project_id,
            m.order_id,
            m.scope,
            m.author_role,
            m.author_id,
            (m.author_uid, m.author_email, m.author_name),
            m.content,
            m.is_edited,
            m.created_at,
            m.updated_at,
        )
        for m in session.scalars(select(Message).order_by(Message.id))
    ] == [
        (
            10,
            order.project_id,
            None,
            MessageScope.PUBLIC,
            AuthorRole.USER,
            world.ann.id,
            (world.ann.uid, ANN, "Ann Lee"),
            "Hello",
            False,
            T1,
            T1,
        ),
        (
            11,
            order.project_id,
            order.id,
            MessageScope.INTERNAL,
            AuthorRole.PROVIDER,
            world.sofia.id,
            ("", "desk@lab.example.org", "Lab desk"),
            "Noted",
            True,
            T2,
            T2,
        ),
    ]


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (
            [{"project": "p2", "order": "o1"}],
            "messages[0], field 'order': is not an order of this project",
        ),
        (
            [{"project": None}],
            "messages[0], field 'project': is needed when no order is given",
        ),
        (
            [{"order": "o9"}],
            "messages[0], field 'order': names no orders record 'o9' of this data set",
        ),
        (
            [{"author": "ghost"}],
            "messages[0], field 'author': names no users record 'ghost' of this data set",
        ),
        ([{}, {"id": 1}], "messages[1], field 'id': is already taken"),
        ([{"content": "  "}], "messages[0], field 'content': can't be blank"),
    ],
)
def test_a_broken_message_is_named_with_its_field(
    loading: Loading, world: World, changed: list[dict[str, Any]], message: str
) -> None:
    load_projects(loading, projects({}, {"ref": "p2"}))
    load_orders(loading, orders({}))

    with pytest.raises(LoadError) as raised:
        load_messages(loading, messages(*changed))

    assert _error(raised) == message


def test_loading_writes_the_create_events_in_the_files_order_with_their_deliveries(
    loading: Loading, world: World, session: Session
) -> None:
    load_projects(loading, projects({"id": 4}, {"ref": "p2", "id": 2}))
    load_orders(loading, orders({}, {"ref": "o2", "project": "p2", "offer": NOTEBOOKS}))
    load_messages(loading, messages({"project": None, "order": "o2", "id": 6}, {"id": 5}))
    session.commit()

    first, second = loading.rows["orders"]["o1"].id, loading.rows["orders"]["o2"].id
    assert _events(session) == [
        ("create", "project", 4, None, None),
        ("create", "project", 2, None, None),
        ("create", "project_item", 4, first, None),
        ("create", "project_item", 2, second, None),
        ("create", "message", 2, second, 6),
        ("create", "message", 4, None, 5),
    ]
    assert session.scalars(select(Delivery.event_id).order_by(Delivery.id)).all() == list(
        range(1, 7)
    )


def test_dumped_records_are_the_loaded_ones(
    loading: Loading, world: World, session: Session
) -> None:
    given_projects = projects(
        {
            "ref": "project-7",
            "id": 7,
            "customer_typology": "research",
            "organization": "CERN",
            "department": "Physics",
            "department_webpage": "https://cern.example.org",
            "country": "Switzerland",
            "collaboration_countries": ["France", "Germany"],
            "scientific_domains": ["Physics"],
            "user_group_name": "atlas",
            "created_at": T0,
        }
    )
    given_orders = orders(
        {
            "ref": "project-7/4",
            "project": "project-7",
            "iid": 4,
            "status": {"type": "in_progress", "value": "Running"},
            "history": [
                {"type": "created", "value": "created", "author": ANN, "at": T1},
                {"type": "in_progress", "value": "Running", "at": T2},
            ],
            "user_secrets": {"login": "ann"},
            "request_voucher": True,
            "voucher_id": "V-1",
            "created_at": T1,
        },
        {
            "ref": "project-7/5",
            "project": "project-7",
            "iid": 5,
            "offer": NOTEBOOKS,
            "order_type": "order_required",
            "status": {"type": "ready", "value": "ready"},
            "history": [{"type": "ready", "value": "ready", "author": ANN, "at": T2}],
            "offer_properties": [],
            "created_at": T2,
        },
    )
    given_messages = messages(
        {"id": 3, "project": "project-7", "created_at": T1},
        {
            "id": 9,
            "project": "project-7",
            "order": "project-7/4",
            "scope": "user_direct",
            "author_role": "provider",
            "author": SOFIA,
            "signature": {"uid": "sofia@egi.eu", "email": "desk@lab.example.org", "name": "Desk"},
            "content": "Your key",
            "is_edited": True,
            "created_at": T3,
        },
    )
    load_projects(loading, given_projects)
    load_orders(loading, given_orders)
    load_messages(loading, given_messages)
    session.commit()
    session.expire_all()

    assert list(dump_projects(session)) == given_projects
    assert list(dump_orders(session)) == given_orders
    assert list(dump_messages(session)) == given_messages


def test_rows_made_by_the_app_dump_with_refs_by_email_slug_and_iid(
    make: Factory, world: World, session: Session, loading: Loading
) -> None:
    project = make.project(world.ann, name="Made here")
    vm = session.get_one(Offer, loading.rows["offers"][VM])
    order = make.order(vm, project)
    message = make.message(order, content="Thanks")

    [project_record], [order_record], [message_record] = (
        dump_projects(session),
        dump_orders(session),
        dump_messages(session),
    )

    assert project_record == ProjectRecord(
        ref=f"project-{project.id}",
        id=project.id,
        owner=ANN,
        name="Made here",
        created_at=project.created_at,
    )
    assert order_record == OrderRecord(
        ref=f"project-{project.id}/1",
        project=f"project-{project.id}",
        iid=1,
        offer=VM,
        status={"type": "created", "value": "created"},
        history=[{"type": "created", "value": "created", "author": ANN, "at": order.created_at}],
        offer_properties=PROPERTIES,
        created_at=order.created_at,
    )
    assert message_record == MessageRecord(
        id=message.id,
        project=f"project-{project.id}",
        order=f"project-{project.id}/1",
        author_role="user",
        author=ANN,
        content="Thanks",
        created_at=message.created_at,
    )


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("user", "internal"),
        ("user", "user_direct"),
        ("mediator", "user_direct"),
        ("provider", "user_direct"),
    ],
)
def test_messages_keep_any_scope_a_past_author_wrote(
    loading: Loading, world: World, session: Session, role: str, scope: str
) -> None:
    # A customer's private message, or one by a provider on the project itself:
    # written under earlier rules or by an author whose role changed, and kept.
    load_projects(loading, projects({}))

    load_messages(loading, messages({"scope": scope, "author_role": role, "content": "Then"}))
    session.commit()

    [message] = session.scalars(select(Message)).all()
    assert (message.scope.value, message.author_role.value, message.content) == (
        scope,
        role,
        "Then",
    )
    assert [m.model_dump(mode="json", exclude_defaults=True) for m in dump_messages(session)] == [
        {
            "id": message.id,
            "project": f"project-{message.project_id}",
            "scope": scope,
            "author_role": role,
            "author": ANN,
            "content": "Then",
            "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
        }
    ]
