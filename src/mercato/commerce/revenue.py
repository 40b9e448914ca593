"""Revenue sharing rules (store-ge.md §4.1, §10, §15.5): the sharing model of each
revenue class, its stakeholders, the RSS registration of WStore's admin API, and the
split of every recorded charge into revenue records.

WStore handed charges to a remote RSS; Mercato shares them itself, in the charge's
transaction (the ``on_charge`` hook below), so a charge and its shares are kept or
lost together. Each model gives the aggregator (the store) a percent of every charge
of its class, each stakeholder its own percent, and the provider who sold the rest.
Parts are rounded down to the currency's minor unit and the provider gets the
remainder (``revenue_split``), so the records of a charge add up to it exactly.

Messages of the checks the WStore API shares are WStore's (store-wire.md §10.3), each on
the field it is about, so the API sends them bare and pages show them by the field.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mercato.accounts.models import Provider, User
from mercato.commerce.charges import Charge, PartKind
from mercato.commerce.contracts import on_charge
from mercato.commerce.models import Contract
from mercato.commerce.money import HUNDRED, Amount, to_decimal
from mercato.commerce.plans import revenue_class
from mercato.commerce.registry import registered_units
from mercato.commerce.revenue_models import (
    PartyKind,
    RevenueClass,
    RevenueModel,
    RevenueRecord,
    RevenueStakeholder,
    RssRegistration,
)
from mercato.commerce.revenue_split import split
from mercato.errors import Conflict, Invalid, NotFound

# WStore's defaults: percent of each charge the aggregator keeps (store-ge.md §4.1).
DEFAULT_PERCENTAGES = {
    RevenueClass.SINGLE_PAYMENT: Decimal("10.00"),
    RevenueClass.SUBSCRIPTION: Decimal("20.00"),
    RevenueClass.USE: Decimal("30.00"),
}
# The name revenue records give the aggregator's part.
AGGREGATOR = "Store (aggregator)"
CENT = Decimal("0.01")

MODEL_ERROR = "Invalid revenue sharing model: "
MISSING_MODEL_FIELD = MODEL_ERROR + "Missing a required field"
INVALID_CLASS = MODEL_ERROR + "Invalid product class"
INVALID_PERCENTAGE_TYPE = MODEL_ERROR + "Invalid percentage type"
PERCENTAGE_RANGE = MODEL_ERROR + "The percentage must be a number between 0 and 100"
MISSING_CLASS = MODEL_ERROR + "Missing a required product class"
OVER_HUNDRED = "The aggregator's and the stakeholders' shares add up to more than 100%"
SHARE_RANGE = "must be a percentage above 0 and at most 100"
RSS_EXISTS = "RSS creation error: There is a RSS instance already registered"
NAME_IN_USE = "The selected name is in use"


# --- percentages -----------------------------------------------------------------------


def check_percentage(value: object, field: str = "percentage") -> Decimal:
    """A percent from 0 to 100, kept with two decimals (WStore's decimal 5,2), rounded
    half up as Mercato rounds money."""
    try:
        number = to_decimal(value, field)
    except Invalid:
        raise Invalid.field(field, INVALID_PERCENTAGE_TYPE) from None
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if not Decimal(0) <= number <= HUNDRED:
        raise Invalid.field(field, PERCENTAGE_RANGE)
    return number


def check_class(value: object, field: str = "class") -> RevenueClass:
    try:
        return RevenueClass(value)
    except ValueError:
        raise Invalid.field(field, INVALID_CLASS) from None


def check_class_models(models: object) -> dict[RevenueClass, Decimal]:
    """WStore's ``models`` list, ``[{class, percentage}]``, checked in its order: each
    model, then that all three classes are there (store-wire.md §10.3 step 13)."""
    if not isinstance(models, list):
        raise Invalid.field("models", MISSING_MODEL_FIELD)
    percentages: dict[RevenueClass, Decimal] = {}
    for model in models:
        if not isinstance(model, dict) or "class" not in model or "percentage" not in model:
            raise Invalid.field("models", MISSING_MODEL_FIELD)
        given_class = check_class(model["class"], "models")
        percentages[given_class] = check_percentage(model["percentage"], "models")
    if set(percentages) != set(RevenueClass):
        raise Invalid.field("models", MISSING_CLASS)
    return percentages


# --- sharing models --------------------------------------------------------------------


def sharing_models(session: Session, with_stakeholders: bool = True) -> list[RevenueModel]:
    """The model of every class, in WStore's order; a class never changed shows its
    default (a row not added to the session). Without ``with_stakeholders`` only the
    aggregator's shares are read (the stakeholders are not loaded)."""
    query = select(RevenueModel)
    if with_stakeholders:
        query = query.options(
            selectinload(RevenueModel.stakeholders).selectinload(RevenueStakeholder.provider),
            selectinload(RevenueModel.stakeholders).selectinload(RevenueStakeholder.user),
        )
    stored = {model.revenue_class: model for model in session.scalars(query)}
    return [stored.get(c) or _default_model(c) for c in RevenueClass]


def _default_model(revenue_class: RevenueClass) -> RevenueModel:
    return RevenueModel(
        revenue_class=revenue_class,
        percentage=DEFAULT_PERCENTAGES[revenue_class],
        stakeholders=[],
    )


def sharing_model(session: Session, revenue_class: RevenueClass) -> RevenueModel:
    """The class's model, stored (with its default share) if it never was, to change it.

    Locked until commit, so two admins' changes cannot together pass 100 %.
    """
    model = session.get(RevenueModel, revenue_class, with_for_update=True)
    if model is None:
        model = _default_model(revenue_class)
        session.add(model)
        session.flush()
    return model


def provider_share(model: RevenueModel) -> Decimal:
    """What the provider who sold gets: what the aggregator and stakeholders leave."""
    return HUNDRED - model.percentage - sum((s.share for s in model.stakeholders), Decimal(0))


def _check_total(aggregator: Decimal, shares: Sequence[Decimal], field: str) -> None:
    if aggregator + sum(shares, Decimal(0)) > HUNDRED:
        raise Invalid.field(field, OVER_HUNDRED)


def set_percentage(
    session: Session, revenue_class: RevenueClass, value: object, field: str = "percentage"
) -> RevenueModel:
    percentage = check_percentage(value, field)
    model = sharing_model(session, revenue_class)
    _check_total(percentage, [s.share for s in model.stakeholders], field)
    model.percentage = percentage
    session.flush()
    return model


def set_percentages(session: Session, percentages: Mapping[RevenueClass, Decimal]) -> None:
    """Every class's aggregator share at once (WStore's ``models``): all or none."""
    for given_class, percentage in percentages.items():
        set_percentage(session, given_class, percentage, "models")


# --- stakeholders ----------------------------------------------------------------------


@dataclass(frozen=True)
class StakeholderData:
    """One of: a provider (by id), a user (by e-mail) or an organisation (by name)."""

    share: object
    provider_id: int | None = None
    user_email: str = ""
    organisation: str = ""


def _party(session: Session, data: StakeholderData) -> tuple[int | None, int | None, str]:
    given = [data.provider_id is not None, bool(data.user_email), bool(data.organisation)]
    if sum(given) != 1:
        raise Invalid.field("party", "name exactly one: a provider, a user or an organisation")
    if data.provider_id is not None:
        if session.get(Provider, data.provider_id) is None:
            raise Invalid.field("provider_id", "is not a registered provider")
        return data.provider_id, None, ""
    if data.user_email:
        user_id = session.scalar(
            select(User.id).where(func.lower(User.email) == data.user_email.lower())
        )
        if user_id is None:
            raise Invalid.field("user_email", "is not the e-mail of a registered user")
        return None, user_id, ""
    if len(data.organisation) > 255:
        raise Invalid.field("organisation", "must be at most 255 characters")
    return None, None, data.organisation


def providers_to_choose(session: Session) -> list[Provider]:
    """The providers an admin may name as stakeholders (or filter revenue by), by name."""
    return list(session.scalars(select(Provider).order_by(Provider.name)))


def check_share(value: object) -> Decimal:
    share = check_percentage(value, "share")
    if share == 0:
        raise Invalid.field("share", SHARE_RANGE)
    return share


def add_stakeholder(
    session: Session, revenue_class: RevenueClass, data: StakeholderData
) -> RevenueStakeholder:
    share = check_share(data.share)
    provider_id, user_id, organisation = _party(session, data)
    model = sharing_model(session, revenue_class)
    for other in model.stakeholders:
        if (other.provider_id, other.user_id, other.organisation) == (
            provider_id,
            user_id,
            organisation,
        ):
            raise Conflict.field("party", "is already a stakeholder of this class")
    _check_total(model.percentage, [s.share for s in model.stakeholders] + [share], "share")
    stakeholder = RevenueStakeholder(
        provider_id=provider_id, user_id=user_id, organisation=organisation, share=share
    )
    model.stakeholders.append(stakeholder)
    session.flush()
    return stakeholder


def find_stakeholder(session: Session, stakeholder_id: int) -> RevenueStakeholder:
    stakeholder = session.get(RevenueStakeholder, stakeholder_id)
    if stakeholder is None:
        raise NotFound("Stakeholder")
    return stakeholder


def remove_stakeholder(session: Session, stakeholder: RevenueStakeholder) -> None:
    session.delete(stakeholder)
    session.flush()


# --- the RSS registration (WStore's admin API) -----------------------------------------


@dataclass(frozen=True)
class RssData:
    name: str
    host: str
    api_version: int
    limits: dict[str, Any]


def default_limits(currency: str) -> dict[str, Any]:
    """WStore's expenditure limits when none are given (store-ge.md §4.1)."""
    return {
        "currency": currency,
        "perTransaction": 10000,
        "weekly": 100000,
        "daily": 10000,
        "monthly": 100000,
    }


def list_rss(session: Session) -> list[RssRegistration]:
    return list(session.scalars(select(RssRegistration).order_by(RssRegistration.id)))


def find_rss(session: Session, name: str) -> RssRegistration:
    rss = session.scalar(select(RssRegistration).where(RssRegistration.name == name))
    if rss is None:
        raise NotFound("RSS")
    return rss


def check_rss_free(session: Session) -> None:
    if session.scalar(select(RssRegistration.id)) is not None:
        raise Conflict.field("name", RSS_EXISTS)


def register_rss(
    session: Session, data: RssData, percentages: Mapping[RevenueClass, Decimal] | None
) -> RssRegistration:
    """The one RSS; its ``models`` set the aggregator's shares. Without them the shares
    stay as they are (WStore's defaults on a fresh store)."""
    check_rss_free(session)
    if percentages:
        set_percentages(session, percentages)
    rss = RssRegistration(
        name=data.name, host=data.host, api_version=data.api_version, limits=data.limits
    )
    session.add(rss)
    session.flush()
    return rss


def change_rss(
    session: Session,
    rss: RssRegistration,
    name: str | None,
    limits: dict[str, Any] | None,
    percentages: Mapping[RevenueClass, Decimal] | None,
) -> RssRegistration:
    if name is not None and name != rss.name:
        if session.scalar(select(RssRegistration.id).where(RssRegistration.name == name)):
            raise Invalid.field("name", NAME_IN_USE)
        rss.name = name
    if limits is not None:
        rss.limits = limits
    if percentages:
        set_percentages(session, percentages)
    session.flush()
    return rss


def remove_rss(session: Session, rss: RssRegistration) -> None:
    """Only the registration goes: charges are still shared by the classes' models."""
    session.delete(rss)
    session.flush()


# --- sharing each charge ---------------------------------------------------------------

_CLASS_OF_PART = {
    PartKind.PAY_PER_USE: RevenueClass.USE,
    PartKind.DEDUCTION: RevenueClass.USE,
    PartKind.SUBSCRIPTION: RevenueClass.SUBSCRIPTION,
}


def contract_revenue_class(session: Session, contract: Contract, charge: Charge) -> RevenueClass:
    """The bought plan's class (§5.2); from the charge's lines if a unit it names has
    since been removed from the registry."""
    try:
        return RevenueClass(revenue_class([contract.components], registered_units(session)))
    except Invalid:
        kinds = {_CLASS_OF_PART.get(p.kind, RevenueClass.SINGLE_PAYMENT) for p in charge.parts}
        return next((c for c in reversed(RevenueClass) if c in kinds), RevenueClass.SINGLE_PAYMENT)


@dataclass(frozen=True)
class Party:
    kind: PartyKind
    name: str
    percentage: Decimal
    provider_id: int | None = None
    user_id: int | None = None


def parties(model: RevenueModel, seller: Provider) -> tuple[Party, list[Party]]:
    """The seller's party, and the others in the model's order (aggregator first)."""
    others = [Party(PartyKind.AGGREGATOR, AGGREGATOR, model.percentage)]
    others += [
        Party(PartyKind.STAKEHOLDER, s.party_name, s.share, s.provider_id, s.user_id)
        for s in model.stakeholders
    ]
    return Party(PartyKind.PROVIDER, seller.name, provider_share(model), seller.id), others


@dataclass(frozen=True)
class Share:
    """A party's part of a charge: of its duty-free amount and of its tax."""

    party: Party
    duty_free: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.duty_free + self.tax


def shares_of(
    amount: Amount, seller: Party, others: Sequence[Party], minor_unit: int
) -> list[Share]:
    """The seller's share first, then the others'; duty-free amounts and taxes each add
    up exactly to the charge's, the seller taking both remainders."""
    percentages = [p.percentage for p in others]
    seller_free, others_free = split(amount.duty_free, percentages, minor_unit)
    seller_tax, others_tax = split(amount.tax, percentages, minor_unit)
    shares = [Share(seller, seller_free, seller_tax)]
    return shares + [Share(*s) for s in zip(others, others_free, others_tax, strict=True)]


@on_charge
def share_charge(session: Session, contract: Contract, charge: Charge, now: datetime) -> None:
    """One revenue record per party of a charge that cost something."""
    if charge.amount.total <= 0:
        return
    seller = contract.offer.service.provider
    revenue = contract_revenue_class(session, contract, charge)
    stored = session.get(RevenueModel, revenue)
    seller_party, others = parties(stored or _default_model(revenue), seller)
    for share in shares_of(charge.amount, seller_party, others, contract.minor_unit):
        session.add(
            RevenueRecord(
                contract_id=contract.id,
                provider_id=seller.id,
                revenue_class=revenue,
                concept=charge.concept.value,
                party_kind=share.party.kind,
                party_provider_id=share.party.provider_id,
                party_user_id=share.party.user_id,
                party_name=share.party.name,
                percentage=share.party.percentage,
                currency=charge.amount.currency,
                duty_free=share.duty_free,
                tax=share.tax,
                total=share.total,
                charged_at=now,
            )
        )
