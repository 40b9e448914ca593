"""Reviews, replies and tags on WStore's wire (store-wire.md §1.5, §5, §6).

Every expected status, text and shape below is copied from store-wire.md, not
from Mercato's answers; the rating arithmetic is store-ge.md §12's.
"""

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from mercato.store import offerings
from mercato.store.models import Review
from tests.store.world import bearer

ONE = "/api/offering/offerings/CoNWeT/{}/1.0"
LIGHTS = ONE.format("Lights")
REVIEWS = f"{LIGHTS}/review"
REVIEW = {"title": "Bright", "comment": "Good offering", "rating": 4}
REPLY = {"title": "Thanks", "comment": "Glad it helps"}
CREATED = {"message": "Created", "result": "correct"}
OK = {"message": "OK", "result": "correct"}
JSON = "application/json"


def error(message: str) -> dict[str, str]:
    return {"message": message, "result": "error"}


def wire_date(moment: datetime) -> str:
    """§0.7: Python's str() of the naive datetime (fraction only when not zero)."""
    return str(moment.replace(tzinfo=None))


@pytest.fixture
def provider(store, seller):
    return store.provider(seller)


@pytest.fixture
def bought(store, provider, seller, buyer, make):
    offering = store.offering(provider, seller, "Lights", publish=True)
    make.order(offering.offer, make.project(buyer.user))
    return offering


@pytest.fixture
def stranger(make):
    return make.token_user("stranger@example.org")


def send(client, method, url, user=None, body=None, *, raw=None, media_type=JSON):
    headers = {**(bearer(user) if user else {}), "Accept": JSON}
    if media_type is not None:
        headers["Content-Type"] = media_type
    content = raw if raw is not None else (None if body is None else json.dumps(body))
    return client.request(method, url, content=content, headers=headers)


def review(client, user, body=REVIEW, url=REVIEWS):
    return send(client, "POST", url, user, body)


def review_id(session) -> int:
    return session.scalar(select(Review.id).order_by(Review.id.desc()))


# --- POST .../review (§5, §5.2) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (REVIEW, 201, CREATED),
        ({**REVIEW, "rating": 0}, 201, CREATED),
        ({**REVIEW, "rating": True}, 201, CREATED),
        ({**REVIEW, "comment": ""}, 201, CREATED),
        ([1], 400, error("Invalid review data")),
        ({}, 400, error("Missing required field")),
        ([], 400, error("Missing required field")),
        ({"title": "Bright", "rating": 4}, 400, error("Missing required field")),
        ({"title": "Bright", "comment": "Good"}, 400, error("Missing required field")),
        ({**REVIEW, "title": 3}, 400, error("Invalid title format")),
        ({**REVIEW, "comment": 3}, 400, error("Invalid comment format")),
        (
            {**REVIEW, "title": "x" * 61},
            400,
            error("The title cannot contain more than 60 characters"),
        ),
        (
            {**REVIEW, "comment": "x" * 1001},
            400,
            error("The comment cannot contain more than 1000 characters"),
        ),
        ({**REVIEW, "rating": 4.0}, 400, error("Invalid rating format")),
        ({**REVIEW, "rating": "5"}, 400, error("Invalid rating format")),
        ({**REVIEW, "rating": 6}, 400, error("Rating must be an integer between 0 and 5")),
        ({**REVIEW, "rating": -1}, 400, error("Rating must be an integer between 0 and 5")),
        # Title type before comment type, types before lengths (§5.2 steps 5-8).
        ({"title": 3, "comment": 3, "rating": 9}, 400, error("Invalid title format")),
        ({**REVIEW, "title": "x" * 61, "comment": 3}, 400, error("Invalid comment format")),
    ],
)
def test_post_review(client, bought, buyer, session, body, status, answer):
    response = review(client, buyer, body)

    assert (response.status_code, response.json()) == (status, answer)
    assert len(session.scalars(select(Review)).all()) == (1 if status == 201 else 0)


def test_post_review_with_an_empty_body_misses_every_field(client, bought, buyer):
    response = send(client, "POST", REVIEWS, buyer, raw=b"")

    assert (response.status_code, response.json()) == (400, error("Missing required field"))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{a:1}", "Expecting property name: line 1 column 2 (char 1)"),
        (b"[1,]", "No JSON object could be decoded"),
    ],
)
def test_post_review_with_undecodable_json_gives_pythons_text(client, bought, buyer, raw, message):
    response = send(client, "POST", REVIEWS, buyer, raw=raw)

    assert (response.status_code, response.json()) == (400, error(message))


