"""Reviews, replies, ratings and tags of offerings (reference §4.3, §12)."""

import pytest
from sqlalchemy import select

from mercato.store.models import Review
from tests.store.world import bearer

ONE = "/api/offering/offerings/conwet/{}/1.0"
REVIEW = {"title": "Bright", "comment": "Good offering", "rating": 4}
CHANGED = {"message": "OK", "result": "correct"}


@pytest.fixture
def provider(store, seller):
    return store.provider(seller)


@pytest.fixture
def bought(store, provider, seller, buyer, make):
    offering = store.offering(provider, seller, "Lights", publish=True)
    make.order(offering.offer, make.project(buyer.user))
    return offering


def review(client, user, name="Lights", body=REVIEW):
    return client.post(f"{ONE.format(name)}/review", json=body, headers=bearer(user))


def test_customer_who_acquired_reviews_and_the_rating_follows(client, bought, buyer, session):
    response = review(client, buyer)

    assert (response.status_code, response.json()) == (
        201,
        {"message": "Created", "result": "correct"},
    )
    reviews = client.get(f"{ONE.format('Lights')}/review", headers=bearer(buyer)).json()
    row = session.scalar(select(Review))
    assert reviews == [
        {
            "id": str(row.id),
            "user": "customer",
            "organization": "customer",
            # Python 2's str(datetime) of the (UTC) moment, as store-wire.md §0.7 renders it.
            "timestamp": str(row.created_at.replace(tzinfo=None)),
            "title": "Bright",
            "comment": "Good offering",
            "rating": 4,
        }
    ]
    shown = client.get(ONE.format("Lights"), headers=bearer(buyer)).json()
    assert (shown["rating"], shown["comments"], shown["state"]) == ("4.00", [str(row.id)], "rated")


def test_review_needs_an_acquisition_unless_open(client, store, provider, seller, bought, make):
    stranger = make.token_user()
    asset = store.asset(provider, "Open data", is_open=True)
    store.offering(provider, seller, "Free", bound=[asset], is_open=True, publish=True)
    store.offering(provider, seller, "Draft")

    answers = [
        review(client, stranger).json(),
        review(client, seller, "Free").json(),
        review(client, stranger, "Free").status_code,
        review(client, seller, "Draft").json(),
    ]

    assert answers == [
        {"message": "Only customers who acquired the offering can review it", "result": "error"},
        {"message": "Providers cannot review their own offerings", "result": "error"},
        201,
        {"message": "Only published offerings can be reviewed", "result": "error"},
    ]


def test_one_review_per_user(client, bought, buyer, session):
    review(client, buyer)

    again = review(client, buyer)

    assert (again.status_code, again.json()["message"]) == (
        403,
        "You have already reviewed this offering; update your review",
    )
    assert len(session.scalars(select(Review)).all()) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**REVIEW, "rating": 0}, "rating must be a whole number from 1 to 5"),
        ({**REVIEW, "rating": 6}, "rating must be a whole number from 1 to 5"),
        ({**REVIEW, "rating": "5"}, "rating must be a whole number from 1 to 5"),
        ({**REVIEW, "title": ""}, "title is missing"),
        ({**REVIEW, "title": "x" * 61}, "title is longer than 60 characters"),
        ({**REVIEW, "comment": "x" * 1001}, "comment is longer than 1000 characters"),
    ],
)
def test_bad_reviews_are_400(client, bought, buyer, body, message):
    response = review(client, buyer, body=body)

    assert (response.status_code, response.json()["message"]) == (400, message)


@pytest.mark.parametrize("body", [{}, {**REVIEW, "rating": "5"}])
def test_access_is_checked_before_the_review_body(client, bought, make, session, body):
    stranger = make.token_user()

    response = review(client, stranger, body=body)

    assert (response.status_code, response.json()["message"]) == (
        403,
        "Only customers who acquired the offering can review it",
    )


def test_only_the_provider_replies_whatever_the_body(client, bought, buyer, session):
    review(client, buyer)
    reply_url = f"{ONE.format('Lights')}/review/{session.scalar(select(Review.id))}/reply"

    refused = client.put(reply_url, json={"title": 3}, headers=bearer(buyer))

    assert (refused.status_code, refused.json()["message"]) == (
        403,
        "Only the offering's provider can reply",
    )


def test_average_follows_create_update_and_delete(client, bought, buyer, make, session):
    second = make.token_user()
    make.order(bought.offer, make.project(second.user))
    review(client, buyer, body={**REVIEW, "rating": 5})
    review(client, second, body={**REVIEW, "rating": 2})
    base = f"{ONE.format('Lights')}/review"
    first_id, second_id = (r.id for r in session.scalars(select(Review).order_by(Review.id)))

    ratings = [client.get(ONE.format("Lights"), headers=bearer(buyer)).json()["rating"]]
    updated = client.put(
        f"{base}/{second_id}", json={**REVIEW, "rating": 4}, headers=bearer(second)
    )
    ratings.append(client.get(ONE.format("Lights"), headers=bearer(buyer)).json()["rating"])
    removed = client.delete(f"{base}/{first_id}", headers=bearer(buyer))
    ratings.append(client.get(ONE.format("Lights"), headers=bearer(buyer)).json()["rating"])
    client.delete(f"{base}/{second_id}", headers=bearer(second))
    ratings.append(client.get(ONE.format("Lights"), headers=bearer(buyer)).json()["rating"])

    assert (updated.status_code, updated.json(), removed.status_code) == (201, CHANGED, 201)
    assert ratings == ["3.50", "4.50", "4.00", "0.00"]


