"""Currencies, price units and tax rates in data sets: loaded over what the migrations seed,
dumped whole."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from mercato.commerce.models import Currency, PriceUnit, PricingModel, TaxRate
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.dumping import dump_dataset
from mercato.datasets.loading import load_dataset
from mercato.datasets.schema import CurrencyRecord, DataSet, TaxRateRecord, UnitRecord

DATA = DataSet(
    format="mercato-dataset",
    version=1,
    currencies=[
        CurrencyRecord(code="eur", name="Euro (EU)", minor_unit=2),
        CurrencyRecord(code="JPY", name="Yen", minor_unit=0, is_default=True),
    ],
    units=[
        UnitRecord(name="per month", model=PricingModel.SUBSCRIPTION, renewal_days=31),
        UnitRecord(name="call", model=PricingModel.PAY_PER_USE),
    ],
    tax_rates=[TaxRateRecord(country="es", rate=Decimal("21.0"), label="IVA")],
)


def test_records_update_the_seeded_entries_and_add_the_others(session, loading: Loading):
    counts = load_dataset(loading, DATA)
    session.commit()

    assert {k: v for k, v in counts.items() if v} == {"currencies": 2, "units": 2, "tax_rates": 1}
    currencies = session.scalars(select(Currency).order_by(Currency.id))
    assert [(c.code, c.name, c.minor_unit, c.is_default) for c in currencies] == [
        ("EUR", "Euro (EU)", 2, False),
        ("JPY", "Yen", 0, True),
    ]
    units = session.scalars(select(PriceUnit).order_by(PriceUnit.id)).all()
    assert [(u.name, u.renewal_days) for u in units][3:] == [
        ("per month", 31),
        ("per week", 7),
        ("per year", 365),
        ("call", None),
    ]
    rates = session.scalars(select(TaxRate))
    assert [(r.country, r.rate, r.label) for r in rates] == [("ES", Decimal(21), "IVA")]


def test_a_load_then_a_dump_gives_every_entry(session, loading: Loading, dataset_folder: Path):
    load_dataset(loading, DATA)
    session.commit()

    dumped = dump_dataset(session, loading.files, dataset_folder)

    assert dumped.currencies == [
        CurrencyRecord(code="EUR", name="Euro (EU)", minor_unit=2),
        CurrencyRecord(code="JPY", name="Yen", minor_unit=0, is_default=True),
    ]
    assert [u.name for u in dumped.units] == [
        "invocation",
        "issue",
        "single payment",
        "per month",
        "per week",
        "per year",
        "call",
    ]
    assert dumped.tax_rates == [TaxRateRecord(country="ES", rate=Decimal(21), label="IVA")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"units": [UnitRecord(name="per day", model=PricingModel.SUBSCRIPTION)]},
            "units[0] (ref 'per day'), field 'renewal_days': Missing renovation period",
        ),
        (
            {"currencies": [CurrencyRecord(code="US$")]},
            "currencies[0] (ref 'US$'), field 'code': Invalid currency format",
        ),
        (
            {"tax_rates": [TaxRateRecord(country="ES", rate=Decimal(101))]},
            "tax_rates[0] (ref 'ES'), field 'rate': "
            "must be a percentage from 0 to 100, at most 4 decimals",
        ),
    ],
)
def test_a_refused_record_names_its_field(loading: Loading, data, message):
    with pytest.raises(LoadError) as refused:
        load_dataset(loading, DataSet(format="mercato-dataset", version=1, **data))

    assert str(refused.value) == message
