"""WStore's RSS admin API (store-wire.md §10.3, store-ge.md §4.1), through the real app:
bodies, texts, statuses and the order of the checks, from the reference."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from mercato.commerce.revenue_models import RevenueModel, RssRegistration
from tests.store.wstore.test_marketplaces import CREATED, answer, bearer, error

RSS = "/api/administration/rss"
JSON = {"Content-Type": "application/json"}
BODY = {"name": "testbed rss", "host": "http://rss.example.org/", "api_version": 2}
# WStore's defaults when a registration gives none (store-ge.md §4.1).
DEFAULT_LIMITS = {
    "currency": "EUR",
    "perTransaction": 10000,
    "weekly": 100000,
    "daily": 10000,
    "monthly": 100000,
}
DEFAULT_MODELS = [
    {"revenue_class": "single-payment", "percentage": "10.00"},
    {"revenue_class": "subscription", "percentage": "20.00"},
    {"revenue_class": "use", "percentage": "30.00"},
]
MODELS = [
    {"class": "single-payment", "percentage": 5},
    {"class": "subscription", "percentage": "12.5"},
    {"class": "use", "percentage": 100},
]


@pytest.fixture
def admin(make) -> dict[str, str]:
    return {**bearer(make, is_admin=True), **JSON}


@pytest.fixture
def someone(make) -> dict[str, str]:
    return {**bearer(make), **JSON}


@pytest.fixture
def registered(client, admin) -> None:
    assert answer(client.post(RSS, json=BODY, headers=admin)) == (201, CREATED)


def test_a_fresh_store_lists_no_rss(client, someone):
    listed = client.get(RSS, headers=someone)

    assert (listed.status_code, listed.headers["content-type"]) == (200, "application/json")
    assert listed.json() == []


def test_an_rss_registered_without_limits_or_models_shows_wstores_defaults(client, admin, someone):
    created = client.post(RSS, json=BODY, headers=admin)
    listed = client.get(RSS, headers=someone)
    one = client.get(f"{RSS}/testbed rss", headers=someone)

    assert answer(created) == (201, CREATED)
    shown = {**BODY, "limits": DEFAULT_LIMITS, "models": DEFAULT_MODELS}
    assert listed.json() == [shown]
    assert (one.status_code, one.headers["content-type"], one.json()) == (
        200,
        "application/json",
        shown,
    )


def test_models_given_at_registration_set_the_aggregators_shares(client, admin, session):
    body = {
        **BODY,
        "api_version": "1",
        "limits": {"currency": "eur", "daily": 50, "monthly": 900.5},
        "models": MODELS,
    }

    created = client.post(RSS, json=body, headers=admin)
    shown = client.get(f"{RSS}/testbed rss", headers=admin).json()

    assert answer(created) == (201, CREATED)
    assert shown == {
        **BODY,
        "api_version": 1,
        "limits": {**DEFAULT_LIMITS, "daily": 50, "monthly": 900.5},
        "models": [
            {"revenue_class": "single-payment", "percentage": "5.00"},
            {"revenue_class": "subscription", "percentage": "12.50"},
            {"revenue_class": "use", "percentage": "100.00"},
        ],
    }
    stored = {m.revenue_class.value: m.percentage for m in session.scalars(select(RevenueModel))}
    assert stored == {
        "single-payment": Decimal("5.00"),
        "subscription": Decimal("12.50"),
        "use": Decimal("100.00"),
    }


def _models(*changes: dict) -> list[dict]:
    return [*MODELS[: 3 - len(changes)], *changes]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "Invalid JSON content"),
        ("[1]", "RSS creation error: Missing a required field, name, host, api_version"),
        (
            '{"host": "http://rss.example.org/"}',
            "RSS creation error: Missing a required field, name, api_version",
        ),
        ({**BODY, "name": "bad/name"}, "RSS creation error: Invalid name format"),
        ({**BODY, "host": "rss.example.org"}, "RSS creation error: Invalid URL format"),
        (
            {**BODY, "api_version": "two"},
            "RSS creation error: Invalid api_version format, must be an integer (1 or 2)",
        ),
        ({**BODY, "api_version": 3}, "RSS creation error: Invalid api_version, must be 1 or 2"),
        ({**BODY, "limits": {"currency": "XXX"}}, "Invalid currency"),
        (
            {**BODY, "models": _models({"revenue_class": "use", "percentage": 1})},
            "Invalid revenue sharing model: Missing a required field",
        ),
        (
            {**BODY, "models": _models({"class": "rent", "percentage": 1})},
            "Invalid revenue sharing model: Invalid product class",
        ),
        (
            {**BODY, "models": _models({"class": "use", "percentage": "a lot"})},
            "Invalid revenue sharing model: Invalid percentage type",
        ),
        (
            {**BODY, "models": _models({"class": "use", "percentage": 100.5})},
            "Invalid revenue sharing model: The percentage must be a number between 0 and 100",
        ),
        (
            {**BODY, "models": _models({"class": "use", "percentage": -1})},
            "Invalid revenue sharing model: The percentage must be a number between 0 and 100",
        ),
        (
            {**BODY, "models": MODELS[:2]},
            "Invalid revenue sharing model: Missing a required product class",
        ),
    ],
)
def test_registrations_are_refused_in_wstores_order_and_nothing_is_kept(
    client, admin, session, body, message
):
    sent = {"content": body} if isinstance(body, str) else {"json": body}

    refused = client.post(RSS, headers=admin, **sent)

    assert answer(refused) == (400, error(message))
    assert session.scalars(select(RssRegistration)).all() == []
    assert session.scalars(select(RevenueModel)).all() == []


def test_a_second_rss_is_refused_with_409(client, admin, registered):
    again = client.post(RSS, json={**BODY, "name": "another"}, headers=admin)

    assert answer(again) == (
        409,
        error("RSS creation error: There is a RSS instance already registered"),
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", RSS), ("put", f"{RSS}/testbed rss"), ("delete", f"{RSS}/testbed rss")],
)
def test_only_admins_change_the_rss(client, someone, registered, method, path):
    refused = client.request(method.upper(), path, json=BODY, headers=someone)

    assert answer(refused) == (403, error("Forbidden"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", RSS),
        ("POST", RSS),
        ("GET", f"{RSS}/testbed rss"),
        ("PUT", f"{RSS}/testbed rss"),
        ("DELETE", f"{RSS}/testbed rss"),
    ],
)
def test_anonymous_callers_get_401(client, registered, method, path):
    refused = client.request(method, path, json=BODY, headers={"Accept": "application/json"})

    assert answer(refused) == (401, error("Authentication required"))
    assert refused.headers["www-authenticate"].startswith('Cookie realm="Acme"')


def test_writes_in_another_media_type_get_415_after_the_401(client, admin, registered):
    headers = {**admin, "Content-Type": "text/plain"}

    posted = client.post(RSS, content="{}", headers=headers)
    put = client.put(f"{RSS}/testbed rss", content="{}", headers=headers)
    anonymous = client.post(RSS, content="{}", headers={"Content-Type": "text/plain"})

    assert answer(posted) == (415, error("Unsupported request media type"))
    assert answer(put) == (415, error("Unsupported request media type"))
    assert anonymous.status_code == 401


def test_an_unknown_rss_reads_as_400_invalid_request(client, someone):
    assert answer(client.get(f"{RSS}/nothing", headers=someone)) == (
        400,
        error("Invalid request"),
    )


def test_changes_rename_limit_and_reshare(client, admin, registered):
    body = {"name": "renamed", "limits": {"perTransaction": 5}, "models": MODELS}

    changed = client.put(f"{RSS}/testbed rss", json=body, headers=admin)
    shown = client.get(f"{RSS}/renamed", headers=admin).json()

    assert answer(changed) == (200, {"message": "OK", "result": "correct"})
    assert shown["name"] == "renamed"
    assert shown["limits"] == {**DEFAULT_LIMITS, "perTransaction": 5}
    assert [m["percentage"] for m in shown["models"]] == ["5.00", "12.50", "100.00"]


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (f"{RSS}/nothing", "{}", (404, error("Not found"))),
        (f"{RSS}/testbed rss", "{not json", (400, error("Invalid JSON data"))),
        (f"{RSS}/testbed rss", '{"limits": {"currency": "XXX"}}', (400, error("Invalid currency"))),
        (
            f"{RSS}/testbed rss",
            '{"models": [{"class": "use", "percentage": 1}]}',
            (400, error("Invalid revenue sharing model: Missing a required product class")),
        ),
        # A JSON array changes nothing and still answers OK (§10.3).
        (f"{RSS}/testbed rss", "[1, 2]", (200, {"message": "OK", "result": "correct"})),
    ],
)
def test_changes_are_refused_as_wstore_refuses_them(
    client, admin, registered, path, body, expected
):
    answered = client.put(path, content=body, headers=admin)

    assert answer(answered) == expected
    shown = client.get(f"{RSS}/testbed rss", headers=admin).json()
    assert shown == {**BODY, "limits": DEFAULT_LIMITS, "models": DEFAULT_MODELS}


def test_removing_the_rss_keeps_the_shares(client, admin, registered, session):
    client.put(f"{RSS}/testbed rss", json={"models": MODELS}, headers=admin)

    removed = client.delete(f"{RSS}/testbed rss", headers=admin)
    missing = client.delete(f"{RSS}/testbed rss", headers=admin)

    assert (removed.status_code, removed.content) == (204, b"")
    assert answer(missing) == (404, error("Not found"))
    assert client.get(RSS, headers=admin).json() == []
    assert session.get(RevenueModel, "use").percentage == Decimal("100.00")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("PATCH", RSS, "GET, POST"), ("POST", f"{RSS}/testbed rss", "GET, DELETE, PUT")],
)
def test_other_methods_answer_405_with_wstores_allow(client, method, path, allow):
    refused = client.request(method, path)

    assert (refused.status_code, refused.headers["allow"], refused.content) == (405, allow, b"")
