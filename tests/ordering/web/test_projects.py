"""My projects: listing, creating a project, its page with orders and conversation."""

import re

import pytest
from sqlalchemy import select

from mercato.catalogue.models import OrderType
from mercato.ordering.models import (
    AuthorRole,
    CustomerTypology,
    Event,
    EventResource,
    EventType,
    Message,
    MessageScope,
    Project,
)
from tests.web.pages import field_error, input_value, log_in, submit


def _project_links(page: str) -> list[str]:
    return re.findall(r'<td><a href="/projects/\d+">([^<]+)</a></td>', page)


def _events(session) -> list[tuple]:
    rows = session.scalars(select(Event).order_by(Event.id))
    return [(e.type, e.resource, e.project_id, e.order_id, e.message_id) for e in rows]


def test_my_projects_needs_a_login(client):
    response = client.get("/projects", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fprojects"


def test_header_links_my_projects_for_logged_in_users_only(client, make):
    assert ">My projects</a>" not in client.get("/").text

    log_in(client, make.user())

    assert '<a href="/projects">My projects</a>' in client.get("/").text


def test_my_projects_lists_the_customers_own_projects_newest_first(client, make):
    customer = make.user()
    make.project(customer, name="Older")
    make.project(customer, name="Newer", organization="Cyfronet")
    make.project(make.user(), name="Someone else's")
    log_in(client, customer)

    page = client.get("/projects").text

    assert _project_links(page) == ["Newer", "Older"]
    assert "<td>Cyfronet</td>" in page


def test_my_projects_says_when_there_are_none(client, make):
    log_in(client, make.user())

    assert "You have no projects yet." in client.get("/projects").text


def test_project_form_offers_existing_scientific_domains_and_every_country(client, make):
    make.service(scientific_domains=["Physics", "Chemistry"])
    log_in(client, make.user())

    page = client.get("/projects/new").text

    domains = re.search(
        r'<select id="scientific_domains"[^>]*multiple[^>]*>(.*?)</select>', page, re.S
    )
    assert re.findall(r"<option [^>]*>([^<]+)</option>", domains[1]) == ["Chemistry", "Physics"]
    assert '<option value="Poland">Poland</option>' in page
    assert '<select id="collaboration_countries" name="collaboration_countries" multiple' in page
    assert '<option value="research">Representing a research community</option>' in page


def test_creating_a_project_stores_every_attribute_and_writes_its_event(client, make, session):
    make.service(scientific_domains=["Physics", "Chemistry"])
    customer = make.user()
    log_in(client, customer)

    response = submit(
        client,
        "/projects/new",
        "/projects/new",
        {
            "name": "Climate study",
            "customer_typology": "research",
            "organization": "Cyfronet",
            "department": "HPC",
            "department_webpage": "https://hpc.example.org",
            "scientific_domains": ["Physics", "Chemistry"],
            "country": "Poland",
            "collaboration_countries": ["Germany", "France"],
            "user_group_name": "climate",
        },
    )

    [project] = session.scalars(select(Project)).all()
    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{project.id}"
    assert (
        project.owner_id,
        project.name,
        project.customer_typology,
        project.organization,
        project.department,
        project.department_webpage,
        project.scientific_domains,
        project.country,
        project.collaboration_countries,
        project.user_group_name,
    ) == (
        customer.id,
        "Climate study",
        CustomerTypology.RESEARCH,
        "Cyfronet",
        "HPC",
        "https://hpc.example.org",
        ["Physics", "Chemistry"],
        "Poland",
        ["France", "Germany"],
        "climate",
    )
    assert _events(session) == [(EventType.CREATE, EventResource.PROJECT, project.id, None, None)]
    page = client.get(response.headers["location"]).text
    assert "Project “Climate study” has been created." in page
    assert "<div><dt>Collaboration countries</dt><dd>France, Germany</dd></div>" in page


def test_project_form_shows_each_problem_next_to_its_input_and_writes_nothing(
    client, make, session
):
    log_in(client, make.user())

    response = submit(
        client,
        "/projects/new",
        "/projects/new",
        {
            "name": " ",
            "customer_typology": "alien",
            "organization": "Cyfronet",
            "department_webpage": "hpc.example.org",
            "scientific_domains": "Alchemy",
            "country": "Narnia",
            "collaboration_countries": ["France", "Atlantis"],
        },
    )

    assert response.status_code == 400
    page = response.text
    assert {
        name: field_error(page, name)
        for name in (
            "name",
            "customer_typology",
            "organization",
            "department_webpage",
            "scientific_domains",
            "country",
            "collaboration_countries",
        )
    } == {
        "name": "can't be blank",
        "customer_typology": "must be one of: single_user, research, private_company, project",
        "organization": None,
        "department_webpage": "must be an http:// or https:// address",
        "scientific_domains": "'Alchemy' is not a scientific domain",
        "country": "'Narnia' is not a known country",
        "collaboration_countries": "'Atlantis' is not a known country",
    }
    assert input_value(page, "organization") == "Cyfronet"
    assert '<option value="France" selected>France</option>' in page
    assert session.scalars(select(Project)).all() == []
    assert _events(session) == []


def test_creating_a_project_returns_to_the_page_it_was_asked_from(client, make, session):
    log_in(client, make.user())

    response = submit(
        client,
        "/projects/new?next=/services/cloud/offers/1/order",
        "/projects/new",
        {"name": "P", "customer_typology": "single_user", "next": "/services/cloud/offers/1/order"},
    )

    assert response.headers["location"] == "/services/cloud/offers/1/order"


def test_creating_a_project_never_redirects_off_site(client, make, session):
    log_in(client, make.user())

    response = submit(
        client,
        "/projects/new",
        "/projects/new",
        {"name": "P", "customer_typology": "single_user", "next": "https://evil.example"},
    )

    [project] = session.scalars(select(Project)).all()
    assert response.headers["location"] == f"/projects/{project.id}"


def test_project_page_lists_its_orders_with_their_status(client, make):
    customer = make.user()
    project = make.project(customer, name="Climate study")
    service = make.service(name="Cloud")
    make.order(make.offer(service, name="Small VM", internal=True), project)
    make.order(make.offer(service, name="Docs", order_type=OrderType.OPEN_ACCESS), project)
    log_in(client, customer)

    page = client.get(f"/projects/{project.id}").text

    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td><a href=\"([^\"]+)\">([^<]+)</a></td>", page)
    assert rows == [
        ("1", f"/projects/{project.id}/orders/1", "Small VM"),
        ("2", f"/projects/{project.id}/orders/2", "Docs"),
    ]
    badges = re.findall(r'<span class="badge order-status status-([a-z-]+)">([^<]+)</span>', page)
    assert badges == [("created", "Created"), ("ready", "Ready")]


