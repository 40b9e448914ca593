import re
from datetime import UTC, datetime

from sqlalchemy import select

from mercato.accounts import rules
from mercato.accounts.models import ApiToken, Provider
from tests.web.pages import log_in, submit

RESOURCES = "/api/v1/resources"


def _shown_token(page: str) -> str:
    match = re.search(r'<input class="token-value" type="text" value="([^"]+)"', page)
    assert match, "no new token on the page"
    return match[1]


def _active(session, user) -> list[ApiToken]:
    session.expire_all()
    return rules.active_tokens(session, user)


def test_account_lists_active_tokens_with_prefix_label_and_date(client, make, session):
    user = make.user()
    token, _ = rules.issue_token(session, user, "JIRA adapter")
    revoked, _ = rules.issue_token(session, user, "old one")
    rules.revoke_token(session, user, revoked.id)
    session.commit()
    log_in(client, user)

    page = client.get("/account").text

    assert f"<code>{token.prefix}…</code>" in page
    assert "JIRA adapter" in page
    assert datetime.now(UTC).strftime("%d %b %Y") in page
    assert "old one" not in page


def test_created_token_is_shown_once_and_works_on_the_api(client, make, session):
    user = make.user()
    log_in(client, user)

    response = submit(client, "/account", "/account/tokens", {"label": "My OMS"})

    assert response.status_code == 200
    plain = _shown_token(response.text)
    assert "it will not be shown again" in response.text
    [token] = _active(session, user)
    assert (token.label, token.prefix) == ("My OMS", plain[:6])
    assert client.get(RESOURCES, headers={"X-User-Token": plain}).status_code == 200
    assert plain not in client.get("/account").text


def test_revoked_token_is_refused_by_the_api(client, make, session):
    user = make.token_user()
    [token] = _active(session, user.user)
    log_in(client, user.user)

    response = submit(client, "/account", f"/account/tokens/{token.id}/revoke")

    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    assert _active(session, user.user) == []
    assert f"Token {token.prefix}… has been revoked." in client.get("/account").text
    api = client.get(RESOURCES, headers=user.headers)
    assert api.status_code == 401


def test_nobody_revokes_the_token_of_someone_else(client, make, session):
    owner = make.token_user()
    [token] = _active(session, owner.user)
    log_in(client, make.user())

    response = submit(client, "/account", f"/account/tokens/{token.id}/revoke")

    assert response.status_code == 404
    assert _active(session, owner.user) == [token]


def test_regenerate_revokes_every_token_and_issues_one(client, make, session):
    user = make.token_user()
    rules.issue_token(session, user.user, "second")
    session.commit()
    log_in(client, user.user)

    response = submit(client, "/account", "/account/tokens/regenerate")

    assert response.status_code == 200
    plain = _shown_token(response.text)
    [token] = _active(session, user.user)
    assert token.prefix == plain[:6]
    assert client.get(RESOURCES, headers=user.headers).status_code == 401
    assert client.get(RESOURCES, headers={"X-User-Token": plain}).status_code == 200


