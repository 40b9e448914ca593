"""Who may see which report: a provider's data administrators its sales, site admins
the whole store (or one provider's sales), a customer only their own spending and use.
Each report reads through a scope, so no page can read wider than its reader may."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.accounts.models import Provider, User
from mercato.accounts.rules import administered_provider_ids
from mercato.errors import Forbidden, Invalid, NotFound
from mercato.reports import figures, plots, tables
from mercato.reports.figures import Period

NOT_ADMIN = "Store-wide reports are for site admins only."
NOT_SELLER = "Sales reports are for the data administrators of a provider."
NOT_YOURS = "Only the data administrators of this provider may see its sales."


@dataclass(frozen=True)
class Scope:
    """Whose figures a report reads: one provider's sales, a customer's purchases, or
    (neither) the whole store."""

    provider: Provider | None = None
    customer: User | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The reports of this scope: a customer's spending, else revenue; and usage."""
        return ("spending", "usage") if self.customer is not None else ("revenue", "usage")

    def figures(self, session: Session, name: str, period: Period) -> list[Any]:
        provider_ids = {self.provider.id} if self.provider is not None else None
        if name == "revenue" and self.customer is None:
            return figures.revenue_per_month(session, self.provider, period)
        if name == "spending" and self.customer is not None:
            return figures.spending_per_month(session, self.customer, period)
        if name == "usage":
            return figures.usage_per_month(
                session, period, provider_ids=provider_ids, customer=self.customer
            )
        raise NotFound("Report")

    def lines(self, name: str, rows: list[Any]) -> list[tables.Line]:
        make = {
            "revenue": tables.revenue_lines,
            "usage": tables.usage_lines,
            "spending": tables.spending_lines,
        }
        return list(make[name](rows))

    def plot(self, name: str, rows: list[Any], months: list[date]) -> str:
        if name == "revenue":
            return plots.revenue_plot(rows, months)
        if name == "spending":
            return plots.spending_plot(rows, months)
        # A store-wide plot names each offering's provider.
        return plots.usage_plot(rows, months, providers=self.provider is None and not self.customer)


def check_site_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden(NOT_ADMIN)


def sellers_of(session: Session, user: User) -> list[Provider]:
    """The providers whose sales ``user`` may see, by name."""
    ids = administered_provider_ids(session, user)
    if not ids:
        return []
    return list(
        session.scalars(select(Provider).where(Provider.id.in_(ids)).order_by(Provider.name))
    )


def seller_scope(
    session: Session, user: User, provider_id: str | None
) -> tuple[Scope, list[Provider]]:
    """The scope of a data administrator's sales report: the provider asked for, else
    the first they administer; and every provider they may choose."""
    sellers = sellers_of(session, user)
    if not sellers:
        raise Forbidden(NOT_SELLER)
    if not provider_id:
        return Scope(provider=sellers[0]), sellers
    chosen = [p for p in sellers if str(p.id) == provider_id]
    if not chosen:
        raise Forbidden(NOT_YOURS)
    return Scope(provider=chosen[0]), sellers


def admin_scope(session: Session, user: User, provider_id: str | None) -> Scope:
    """A site admin's scope: one provider's sales if asked, else the whole store."""
    check_site_admin(user)
    if not provider_id:
        return Scope()
    provider = session.get(Provider, int(provider_id)) if provider_id.isdigit() else None
    if provider is None:
        raise Invalid.field("provider", "is not a registered provider")
    return Scope(provider=provider)