def test_project_page_reads_a_fixed_number_of_rows_whatever_its_orders(client, make, count_queries):
    customer = make.user()
    project = make.project(customer)
    log_in(client, customer)

    def queries() -> int:
        with count_queries() as counted:
            assert client.get(f"/projects/{project.id}").status_code == 200
        return counted.count

    make.order(make.offer(internal=True), project)
    with_one = queries()
    for _ in range(3):
        make.order(make.offer(internal=True), project)

    assert queries() == with_one


@pytest.mark.parametrize(
    ("scope", "role", "shown"),
    [
        (MessageScope.PUBLIC, AuthorRole.USER, True),
        (MessageScope.PUBLIC, AuthorRole.PROVIDER, True),
        (MessageScope.PUBLIC, AuthorRole.MEDIATOR, True),
        (MessageScope.INTERNAL, AuthorRole.PROVIDER, False),
        (MessageScope.INTERNAL, AuthorRole.MEDIATOR, False),
    ],
)
def test_project_conversation_never_shows_internal_messages(client, make, scope, role, shown):
    customer = make.user()
    project = make.project(customer)
    make.message(project, scope=scope, role=role, author=make.user(), content="The words")
    log_in(client, customer)

    page = client.get(f"/projects/{project.id}").text

    assert ("<p>The words</p>" in page) is shown


def test_project_conversation_leaves_out_messages_on_its_orders(client, make):
    customer = make.user()
    project = make.project(customer)
    order = make.order(make.offer(internal=True), project)
    make.message(order, content="About the order")
    make.message(project, content="About the project")
    log_in(client, customer)

    page = client.get(f"/projects/{project.id}").text

    assert re.findall(r'<div class="message-content"><p>([^<]*)</p>', page) == ["About the project"]


def test_customer_writes_a_public_message_on_their_project(client, make, session):
    customer = make.user(first_name="Ada", last_name="Lovelace")
    project = make.project(customer)
    log_in(client, customer)
    events_before = len(_events(session))

    response = submit(
        client, f"/projects/{project.id}", f"/projects/{project.id}/messages", {"message": "Hi!"}
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{project.id}#conversation"
    [message] = session.scalars(select(Message)).all()
    assert (
        message.project_id,
        message.order_id,
        message.scope,
        message.author_role,
        message.author_id,
        message.author_name,
        message.content,
    ) == (
        project.id,
        None,
        MessageScope.PUBLIC,
        AuthorRole.USER,
        customer.id,
        "Ada Lovelace",
        "Hi!",
    )
    assert _events(session)[events_before:] == [
        (EventType.CREATE, EventResource.MESSAGE, project.id, None, message.id)
    ]
    page = client.get(f"/projects/{project.id}").text
    assert '<strong class="message-author">Ada Lovelace</strong>' in page
    assert "<p>Hi!</p>" in page


def test_a_blank_message_is_refused_next_to_its_input(client, make, session):
    customer = make.user()
    project = make.project(customer)
    log_in(client, customer)

    response = submit(
        client, f"/projects/{project.id}", f"/projects/{project.id}/messages", {"message": "  "}
    )

    assert response.status_code == 400
    assert field_error(response.text, "message") == "can't be blank"
    assert session.scalars(select(Message)).all() == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_customers_project_does_not_exist_for_them(client, make, session, method):
    project = make.project(make.user())
    log_in(client, make.user())
    token_page = "/projects"

    if method == "GET":
        response = client.get(f"/projects/{project.id}")
    else:
        response = submit(
            client, token_page, f"/projects/{project.id}/messages", {"message": "Sneaky"}
        )

    assert response.status_code == 404
    assert "Project not found" in response.text
    assert session.scalars(select(Message)).all() == []
