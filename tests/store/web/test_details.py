"""The store's home, My offerings, and an offering's page: assets, acquiring, reviews."""

from sqlalchemy import select

from mercato.ordering.models import Order
from mercato.store import reviews
from mercato.store.models import Review
from tests.store.world import WIDGET, buyer, seller, store
from tests.web.pages import csrf_token, field_error, log_in

__all__ = ["buyer", "seller", "store"]

OFFERING = "/store/offerings/conwet/Smart%20City%20Lights/1.0"
DOWNLOAD = "/media/resources/conwet/Map%20Viewer/1.0/widget.zip"


def _published(store, seller, *, is_open: bool = False):
    provider = store.provider(seller)
    asset = store.asset(provider, is_open=is_open)
    return store.offering(provider, seller, bound=[asset], is_open=is_open, publish=True)


def _review(client, data: dict[str, str]):
    fields = {"csrftoken": csrf_token(client, OFFERING), **data}
    return client.post(f"{OFFERING}/reviews", data=fields, follow_redirects=False)


def test_anyone_sees_a_published_offering_without_download_links(client, store, seller):
    _published(store, seller)

    page = client.get(OFFERING)

    assert page.status_code == 200
    assert '<h1>Smart City Lights <span class="version">v1.0</span></h1>' in page.text
    assert "<strong>Map Viewer</strong>" in page.text
    assert DOWNLOAD not in page.text
    assert "to download what you may reach." in page.text


def test_an_uploaded_offering_is_hidden_from_everyone_but_its_provider(
    client, store, seller, buyer
):
    store.offering(store.provider(seller), seller)

    assert client.get(OFFERING).status_code == 404
    log_in(client, buyer.user)
    assert client.get(OFFERING).status_code == 404
    log_in(client, seller.user)
    assert client.get(OFFERING).status_code == 200


def test_a_customer_of_an_open_offering_downloads_acquires_and_reviews_it(
    client, store, seller, buyer
):
    _published(store, seller, is_open=True)
    log_in(client, buyer.user)

    page = client.get(OFFERING).text
    download = client.get(DOWNLOAD)

    assert f'href="{DOWNLOAD}" download>Download' in page
    assert download.content == WIDGET
    acquire = '<a class="button" href="/services/smart-city-lights/offers/1/order">Acquire</a>'
    assert acquire in page
    assert "Review this offering" in page

    order_page = "/services/smart-city-lights/offers/1/order"
    placed = client.post(
        order_page,
        data={
            "csrftoken": csrf_token(client, order_page),
            "project": "new",
            "project_name": "Lights",
        },
        follow_redirects=False,
    )
    assert placed.status_code == 303
    assert len(store.session.scalars(select(Order)).all()) == 1
    acquired = client.get("/store/my-offerings?tab=acquired").text
    assert f'<a href="{OFFERING}">Smart City Lights</a>' in acquired
    assert '<span class="badge acquired">acquired</span>' in client.get(OFFERING).text

    response = _review(client, {"rating": "4", "title": "Bright", "comment": "Works well"})

    assert (response.status_code, response.headers["location"]) == (303, f"{OFFERING}#reviews")
    [review] = store.session.scalars(select(Review)).all()
    assert (review.user_id, review.rating, review.title, review.comment) == (
        buyer.user.id,
        4,
        "Bright",
        "Works well",
    )
    page = client.get(OFFERING).text
    assert "Review this offering" not in page
    assert "<h3>Bright</h3>" in page
    assert 'aria-label="Rated 4.0 out of 5"' in page


def test_a_review_needs_a_title_and_a_rating(client, store, seller, buyer):
    _published(store, seller, is_open=True)
    log_in(client, buyer.user)

    response = _review(client, {"title": "", "comment": "No stars"})

    assert response.status_code == 400
    assert field_error(response.text, "title") == "is missing"
    assert "No stars</textarea>" in response.text
    assert store.session.scalars(select(Review)).all() == []


def test_customers_who_did_not_acquire_a_closed_offering_cannot_review_it(
    client, store, seller, buyer
):
    _published(store, seller)
    log_in(client, buyer.user)

    page = client.get(OFFERING).text
    response = _review(client, {"rating": "5", "title": "Great"})

    assert "Review this offering" not in page
    assert "Acquire the offering to review it." in page
    assert DOWNLOAD not in page
    assert client.get(DOWNLOAD).status_code == 404
    assert response.status_code == 403
    assert store.session.scalars(select(Review)).all() == []


