"""Purchases started through WStore's contracting form (store-ge.md §4.4): the
``redirect_uri`` kept per form, handed back once by the purchase it started."""

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mercato.commerce.models import ContractingForm


def is_redirect_uri(value: object) -> bool:
    """An absolute http(s) URL: where a buyer's browser can be sent back."""
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def form_id(offering_id: int, user_id: int) -> str:
    """WStore's ``offering id + user id``: 24 hex digits each."""
    return f"{offering_id:024x}{user_id:024x}"


def keep_form(
    session: Session, form_id: str, user_id: int, offering_id: int, redirect_uri: str, now: datetime
) -> None:
    """Keeps (or, started again, replaces) the form's ``redirect_uri``."""
    session.merge(
        ContractingForm(
            id=form_id,
            user_id=user_id,
            offering_id=offering_id,
            redirect_uri=redirect_uri,
            created_at=now,
        )
    )
    session.commit()


def take_redirect_uri(session: Session, user_id: int, offering_id: int) -> str | None:
    """The ``redirect_uri`` of the buyer's form for the offering, consumed: of two
    concurrent purchases only the one whose delete removed the row gets it."""
    form = session.scalar(
        select(ContractingForm).where(
            ContractingForm.user_id == user_id, ContractingForm.offering_id == offering_id
        )
    )
    if form is None:
        return None
    uri = form.redirect_uri
    removed = session.execute(
        delete(ContractingForm)
        .where(ContractingForm.id == form.id)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return uri if removed.rowcount == 1 else None
