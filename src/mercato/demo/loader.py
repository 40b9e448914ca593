"""The demo: a data set shipped in the package, loaded like any other, with accounts to try."""

from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts import rules as accounts
from mercato.accounts.models import DataAdministrator, Provider, User
from mercato.datasets.context import Loading
from mercato.datasets.loading import load_dataset, read_dataset
from mercato.datasets.schema import UserRecord
from mercato.ordering.access import omses_administered
from mercato.store.assets import Files

TOKEN_LABEL = "demo"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str
    password: str
    token: str


def load_demo(session: Session, files: Files) -> list[DemoAccount]:
    """Load ``demo.json``: users, catalogue, OMSes, orders and store offerings.

    Flushes, never commits; files are stored in ``files`` once the transaction commits.

    Returns one account per demo user, with the password and a fresh API token.
    """
    with resources.as_file(resources.files(__package__) / "demo.json") as path:
        data = read_dataset(path)
        load_dataset(Loading(session, files, path.parent), data)
    return [_account(session, record) for record in data.users]


def _roles_of(session: Session, user: User) -> str:
    """What the user may do, in words: "operator, OMS admin: Mercato Operations"."""
    roles = list(user.site_roles)
    omses = omses_administered(session, user)
    if any(oms.is_default for oms in omses):
        roles.append("operator")
    if omses:
        roles.append("OMS admin: " + " and ".join(oms.name for oms in omses))
    providers = session.scalars(
        select(Provider.name)
        .join(DataAdministrator)
        .where(DataAdministrator.email == user.email)
        .order_by(Provider.id)
    ).all()
    if providers:
        roles.append("data administrator: " + " and ".join(providers))
    return ", ".join(roles) or "customer"


def _account(session: Session, record: UserRecord) -> DemoAccount:
    user = accounts.require_user(session, record.email)
    _, token = accounts.issue_token(session, user, TOKEN_LABEL)
    return DemoAccount(
        email=user.email,
        name=user.name,
        roles=_roles_of(session, user),
        password=record.password or "",
        token=token,
    )
