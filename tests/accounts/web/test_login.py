from sqlalchemy import select

from mercato.accounts.models import ApiToken
from tests.factories import PASSWORD
from tests.web.pages import csrf_token, input_value, log_in, submit


def test_login_with_the_right_password_opens_a_session(client, make):
    user = make.user("ada@example.org")

    response = submit(
        client, "/login", "/login", {"email": "ada@example.org", "password": PASSWORD}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    account = client.get("/account")
    assert account.status_code == 200
    assert user.email in account.text


def test_wrong_password_shows_the_form_again_with_a_message(client, make):
    make.user("ada@example.org")

    response = submit(client, "/login", "/login", {"email": "ada@example.org", "password": "nope"})

    assert response.status_code == 400
    assert "Wrong e-mail or password." in response.text
    assert input_value(response.text, "email") == "ada@example.org"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_login_goes_back_to_the_page_that_asked_for_it(client, make):
    user = make.user()
    redirect = client.get("/account", follow_redirects=False)
    assert redirect.headers["location"] == "/login?next=%2Faccount"

    login_page = client.get(redirect.headers["location"])
    assert 'name="next" value="/account"' in login_page.text
    response = submit(
        client,
        "/login?next=%2Faccount",
        "/login",
        {"email": user.email, "password": PASSWORD, "next": "/account"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/account"


def test_login_never_redirects_to_another_site(client, make):
    user = make.user()

    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = submit(
            client, "/login", "/login", {"email": user.email, "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/"


def test_logout_ends_the_session(client, make):
    log_in(client, make.user())

    response = submit(client, "/account", "/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_a_form_posted_without_its_csrf_token_is_refused(client, make, session):
    user = make.user()
    log_in(client, user)
    csrf_token(client, "/account")

    response = client.post("/account/tokens", data={"label": "forged"})

    assert response.status_code == 403
    assert session.scalars(select(ApiToken).where(ApiToken.label == "forged")).all() == []


def test_a_form_posted_with_a_wrong_csrf_token_is_refused(client, make):
    user = make.user()
    csrf_token(client, "/login")

    response = client.post(
        "/login", data={"csrftoken": "forged", "email": user.email, "password": PASSWORD}
    )

    assert response.status_code == 403
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_a_login_posted_from_elsewhere_without_cookies_is_refused(client, make):
    user = make.user()

    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False
    )

    assert response.status_code == 403
    assert "mercato_session" not in response.cookies


def test_an_unknown_page_still_shows_who_is_logged_in(client, make):
    log_in(client, make.user())

    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert ">Log out</button>" in response.text
    assert 'href="/login"' not in response.text