def test_account_page_needs_a_login(client):
    response = client.get("/account", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Faccount"


def test_token_actions_need_a_login(client, session):
    response = submit(client, "/login", "/account/tokens", {"label": "x"})

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert session.scalars(select(ApiToken)).all() == []


def test_data_administrator_generates_a_notification_secret_shown_once(client, make, session):
    user = make.user()
    provider = make.provider(user, name="Nordic Cloud")
    log_in(client, user)

    response = submit(client, "/account", f"/account/providers/{provider.slug}/notification-secret")

    assert response.status_code == 200
    secret = _shown_token(response.text)
    assert "New signing secret of Nordic Cloud" in response.text
    session.expire_all()
    assert session.get_one(Provider, provider.id).notification_signing_secret == secret
    assert secret.startswith("whsec_")
    page = client.get("/account").text
    assert secret not in page
    assert "<td>signed</td>" in page


def test_data_administrator_removes_a_notification_secret(client, make, session):
    user = make.user()
    provider = make.provider(user, name="Nordic Cloud")
    rules.rotate_notification_secret(session, provider)
    session.commit()
    log_in(client, user)

    response = submit(
        client, "/account", f"/account/providers/{provider.slug}/notification-secret/delete"
    )

    assert (response.status_code, response.headers["location"]) == (303, "/account")
    session.expire_all()
    assert session.get_one(Provider, provider.id).notification_signing_secret == ""
    assert "<td>not signed</td>" in client.get("/account").text


def test_removing_an_unset_notification_secret_is_refused(client, make, session):
    user = make.user()
    provider = make.provider(user, name="Nordic Cloud")
    log_in(client, user)

    response = submit(
        client, "/account", f"/account/providers/{provider.slug}/notification-secret/delete"
    )

    assert response.status_code == 400
    assert "notification_signing_secret" in response.text


def test_site_admin_may_set_any_providers_notification_secret(client, make, session):
    provider = make.provider(name="Nordic Cloud")
    log_in(client, make.user(is_admin=True))

    response = submit(client, "/account", f"/account/providers/{provider.slug}/notification-secret")

    assert response.status_code == 200
    session.expire_all()
    assert session.get_one(Provider, provider.id).notification_signing_secret != ""


def test_others_may_not_set_a_providers_notification_secret(client, make, session):
    provider = make.provider(make.user(), name="Nordic Cloud")
    log_in(client, make.user())

    response = submit(client, "/account", f"/account/providers/{provider.slug}/notification-secret")

    assert response.status_code == 403
    session.expire_all()
    assert session.get_one(Provider, provider.id).notification_signing_secret == ""


def test_account_page_lists_no_providers_to_someone_who_administers_none(client, make):
    make.provider(name="Nordic Cloud")
    log_in(client, make.user())

    assert "Notification signing" not in client.get("/account").text


def _confirm_form(page: str) -> tuple[str, str]:
    """The action and button of a confirmation page's only form."""
    match = re.search(
        r'<form method="post" action="([^"]+)" class="confirm-actions">.*?'
        r'<button type="submit" class="button danger">([^<]+)</button>',
        page,
        re.S,
    )
    assert match, "no confirmation form on the page"
    return match[1], match[2]


def test_account_page_links_regenerate_and_revoke_to_their_confirmations(client, make, session):
    user = make.token_user()
    [token] = _active(session, user.user)
    log_in(client, user.user)

    page = client.get("/account").text

    assert '<a class="button secondary" href="/account/tokens/regenerate">' in page
    assert f'<a class="button small danger" href="/account/tokens/{token.id}/revoke"' in page
    assert 'action="/account/tokens/regenerate"' not in page
    assert f'action="/account/tokens/{token.id}/revoke"' not in page


def test_regenerating_asks_first_and_changes_nothing_until_confirmed(client, make, session):
    user = make.token_user()
    rules.issue_token(session, user.user, "second")
    session.commit()
    log_in(client, user.user)

    page = client.get("/account/tokens/regenerate")

    assert page.status_code == 200
    assert "<h1>Regenerate your API token?</h1>" in page.text
    assert "Your 2 active tokens stop working at once" in page.text
    assert _confirm_form(page.text) == ("/account/tokens/regenerate", "Regenerate token")
    assert '<a class="button ghost" href="/account">Keep my tokens</a>' in page.text
    assert len(_active(session, user.user)) == 2
    assert client.get(RESOURCES, headers=user.headers).status_code == 200


def test_revoking_asks_first_naming_the_token(client, make, session):
    user = make.user()
    token, _ = rules.issue_token(session, user, "JIRA adapter")
    session.commit()
    log_in(client, user)

    page = client.get(f"/account/tokens/{token.id}/revoke")

    assert page.status_code == 200
    assert f"<h1>Revoke token {token.prefix}… (JIRA adapter)?</h1>" in page.text
    assert _confirm_form(page.text) == (f"/account/tokens/{token.id}/revoke", "Revoke token")
    assert _active(session, user) == [token]


def test_nobody_is_asked_to_revoke_the_token_of_someone_else(client, make, session):
    owner = make.token_user()
    [token] = _active(session, owner.user)
    log_in(client, make.user())

    assert client.get(f"/account/tokens/{token.id}/revoke").status_code == 404
