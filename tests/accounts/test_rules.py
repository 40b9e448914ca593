"""Account rules: users, passwords, tokens and data administrators."""

import pytest
from sqlalchemy import select

from mercato.accounts import rules
from mercato.accounts.models import ApiToken, DataAdministrator
from mercato.errors import Invalid, NotFound
from tests.factories import PASSWORD


def test_user_email_is_normalised_and_unique(session, make):
    user = make.user("  Ada@Example.ORG ")

    with pytest.raises(Invalid) as raised:
        rules.create_user(session, email="ada@example.org", first_name="A", last_name="B")

    assert user.email == "ada@example.org"
    assert raised.value.errors == {"email": ["is already taken"]}


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.org"])
def test_user_email_must_look_like_an_address(session, email):
    with pytest.raises(Invalid) as raised:
        rules.create_user(session, email=email, first_name="A", last_name="B")

    assert raised.value.errors == {"email": ["is not a valid e-mail address"]}


def test_password_is_stored_as_an_argon2_hash_and_checked(session, make):
    user = make.user("ada@example.org")

    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert rules.authenticate(session, "ADA@example.org", PASSWORD) is user
    assert rules.authenticate(session, "ada@example.org", "wrong password") is None
    assert rules.authenticate(session, "nobody@example.org", PASSWORD) is None


def test_short_passwords_are_refused(session):
    with pytest.raises(Invalid) as raised:
        rules.create_user(
            session, email="a@example.org", first_name="A", last_name="B", password="short"
        )

    assert raised.value.errors == {"password": ["must have at least 8 characters"]}


def test_tokens_are_stored_hashed_and_shown_once(session, make):
    user = make.user()

    token, plain = rules.issue_token(session, user, "jira adapter")

    stored = session.scalars(select(ApiToken.digest)).all()
    assert plain not in stored
    assert token.prefix == plain[:6]
    assert rules.user_for_token(session, plain) is user
    assert rules.user_for_token(session, plain + "x") is None
    assert rules.user_for_token(session, "") is None


def test_revoked_tokens_stop_working(session, make):
    user = make.user()
    kept, kept_plain = rules.issue_token(session, user)
    revoked, revoked_plain = rules.issue_token(session, user)

    rules.revoke_token(session, user, revoked.id)

    assert rules.user_for_token(session, revoked_plain) is None
    assert rules.user_for_token(session, kept_plain) is user
    assert rules.active_tokens(session, user) == [kept]


def test_a_user_cannot_revoke_someone_elses_token(session, make):
    token, _ = rules.issue_token(session, make.user())

    with pytest.raises(NotFound):
        rules.revoke_token(session, make.user(), token.id)


def test_regenerating_revokes_every_token_and_issues_one(session, make):
    user = make.user()
    _, first = rules.issue_token(session, user)
    _, second = rules.issue_token(session, user)

    token, plain = rules.regenerate_token(session, user)

    assert rules.user_for_token(session, first) is None
    assert rules.user_for_token(session, second) is None
    assert rules.user_for_token(session, plain) is user
    assert rules.active_tokens(session, user) == [token]


def test_data_administrators_are_matched_by_email(session, make):
    provider = make.provider(name="Cyfronet")
    rules.add_data_administrator(session, provider, "Later@Example.org")
    session.commit()

    later = make.user("later@example.org")

    assert rules.is_data_administrator(session, later, provider.id)
    assert not rules.is_data_administrator(session, make.user(), provider.id)
    assert session.scalars(select(DataAdministrator.email)).all() == ["later@example.org"]


def test_provider_slugs_stay_unique(make):
    first = make.provider(name="Data Hub")
    second = make.provider(name="Data-Hub")

    assert (first.slug, second.slug) == ("data-hub", "data-hub-2")