def test_the_provider_replies_to_a_review(client, store, seller, buyer):
    offering = _published(store, seller, is_open=True)
    log_in(client, buyer.user)
    _review(client, {"rating": "2", "title": "Too dim"})
    [review] = store.session.scalars(select(Review)).all()
    log_in(client, seller.user)

    prefix = f"reply-{review.id}-"
    response = client.post(
        f"{OFFERING}/reviews/{review.id}/reply",
        data={
            "csrftoken": csrf_token(client, OFFERING),
            f"{prefix}title": "Fixed",
            f"{prefix}comment": "Version 1.1 is brighter",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    store.session.refresh(review)
    assert (review.reply_title, review.reply_text, review.reply_user_id) == (
        "Fixed",
        "Version 1.1 is brighter",
        seller.user.id,
    )
    page = client.get(OFFERING).text
    assert "<h4>Fixed</h4>" in page
    assert f"Reply from {offering.service.provider.name}" in page


def test_only_the_provider_may_reply(client, store, seller, buyer):
    _published(store, seller, is_open=True)
    log_in(client, buyer.user)
    _review(client, {"rating": "2", "title": "Too dim"})
    [review] = store.session.scalars(select(Review)).all()

    response = client.post(
        f"{OFFERING}/reviews/{review.id}/reply",
        data={
            "csrftoken": csrf_token(client, OFFERING),
            f"reply-{review.id}-title": "Mine",
            f"reply-{review.id}-comment": "Not mine to give",
        },
    )

    assert response.status_code == 403
    store.session.refresh(review)
    assert review.replied_at is None


def test_the_store_home_shows_top_rated_and_latest_offerings(client, store, seller, buyer):
    offering = _published(store, seller, is_open=True)
    offering.rating = 4.5
    # Top rated are the reviewed offerings (store-wire.md §3.2).
    store.session.add(Review(offer_id=offering.offer_id, user=buyer.user, rating=5, title="t"))
    store.session.commit()

    page = client.get("/store").text

    assert page.count(f'<a href="{OFFERING}">Smart City Lights</a>') == 2
    assert 'aria-label="Rated 4.5 out of 5"' in page
    assert '<form method="get" action="/search"' in page


def test_my_offerings_lists_provided_offerings_in_every_state(client, store, seller):
    provider = store.provider(seller)
    store.offering(provider, seller, "Draft One")
    store.offering(provider, seller, "Live One", bound=[store.asset(provider)], publish=True)
    log_in(client, seller.user)

    page = client.get("/store/my-offerings").text

    assert '<a href="/store/my-offerings?tab=provided" aria-current="page">Provided</a>' in page
    assert '<a href="/store/offerings/conwet/Draft%20One/1.0">Draft One</a>' in page
    assert '<a href="/store/offerings/conwet/Live%20One/1.0">Live One</a>' in page
    assert '<span class="badge store-state state-uploaded">uploaded</span>' in page
    assert '<span class="badge store-state state-published">published</span>' in page


def test_customers_see_only_the_acquired_tab(client, buyer):
    log_in(client, buyer.user)

    page = client.get("/store/my-offerings").text

    assert "tab=provided" not in page
    assert '<a href="/store/my-offerings?tab=acquired" aria-current="page">Acquired</a>' in page
    assert "You have not acquired any offering yet." in page


def test_store_home_and_my_offerings_take_as_many_queries_for_many_offerings_as_for_one(
    client, store, seller, count_queries
):
    provider = store.provider(seller)

    def queries(page: str) -> int:
        with count_queries() as counted:
            assert client.get(page).status_code == 200
        return counted.count

    store.offering(provider, seller, "First", bound=[store.asset(provider)], publish=True)
    log_in(client, seller.user)
    with_one = (queries("/store"), queries("/store/my-offerings"))
    for name in ("Second", "Third", "Fourth"):
        asset = store.asset(provider, f"{name} asset")
        store.offering(provider, seller, name, bound=[asset], publish=True)

    assert (queries("/store"), queries("/store/my-offerings")) == with_one


def test_the_offering_page_takes_as_many_queries_for_many_reviews_as_for_one(
    client, store, seller, make, count_queries
):
    offering = _published(store, seller, is_open=True)

    def queries() -> int:
        with count_queries() as counted:
            assert client.get(OFFERING).status_code == 200
        return counted.count

    def reviewed_by(number: int) -> None:
        reviewer = make.user(f"reviewer{number}@example.org")
        text = reviews.ReviewText(rating=4, title="Good")
        reviews.create_review(store.session, reviewer, offering, text)
        store.session.commit()

    reviewed_by(1)
    with_one = queries()
    for number in (2, 3, 4):
        reviewed_by(number)

    assert queries() == with_one
