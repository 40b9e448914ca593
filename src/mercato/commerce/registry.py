"""Rules for what admins register: price units, currencies and tax rates.

Messages are WStore's where WStore has one (store-wire.md §10.1, §10.2), each on
the field it is about, so the WStore API sends it as it is and pages show it by
the field. Only site admins change them: the API and the pages check that first
(``check_admin``), as the order of WStore's checks needs; data-set loading has no caller.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mercato.accounts.models import User
from mercato.commerce.models import Currency, PriceUnit, PricingModel, TaxRate
from mercato.commerce.money import NO_TAX, Tax, to_decimal
from mercato.commerce.money import Currency as CurrencyTerms
from mercato.commerce.plans import Units, UnitTerms
from mercato.errors import Conflict, Forbidden, Invalid, NotFound
from mercato.store.models import StoreOffering
from mercato.store.pricing import PricingTerms

CODE = re.compile(r"^[\w -]+$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_NAME = 255
MAX_CODE = 32
UNIT_EXISTS = "The unit already exists"
INVALID_MODEL = "Invalid pricing model"
MISSING_PERIOD = "Missing renovation period"
INVALID_CURRENCY = "Invalid currency format"
CURRENCY_EXISTS = "The currency already exists"
DEFAULT_CURRENCY = "The currency cannot be deleted: It is the default currency"
CURRENCY_IN_USE = "The currency cannot be deleted: An offering is using it"
INVALID_PERIOD = "The renovation period must be a whole number of days, at least 1"
INVALID_MINOR_UNIT = "The minor unit must be a whole number from 0 to 6"


def check_admin(user: User) -> None:
    if not user.is_admin:
        raise Forbidden("Forbidden")


# --- price units ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnitData:
    name: str
    model: str
    # As given: a positive whole number of days is required for subscriptions only.
    renewal_days: object = None


def list_units(session: Session) -> list[PriceUnit]:
    """In registration order, the shipped ones first (WStore lists them so)."""
    return list(session.scalars(select(PriceUnit).order_by(PriceUnit.id)))


def registered_units(session: Session) -> Units:
    return {u.name: UnitTerms(u.model, u.renewal_days) for u in list_units(session)}


def _check_unit(data: UnitData) -> tuple[str, PricingModel, int | None]:
    name = data.name.strip()
    if not name:
        raise Invalid.field("name", "Missing required field")
    if len(name) > MAX_NAME:
        raise Invalid.field("name", f"must be at most {MAX_NAME} characters")
    try:
        model = PricingModel(data.model.lower())
    except ValueError:
        raise Invalid.field("defined_model", INVALID_MODEL) from None
    if model is not PricingModel.SUBSCRIPTION:
        return name, model, None
    days = data.renewal_days
    if days is None or days == "":
        raise Invalid.field("renovation_period", MISSING_PERIOD)
    # WStore stores whatever is sent; a period that is not a number of days cannot renew.
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days)
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise Invalid.field("renovation_period", INVALID_PERIOD)
    return name, model, days


def _check_unit_name_free(session: Session, name: str, unit_id: int | None = None) -> None:
    taken = session.scalar(select(PriceUnit.id).where(PriceUnit.name == name))
    if taken is not None and taken != unit_id:
        raise Invalid.field("name", UNIT_EXISTS)


def add_unit(session: Session, data: UnitData) -> PriceUnit:
    """WStore's order: the name is checked free before the model (§10.1)."""
    if data.name.strip():
        _check_unit_name_free(session, data.name.strip())
    name, model, days = _check_unit(data)
    unit = PriceUnit(name=name, model=model, renewal_days=days)
    session.add(unit)
    session.flush()
    return unit


def find_unit(session: Session, unit_id: int) -> PriceUnit:
    unit = session.get(PriceUnit, unit_id)
    if unit is None:
        raise NotFound("Price unit")
    return unit


def change_unit(session: Session, unit: PriceUnit, data: UnitData) -> PriceUnit:
    name, model, days = _check_unit(data)
    _check_unit_name_free(session, name, unit.id)
    unit.name, unit.model, unit.renewal_days = name, model, days
    session.flush()
    return unit


def remove_unit(session: Session, unit: PriceUnit) -> None:
    """Plans keep unit names, not rows: a removed unit only stops new plans using it."""
    session.delete(unit)
    session.flush()


# --- currencies ----------------------------------------------------------------------


@dataclass(frozen=True)
class CurrencyData:
    code: str
    name: str = ""
    minor_unit: int = 2
    is_default: bool = False


def list_currencies(session: Session) -> list[Currency]:
    return list(session.scalars(select(Currency).order_by(Currency.id)))


def find_currency(session: Session, code: str) -> Currency:
    """The registered currency, whatever the case of ``code`` (WStore's comparison)."""
    currency = session.scalar(select(Currency).where(Currency.folded_code == code.lower()))
    if currency is None:
        raise NotFound("Currency")
    return currency


def find_currency_by_id(session: Session, currency_id: int) -> Currency:
    currency = session.get(Currency, currency_id)
    if currency is None:
        raise NotFound("Currency")
    return currency


def default_currency(session: Session) -> Currency | None:
    return session.scalar(select(Currency).where(Currency.is_default))


def _check_currency(data: CurrencyData) -> None:
    if not CODE.match(data.code) or len(data.code) > MAX_CODE:
        raise Invalid.field("currency", INVALID_CURRENCY)
    if len(data.name) > MAX_NAME:
        raise Invalid.field("name", f"must be at most {MAX_NAME} characters")
    if isinstance(data.minor_unit, bool) or data.minor_unit not in range(7):
        raise Invalid.field("minor_unit", INVALID_MINOR_UNIT)