def test_only_the_author_changes_a_review(client, bought, buyer, make, session):
    review(client, buyer)
    review_id = session.scalar(select(Review.id))
    base = f"{ONE.format('Lights')}/review/{review_id}"
    other = make.token_user()

    answers = [
        client.put(base, json=REVIEW, headers=bearer(other)).json(),
        client.delete(base, headers=bearer(other)).status_code,
        client.delete(f"{ONE.format('Lights')}/review/999", headers=bearer(buyer)).status_code,
    ]

    assert answers == [
        {"message": "Only the author can change a review", "result": "error"},
        403,
        404,
    ]


def test_provider_replies_and_withdraws_the_reply(client, bought, buyer, seller, session):
    review(client, buyer)
    reply_url = f"{ONE.format('Lights')}/review/{session.scalar(select(Review.id))}/reply"
    body = {"title": "Thanks", "comment": "Glad it helps"}

    refused = client.put(reply_url, json=body, headers=bearer(buyer))
    replied = client.put(reply_url, json=body, headers=bearer(seller))
    shown = client.get(f"{ONE.format('Lights')}/review", headers=bearer(buyer)).json()[0]
    withdrawn = client.delete(reply_url, headers=bearer(seller))

    assert refused.json() == {
        "message": "Only the offering's provider can reply",
        "result": "error",
    }
    assert (replied.status_code, withdrawn.status_code) == (201, 201)
    assert {k: v for k, v in shown["response"].items() if k != "timestamp"} == {
        "user": "app_provider",
        "organization": "CoNWeT",
        "title": "Thanks",
        "response": "Glad it helps",
    }
    assert (
        "response"
        not in client.get(f"{ONE.format('Lights')}/review", headers=bearer(buyer)).json()[0]
    )


def test_reviews_page(client, bought, buyer, make):
    for number in range(3):
        user = make.token_user()
        make.order(bought.offer, make.project(user.user))
        review(client, user, body={**REVIEW, "title": f"Review {number}"})

    page = client.get(
        f"{ONE.format('Lights')}/review?start=2&limit=1", headers=bearer(buyer)
    ).json()

    assert [r["title"] for r in page] == ["Review 1"]


# --- tags ----------------------------------------------------------------------------------


def test_provider_sets_tags_and_anyone_reads_them(client, bought, seller, buyer):
    tag_url = f"{ONE.format('Lights')}/tag"

    response = client.put(
        tag_url, json={"tags": ["Smart", "city", "smart "]}, headers=bearer(seller)
    )

    assert response.json() == {"message": "OK", "result": "correct"}
    assert client.get(tag_url, headers=bearer(buyer)).json() == {"tags": ["smart", "city"]}
    assert client.get(f"{ONE.format('Lights')}/tags", headers=bearer(buyer)).json() == {
        "tags": ["smart", "city"]
    }


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("smart", "tags must be a list of at most 50 tags"),
        (["a/b"], "tags 'a/b' is not a tag (letters, digits, spaces, _ and -)"),
        ([f"t{n}" for n in range(51)], "tags must be a list of at most 50 tags"),
    ],
)
def test_bad_tags_are_400(client, bought, seller, tags, message):
    response = client.put(
        f"{ONE.format('Lights')}/tag", json={"tags": tags}, headers=bearer(seller)
    )

    assert response.json() == {"message": message, "result": "error"}


def test_suggestions_follow_the_recommendation_formula(client, store, provider, seller):
    # docs(city) = {A, B, C}, docs(smart) = {A, B}; lights co-occurs with city in A and C,
    # with smart in A: rank(lights) = (2/3 + 1/2) / 2; energy: (1/3 + 1/2) / 2;
    # parking: (1/3 + 0) / 2. The offering's own words seed "traffic" (docs {C}):
    # rank = 1 for lights, city and parking, which beats their first-pass ranks.
    tagged = {
        "A": ["city", "smart", "lights", "energy"],
        "B": ["city", "smart"],
        "C": ["city", "lights", "parking", "traffic"],
    }
    for name, tags in tagged.items():
        offering = store.offering(provider, seller, name)
        offering.offer.tags = tags
    target = store.offering(provider, seller, "Target", description="Plain words")
    store.session.commit()

    plain = client.get(
        f"{ONE.format('Target')}/tag?action=recommend&tags=city,smart", headers=bearer(seller)
    )
    store.session.refresh(target)
    target.usdl_text = "traffic"
    store.session.commit()
    seeded = client.get(
        f"{ONE.format('Target')}/tag?action=recommend&tags=city,smart", headers=bearer(seller)
    )

    assert plain.json() == {"tags": ["lights", "energy", "parking", "traffic"]}
    assert seeded.json() == {"tags": ["lights", "parking", "traffic", "energy"]}
