"""Currencies, price units and tax rates in a data set.

A new database already holds what the migrations seed (WStore's units, EUR as the
default), so records update the entry of the same code, name or country, and add
the others; nothing is removed. A dump lists every entry, seeded ones included.
"""

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.commerce import registry
from mercato.commerce.models import Currency, PriceUnit, TaxRate
from mercato.datasets.context import Loading, renamed
from mercato.datasets.schema import CurrencyRecord, TaxRateRecord, UnitRecord
from mercato.errors import NotFound


def load_currencies(loading: Loading, records: list[CurrencyRecord]) -> None:
    loading.each("currencies", records, lambda r: _load_currency(loading, r), named_by="code")


# The rules name the WStore API's fields; errors of a load name the record's.
_RECORD_FIELDS = {"currency": "code", "defined_model": "model", "renovation_period": "renewal_days"}


def _record_field(name: str) -> str:
    return _RECORD_FIELDS.get(name, name)


def _load_currency(loading: Loading, record: CurrencyRecord) -> Currency:
    data = registry.CurrencyData(record.code, record.name, record.minor_unit, record.is_default)
    try:
        currency = registry.find_currency(loading.session, record.code)
    except NotFound:
        with renamed(_record_field):
            return registry.add_currency(loading.session, data)
    return registry.change_currency(loading.session, currency, data)


def load_units(loading: Loading, records: list[UnitRecord]) -> None:
    loading.each("units", records, lambda r: _load_unit(loading, r), named_by="name")


def _load_unit(loading: Loading, record: UnitRecord) -> PriceUnit:
    data = registry.UnitData(record.name, record.model.value, record.renewal_days)
    unit = loading.session.scalar(select(PriceUnit).where(PriceUnit.name == record.name))
    with renamed(_record_field):
        if unit is None:
            return registry.add_unit(loading.session, data)
        return registry.change_unit(loading.session, unit, data)


def load_tax_rates(loading: Loading, records: list[TaxRateRecord]) -> None:
    loading.each("tax_rates", records, lambda r: _load_tax_rate(loading, r), named_by="country")


def _load_tax_rate(loading: Loading, record: TaxRateRecord) -> TaxRate:
    data = registry.TaxRateData(record.country, record.rate, record.label)
    country = record.country.strip().upper()
    tax_rate = loading.session.scalar(select(TaxRate).where(TaxRate.country == country))
    if tax_rate is None:
        return registry.add_tax_rate(loading.session, data)
    return registry.change_tax_rate(loading.session, tax_rate, data)


def dump_currencies(session: Session) -> Iterator[CurrencyRecord]:
    for currency in registry.list_currencies(session):
        yield CurrencyRecord(
            code=currency.code,
            name=currency.name,
            minor_unit=currency.minor_unit,
            is_default=currency.is_default,
        )


def dump_units(session: Session) -> Iterator[UnitRecord]:
    for unit in registry.list_units(session):
        yield UnitRecord(name=unit.name, model=unit.model, renewal_days=unit.renewal_days)


def dump_tax_rates(session: Session) -> Iterator[TaxRateRecord]:
    for tax_rate in registry.list_tax_rates(session):
        yield TaxRateRecord(country=tax_rate.country, rate=tax_rate.rate, label=tax_rate.label)