def _check_code_free(session: Session, code: str, currency_id: int | None = None) -> None:
    taken = session.scalar(select(Currency.id).where(Currency.folded_code == code.lower()))
    if taken is not None and taken != currency_id:
        raise Conflict.field("currency", CURRENCY_EXISTS)


def add_currency(session: Session, data: CurrencyData) -> Currency:
    """The first currency, or one added as default, becomes the default (§10.2)."""
    _check_currency(data)
    _check_code_free(session, data.code)
    is_default = data.is_default or default_currency(session) is None
    if is_default:
        _clear_default(session)
    currency = Currency(
        code=data.code,
        folded_code=data.code.lower(),
        name=data.name,
        minor_unit=data.minor_unit,
        is_default=is_default,
    )
    session.add(currency)
    session.flush()
    return currency


def change_currency(session: Session, currency: Currency, data: CurrencyData) -> Currency:
    """Name and minor unit may change, and it may become the default; the code stays, as
    prices name it."""
    _check_currency(CurrencyData(currency.code, data.name, data.minor_unit))
    currency.name, currency.minor_unit = data.name, data.minor_unit
    if data.is_default and not currency.is_default:
        make_default_currency(session, currency)
    session.flush()
    return currency


def _clear_default(session: Session) -> None:
    session.execute(update(Currency).where(Currency.is_default).values(is_default=False))


def make_default_currency(
    session: Session, currency: Currency, spelling: str | None = None
) -> Currency:
    """WStore keeps the default with the spelling the admin used in the path (§10.2)."""
    _clear_default(session)
    session.flush()
    currency.is_default = True
    if spelling is not None:
        currency.code = spelling
    session.flush()
    return currency


def is_currency_in_use(session: Session, currency: Currency) -> bool:
    """Some offering has a price plan in it (WStore's in-use flag, which it never set)."""
    for plans in session.scalars(select(StoreOffering.price_plans)).yield_per(500):
        if any(str(plan.get("currency", "")).lower() == currency.folded_code for plan in plans):
            return True
    return False


def remove_currency(session: Session, currency: Currency) -> None:
    if currency.is_default:
        raise Forbidden(DEFAULT_CURRENCY)
    if is_currency_in_use(session, currency):
        raise Forbidden(CURRENCY_IN_USE)
    session.delete(currency)
    session.flush()


# --- tax rates -----------------------------------------------------------------------


@dataclass(frozen=True)
class TaxRateData:
    country: str
    rate: object
    label: str = "VAT"


def list_tax_rates(session: Session) -> list[TaxRate]:
    return list(session.scalars(select(TaxRate).order_by(TaxRate.country)))


def find_tax_rate(session: Session, tax_rate_id: int) -> TaxRate:
    rate = session.get(TaxRate, tax_rate_id)
    if rate is None:
        raise NotFound("Tax rate")
    return rate


def _check_tax_rate(data: TaxRateData) -> tuple[str, Decimal, str]:
    country = data.country.strip().upper()
    if not COUNTRY.match(country):
        raise Invalid.field("country", "must be a two-letter country code (ISO 3166-1)")
    rate = to_decimal(data.rate, "rate")
    exponent = rate.as_tuple().exponent
    if not Decimal(0) <= rate <= Decimal(100) or (isinstance(exponent, int) and exponent < -4):
        raise Invalid.field("rate", "must be a percentage from 0 to 100, at most 4 decimals")
    label = data.label.strip() or "VAT"
    if len(label) > 64:
        raise Invalid.field("label", "must be at most 64 characters")
    return country, _shortest(rate), label


def _shortest(rate: Decimal) -> Decimal:
    """21.00 and 21 are one rate, kept as 21 (not normalize()'s 2.1E+1)."""
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()


def _check_country_free(session: Session, country: str, rate_id: int | None = None) -> None:
    taken = session.scalar(select(TaxRate.id).where(TaxRate.country == country))
    if taken is not None and taken != rate_id:
        raise Conflict.field("country", "already has a tax rate")


def add_tax_rate(session: Session, data: TaxRateData) -> TaxRate:
    country, rate, label = _check_tax_rate(data)
    _check_country_free(session, country)
    tax_rate = TaxRate(country=country, rate=rate, label=label)
    session.add(tax_rate)
    session.flush()
    return tax_rate


def change_tax_rate(session: Session, tax_rate: TaxRate, data: TaxRateData) -> TaxRate:
    country, rate, label = _check_tax_rate(data)
    _check_country_free(session, country, tax_rate.id)
    tax_rate.country, tax_rate.rate, tax_rate.label = country, rate, label
    session.flush()
    return tax_rate


def remove_tax_rate(session: Session, tax_rate: TaxRate) -> None:
    session.delete(tax_rate)
    session.flush()


def pricing_terms(session: Session) -> PricingTerms:
    """What WStore's plan check accepts: the registered units and currencies as they are now."""
    units = {unit.name: unit.model.value for unit in list_units(session)}
    return PricingTerms(units, frozenset(c.code for c in list_currencies(session)))


# --- what a charge needs -------------------------------------------------------------


def tax_for(session: Session, country: str) -> Tax:
    """The tax of a buyer in ``country``; none where no rate is registered."""
    rate = session.scalar(select(TaxRate).where(TaxRate.country == country.strip().upper()))
    return NO_TAX if rate is None else Tax(rate.rate, rate.label)


def plan_currency(session: Session, code: str | None) -> CurrencyTerms:
    """The plan's currency, else the store's default (WStore's ``general_currency``)."""
    currency = find_currency(session, code) if code else default_currency(session)
    if currency is None:
        raise NotFound("Default currency")
    return CurrencyTerms(currency.code, currency.minor_unit)