def test_review_refusals_in_wstores_order(client, store, provider, seller, bought, buyer, stranger):
    asset = store.asset(provider, "Open data", is_open=True)
    store.offering(provider, seller, "Free", bound=[asset], is_open=True, publish=True)
    store.offering(provider, seller, "Draft")
    review(client, buyer)

    answers = [
        (lambda r: (r.status_code, r.json()))(response)
        for response in [
            review(client, None),
            send(client, "POST", REVIEWS, None, REVIEW, media_type="text/plain"),
            send(client, "POST", REVIEWS, buyer, REVIEW, media_type="text/plain"),
            send(client, "POST", REVIEWS, buyer, REVIEW, media_type=None),
            review(client, buyer, url=f"{ONE.format('Nothing')}/review"),
            review(client, stranger, url=f"{ONE.format('Draft')}/review"),
            review(client, stranger, body=[1]),
            review(client, seller, body=[1], url=f"{ONE.format('Free')}/review"),
            review(client, buyer, body=[1]),
            send(client, "POST", REVIEWS, stranger, raw=b"{a:1}"),
        ]
    ]

    assert answers == [
        (401, error("Authentication required")),
        (401, error("Authentication required")),
        (415, error("Unsupported request media type")),
        (415, error("Unsupported request media type")),
        (404, error("Offering not found")),
        (403, error("Forbidden")),
        (403, error("You cannot review this offering since you has not acquire it")),
        (403, error("You cannot review your own offering")),
        (
            403,
            error(
                "You cannot review this offering again. "
                "Please update your review to provide new comments"
            ),
        ),
        (400, error("Expecting property name: line 1 column 2 (char 1)")),
    ]


def test_open_offerings_are_reviewed_without_an_acquisition(client, store, provider, seller):
    asset = store.asset(provider, "Open data", is_open=True)
    store.offering(provider, seller, "Free", bound=[asset], is_open=True, publish=True)
    someone = store.make.token_user("someone@example.org")

    response = review(client, someone, url=f"{ONE.format('Free')}/review")

    assert (response.status_code, response.json()) == (201, CREATED)


# --- GET .../review (§1.5, §5.1) ---------------------------------------------------------


def test_reviews_have_wstores_shape(client, bought, buyer, seller, session):
    review(client, buyer)
    send(client, "PUT", f"{REVIEWS}/{review_id(session)}/reply", seller, REPLY)
    row = session.scalar(select(Review))

    response = client.get(REVIEWS, headers=bearer(buyer))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == [
        {
            "id": str(row.id),
            "user": "customer",
            "organization": "customer",
            "timestamp": wire_date(row.created_at),
            "title": "Bright",
            "comment": "Good offering",
            "rating": 4,
            "response": {
                "user": "app_provider",
                "organization": "CoNWeT",
                "timestamp": wire_date(row.replied_at),
                "title": "Thanks",
                "response": "Glad it helps",
            },
        }
    ]


def test_comments_hold_the_review_ids_newest_first(client, bought, buyer, make, session):
    second = make.token_user("second@example.org")
    make.order(bought.offer, make.project(second.user))
    review(client, buyer)
    review(client, second)
    first_id, second_id = session.scalars(select(Review.id).order_by(Review.id)).all()

    shown = client.get(LIGHTS, headers=bearer(buyer)).json()

    assert (shown["comments"], shown["rating"], shown["state"]) == (
        [str(second_id), str(first_id)],
        "4.00",
        "rated",
    )


def test_a_changed_review_comes_first_in_the_list_but_not_in_comments(
    client, bought, buyer, make, session
):
    second = make.token_user("second@example.org")
    make.order(bought.offer, make.project(second.user))
    review(client, buyer, {**REVIEW, "title": "First"})
    review(client, second, {**REVIEW, "title": "Second"})
    first_id, second_id = session.scalars(select(Review.id).order_by(Review.id)).all()

    send(client, "PUT", f"{REVIEWS}/{first_id}", buyer, {**REVIEW, "title": "First again"})

    listed = client.get(REVIEWS, headers=bearer(buyer)).json()
    assert [r["title"] for r in listed] == ["First again", "Second"]
    assert client.get(LIGHTS, headers=bearer(buyer)).json()["comments"] == [
        str(second_id),
        str(first_id),
    ]


