"""`mercato provider ...`, in-process on the test database."""

from sqlalchemy import select

from mercato.accounts.models import Provider


def _provider(session, slug: str) -> Provider:
    session.expire_all()
    return session.scalars(select(Provider).where(Provider.slug == slug)).one()


def test_provider_notification_secret_prints_a_new_secret_once(mercato, session, make):
    make.provider(name="Nordic Cloud")

    code, out, err = mercato("provider", "notification-secret", "nordic-cloud")

    assert (code, err) == (0, "")
    assert out == f"{_provider(session, 'nordic-cloud').notification_signing_secret}\n"
    assert out.startswith("whsec_")


def test_provider_notification_secret_remove(mercato, session, make):
    make.provider(name="Nordic Cloud")
    mercato("provider", "notification-secret", "nordic-cloud")

    code, out, err = mercato("provider", "notification-secret", "nordic-cloud", "--remove")

    assert (code, out, err) == (0, "Notifications to Nordic Cloud are no longer signed.\n", "")
    assert _provider(session, "nordic-cloud").notification_signing_secret == ""