@pytest.mark.parametrize(
    ("query", "status", "answer"),
    [
        ("?start=2&limit=1", 200, ["Review 1"]),
        ("?start=1&limit=2", 200, ["Review 2", "Review 1"]),
        ("?start=3&limit=5", 200, ["Review 0"]),
        ("?start=2", 200, ["Review 2", "Review 1", "Review 0"]),
        ("?start=&limit=1", 200, ["Review 2", "Review 1", "Review 0"]),
        ("?start=a&limit=1", 400, error("Invalid pagination params")),
        ("?start=1&limit=1.5", 400, error("Invalid pagination params")),
        ("?start=0&limit=1", 400, error("Start parameter should be higher than 0")),
        ("?start=1&limit=0", 400, error("Limit parameter should be higher than 0")),
        ("?start=0&limit=0", 400, error("Start parameter should be higher than 0")),
    ],
)
def test_reviews_page(client, bought, buyer, make, query, status, answer):
    for number in range(3):
        user = make.token_user()
        make.order(bought.offer, make.project(user.user))
        review(client, user, {**REVIEW, "title": f"Review {number}"})

    response = client.get(f"{REVIEWS}{query}", headers=bearer(buyer))

    shown = [r["title"] for r in response.json()] if status == 200 else response.json()
    assert (response.status_code, shown) == (status, answer)


def test_reviews_of_any_offering_state_are_listed_for_any_caller(
    client, store, provider, seller, stranger
):
    store.offering(provider, seller, "Draft")

    answers = [
        client.get(f"{ONE.format('Draft')}/review", headers=bearer(stranger)),
        client.get(f"{ONE.format('Nothing')}/review", headers=bearer(stranger)),
        client.get(f"{ONE.format('Draft')}/review"),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [
        (200, []),
        (404, error("Offering not found")),
        (401, error("Authentication required")),
    ]


# --- PUT / DELETE .../review/{id} (§5.3) --------------------------------------------------


def test_review_changes_answer_201_created_and_move_the_rating(
    client, bought, buyer, make, session
):
    second = make.token_user()
    make.order(bought.offer, make.project(second.user))
    review(client, buyer, {**REVIEW, "rating": 5})
    review(client, second, {**REVIEW, "rating": 2})
    first_id, second_id = session.scalars(select(Review.id).order_by(Review.id)).all()

    def rating() -> str:
        return client.get(LIGHTS, headers=bearer(buyer)).json()["rating"]

    ratings = [rating()]
    updated = send(client, "PUT", f"{REVIEWS}/{second_id}", second, {**REVIEW, "rating": 4})
    ratings.append(rating())
    removed = send(client, "DELETE", f"{REVIEWS}/{first_id}", buyer, media_type=None)
    ratings.append(rating())
    # A DELETE's body is ignored (WStore crashes on one, §11).
    with_body = send(client, "DELETE", f"{REVIEWS}/{second_id}", second, {"why": "done"})
    ratings.append(rating())

    assert [(r.status_code, r.json()) for r in (updated, removed, with_body)] == [
        (201, CREATED),
        (201, CREATED),
        (201, CREATED),
    ]
    assert ratings == ["3.50", "4.50", "4.00", "0.00"]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_review_change_checks_in_wstores_order(
    client, store, provider, seller, bought, buyer, stranger, session, method
):
    store.offering(provider, seller, "Draft")
    review(client, buyer)
    mine = f"{REVIEWS}/{review_id(session)}"

    def call(url, user, body=REVIEW, **kwargs):
        response = send(client, method, url, user, body if method == "PUT" else None, **kwargs)
        return response.status_code, response.json()

    answers = [
        call(mine, None),
        call(f"{ONE.format('Nothing')}/review/1", buyer),
        call(f"{ONE.format('Draft')}/review/1", buyer),
        call(f"{REVIEWS}/999", buyer),
        call(f"{REVIEWS}/abc", buyer),
        call(mine, stranger),
        call(mine, seller),
    ]

    assert answers == [
        (401, error("Authentication required")),
        (404, error("Offering not found")),
        (403, error("Forbidden")),
        (400, error("Invalid review id")),
        (400, error("Invalid review id")),
        (403, error("The user cannot update the current review")),
        (403, error("The user cannot update the current review")),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**REVIEW, "rating": 9}, "Rating must be an integer between 0 and 5"),
        ({}, "Missing required field"),
        ([1], "Invalid review data"),
    ],
)
def test_review_put_reads_the_body_before_the_id(client, bought, buyer, body, message):
    response = send(client, "PUT", f"{REVIEWS}/999", buyer, body)

    assert (response.status_code, response.json()) == (400, error(message))


def test_review_put_needs_json(client, bought, buyer, session):
    review(client, buyer)

    response = send(
        client, "PUT", f"{REVIEWS}/{review_id(session)}", buyer, REVIEW, media_type="text/plain"
    )

    assert (response.status_code, response.json()) == (
        415,
        error("Unsupported request media type"),
    )


def test_a_review_is_changed_only_through_its_own_offering(
    client, store, provider, seller, bought, buyer, session
):
    other = store.offering(provider, seller, "Other", publish=True)
    store.make.order(other.offer, store.make.project(buyer.user))
    review(client, buyer)

    response = send(client, "PUT", f"{ONE.format('Other')}/review/{review_id(session)}", buyer)

    assert (response.status_code, response.json()) == (400, error("Missing required field"))
    response = send(
        client, "PUT", f"{ONE.format('Other')}/review/{review_id(session)}", buyer, REVIEW
    )
    assert (response.status_code, response.json()) == (400, error("Invalid review id"))


# --- PUT / DELETE .../review/{id}/reply (§5.4) --------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (REPLY, 201, CREATED),
        ([1], 400, error("Invalid response type")),
        ({}, 400, error("Missing a required field in response")),
        ({"title": "Thanks"}, 400, error("Missing a required field in response")),
        ({"comment": "Glad"}, 400, error("Missing a required field in response")),
        ({**REPLY, "title": 3}, 400, error("Invalid title format")),
        ({**REPLY, "comment": 3}, 400, error("Invalid response text format")),
        (
            {**REPLY, "title": "x" * 61},
            400,
            error("Response title cannot contain more than 60 characters"),
        ),
        (
            {**REPLY, "comment": "x" * 1001},
            400,
            error("Response text cannot contain more than 1000 characters"),
        ),
    ],
)
def test_put_reply(client, bought, buyer, seller, session, body, status, answer):
    review(client, buyer)

    response = send(client, "PUT", f"{REVIEWS}/{review_id(session)}/reply", seller, body)

    assert (response.status_code, response.json()) == (status, answer)


def test_reply_checks_in_wstores_order(
    client, store, provider, seller, bought, buyer, stranger, session
):
    store.offering(provider, seller, "Draft")
    review(client, buyer)
    reply_url = f"{REVIEWS}/{review_id(session)}/reply"

    answers = [
        send(client, "PUT", reply_url, None, REPLY),
        send(client, "PUT", reply_url, seller, REPLY, media_type="text/plain"),
        send(client, "PUT", f"{ONE.format('Nothing')}/review/1/reply", seller, REPLY),
        send(client, "PUT", f"{ONE.format('Draft')}/review/1/reply", seller, REPLY),
        send(client, "PUT", f"{REVIEWS}/999/reply", seller, [1]),
        send(client, "PUT", f"{REVIEWS}/999/reply", seller, REPLY),
        send(client, "PUT", reply_url, buyer, REPLY),
        send(client, "PUT", reply_url, stranger, REPLY),
        send(client, "DELETE", reply_url, buyer),
        send(client, "DELETE", f"{REVIEWS}/999/reply", seller),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [
        (401, error("Authentication required")),
        (415, error("Unsupported request media type")),
        (404, error("Offering not found")),
        (403, error("Forbidden")),
        (400, error("Invalid response type")),
        (400, error("Invalid review id")),
        (403, error("The user cannot respond the current review")),
        (403, error("The user cannot respond the current review")),
        (403, error("The user cannot respond the current review")),
        (400, error("Invalid review id")),
    ]


def test_provider_replies_replaces_and_withdraws_the_reply(client, bought, buyer, seller, session):
    review(client, buyer)
    reply_url = f"{REVIEWS}/{review_id(session)}/reply"

    answers = [
        send(client, "PUT", reply_url, seller, REPLY),
        send(client, "PUT", reply_url, seller, {"title": "Again", "comment": "Still glad"}),
    ]
    replied = client.get(REVIEWS, headers=bearer(buyer)).json()[0]["response"]
    answers += [
        send(client, "DELETE", reply_url, seller),
        # A review without a reply: still 201 (§5.4).
        send(client, "DELETE", reply_url, seller),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [(201, CREATED)] * 4
    assert (replied["title"], replied["response"]) == ("Again", "Still glad")
    assert "response" not in client.get(REVIEWS, headers=bearer(buyer)).json()[0]


# --- tags (§6) ---------------------------------------------------------------------------


def test_tags_are_kept_as_put_and_read_by_anyone(client, bought, seller, buyer):
    tag_url = f"{LIGHTS}/tag"

    put = send(client, "PUT", tag_url, seller, {"tags": ["Smart", "city"]})
    read = client.get(tag_url, headers=bearer(buyer))

    assert (put.status_code, put.json()) == (200, OK)
    assert (read.status_code, read.json()) == (200, {"tags": ["Smart", "city"]})
    assert read.headers["content-type"] == "application/json"


def test_tags_of_any_offering_state_can_be_set(client, store, provider, seller, session):
    offering = store.offering(provider, seller, "Gone", publish=True)
    offerings.delete_offering(session, store.files, offering)
    session.commit()

    response = send(client, "PUT", f"{ONE.format('Gone')}/tag", seller, {"tags": ["old"]})

    assert (response.status_code, response.json()) == (200, OK)


def test_tag_checks_in_wstores_order(client, bought, seller, buyer):
    tag_url = f"{LIGHTS}/tag"
    nothing = f"{ONE.format('Nothing')}/tag"

    answers = [
        client.get(tag_url),
        client.get(nothing, headers=bearer(buyer)),
        client.get(f"{tag_url}?action=suggest", headers=bearer(buyer)),
        send(client, "PUT", tag_url, None, {"tags": []}),
        send(client, "PUT", tag_url, seller, {"tags": []}, media_type="text/plain"),
        send(client, "PUT", nothing, seller, {"tags": []}),
        send(client, "PUT", tag_url, buyer, {"tags": []}),
        send(client, "PUT", tag_url, seller, raw=b"{a:1}"),
        send(client, "PUT", tag_url, seller, {"tag": ["smart"]}),
    ]

    assert [(r.status_code, r.json()) for r in answers] == [
        (401, error("Authentication required")),
        (404, error("Not found")),
        (400, error("Invalid action")),
        (401, error("Authentication required")),
        (415, error("Unsupported request media type")),
        (404, error("Not found")),
        (403, error("Forbidden")),
        (400, error("Expecting property name: line 1 column 2 (char 1)")),
        (400, error("tags")),
    ]


def test_suggestions_follow_the_recommendation_formula(client, store, provider, seller):
    # docs(city) = {A, B, C}, docs(smart) = {A, B}; lights co-occurs with city in A and C,
    # with smart in A: rank(lights) = (2/3 + 1/2) / 2; energy: (1/3 + 1/2) / 2;
    # parking: (1/3 + 0) / 2. The offering's own words seed "traffic" (docs {C}):
    # rank = 1 for lights, city and parking, which beats their first-pass ranks.
    tagged = {
        "A": ["city", "Smart", "lights", "energy"],
        "B": ["City", "smart"],
        "C": ["city", "lights", "parking", "traffic"],
    }
    for name, tags in tagged.items():
        offering = store.offering(provider, seller, name)
        offering.offer.tags = tags
    target = store.offering(provider, seller, "Target", description="Plain words")
    store.session.commit()
    url = f"{ONE.format('Target')}/tag?action=recommend&tags=city,smart"

    plain = client.get(url, headers=bearer(seller))
    store.session.refresh(target)
    target.usdl_text = "traffic"
    store.session.commit()
    seeded = client.get(url, headers=bearer(seller))

    assert plain.json() == {"tags": ["lights", "energy", "parking", "traffic"]}
    assert seeded.json() == {"tags": ["lights", "parking", "traffic", "energy"]}


# --- §0.1: another method is 405 before authentication, with WStore's Allow ---------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", REVIEWS, "POST, GET"),
        ("DELETE", f"{REVIEWS}/", "POST, GET"),
        ("GET", f"{REVIEWS}/1", "PUT, DELETE"),
        ("POST", f"{REVIEWS}/1/reply", "PUT, DELETE"),
        ("POST", f"{LIGHTS}/tag", "GET, PUT"),
    ],
)
def test_other_method_is_405_with_allow(client, method, path, allow):
    response = client.request(method, path)

    assert (response.status_code, response.content, response.headers["allow"]) == (
        405,
        b"",
        allow,
    )
