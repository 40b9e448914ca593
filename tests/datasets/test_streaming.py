"""Data set files read record by record, and dumps written record by record."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import mercato.demo
from mercato.catalogue.models import Offer
from mercato.commerce.models import PricingModel
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.dumping import dump_dataset, dump_records, write_dataset
from mercato.datasets.loading import DataSetFile, load_dataset, open_dataset, read_dataset
from mercato.datasets.schema import (
    KINDS,
    CurrencyRecord,
    DataSet,
    Record,
    UnitRecord,
    UserRecord,
)
from tests.datasets.test_catalogue import records

DEMO = Path(mercato.demo.__file__).parent / "demo.json"


def written(path: Path, data: dict[str, Any], indent: int | None = None) -> Path:
    document = {"format": "mercato-dataset", "version": 1, **data}
    path.write_text(json.dumps(document, indent=indent))
    return path


def error_of(loading: Loading, path: Path) -> str:
    with pytest.raises(LoadError) as raised:
        load_dataset(loading, open_dataset(path))
    return str(raised.value)


def test_a_file_is_read_record_by_record_and_loads_what_the_whole_file_loads(
    loading: Loading, session: Session, dataset_folder: Path
) -> None:
    path = written(dataset_folder / "data.json", records(), indent=1)

    data = open_dataset(path)
    counts = load_dataset(loading, data)

    assert isinstance(data, DataSetFile)
    assert counts == read_dataset(path).counts()
    assert counts["offers"] == 3
    assert session.scalars(select(Offer.name).order_by(Offer.id)).all() == ["Small", "Big", "Next"]


def test_kinds_in_another_order_than_loading_load_in_loading_order(
    loading: Loading, session: Session, dataset_folder: Path
) -> None:
    path = written(dataset_folder / "data.json", dict(reversed(records().items())))

    load_dataset(loading, open_dataset(path))

    assert session.scalars(select(Offer.name).order_by(Offer.id)).all() == ["Small", "Big", "Next"]


@pytest.mark.parametrize(
    "text",
    [
        '{"version": 1, "format": "mercato-dataset", "users": [], "users": []}',
        '{"format": "mercato-dataset", "version": 1.0}',
        '{"format": "mercato-dataset", "version": 1} trailing',
        '{"format": "mercato-dataset", "version": 1, "users": {}}',
        '{"format": "mercato-dataset", "version": 1, "users": [',
    ],
)
def test_a_file_laid_out_otherwise_is_read_whole_with_the_same_outcome(
    dataset_folder: Path, text: str
) -> None:
    path = dataset_folder / "odd.json"
    path.write_text(text)

    try:
        expected: object = read_dataset(path)
    except LoadError as error:
        expected = str(error)
    try:
        outcome: object = open_dataset(path)
    except LoadError as error:
        outcome = str(error)

    assert outcome == expected


def test_a_refused_record_late_in_the_file_is_named_before_a_load_error_early_in_it(
    loading: Loading, dataset_folder: Path
) -> None:
    changed = records()
    changed["services"][0]["provider"] = "nobody"
    changed["offers"][1]["order_type"] = "sometimes"
    path = written(dataset_folder / "data.json", changed)

    assert error_of(loading, path) == (
        "offers[1] (ref 'big'), field 'order_type': Input should be 'open_access', "
        "'fully_open_access', 'order_required' or 'other'"
    )


def test_a_ref_given_twice_late_in_the_file_is_named_before_a_load_error_early_in_it(
    loading: Loading, dataset_folder: Path
) -> None:
    changed = records()
    changed["services"][0]["provider"] = "nobody"
    changed["offers"][1]["ref"] = changed["offers"][0]["ref"]
    path = written(dataset_folder / "data.json", changed)

    assert error_of(loading, path) == "offers[1] (ref 'small'), field 'ref': " + (
        "is already the ref of offers[0]"
    )


def test_a_load_error_is_named_as_when_the_file_is_read_whole(
    loading: Loading, dataset_folder: Path
) -> None:
    changed = records()
    changed["services"][0]["provider"] = "nobody"
    path = written(dataset_folder / "data.json", changed)

    assert error_of(loading, path) == (
        "services[0] (ref 'vm'), field 'provider': names no providers record 'nobody' "
        "of this data set"
    )


def test_a_dump_is_written_as_the_whole_data_set_would_be(
    loading: Loading, session: Session, tmp_path: Path
) -> None:
    load_dataset(Loading(session, loading.files, DEMO.parent), read_dataset(DEMO))
    session.flush()
    whole = dump_dataset(session, loading.files, tmp_path / "whole")

    counts = write_dataset(dump_records(session, loading.files, tmp_path), tmp_path / "dump.json")

    expected = whole.model_dump_json(indent=2, exclude_defaults=True) + "\n"
    assert (tmp_path / "dump.json").read_text() == expected
    assert counts == whole.counts()
    assert counts["offerings"] > 0


def test_an_empty_database_dumps_only_what_the_migrations_seed(
    session: Session, loading: Loading, tmp_path: Path
) -> None:
    counts = write_dataset(dump_records(session, loading.files, tmp_path), tmp_path / "dump.json")

    seeded = DataSet(
        format="mercato-dataset",
        version=1,
        currencies=[CurrencyRecord(code="EUR", name="Euro", is_default=True)],
        units=[
            UnitRecord(name="invocation", model=PricingModel.PAY_PER_USE),
            UnitRecord(name="issue", model=PricingModel.PAY_PER_USE),
            UnitRecord(name="single payment", model=PricingModel.SINGLE_PAYMENT),
            UnitRecord(name="per month", model=PricingModel.SUBSCRIPTION, renewal_days=30),
            UnitRecord(name="per week", model=PricingModel.SUBSCRIPTION, renewal_days=7),
            UnitRecord(name="per year", model=PricingModel.SUBSCRIPTION, renewal_days=365),
        ],
    )
    assert (tmp_path / "dump.json").read_text() == (
        seeded.model_dump_json(indent=2, exclude_defaults=True) + "\n"
    )
    assert {kind: count for kind, count in counts.items() if count} == {
        "currencies": 1,
        "units": 6,
    }


def test_a_dump_that_fails_midway_leaves_no_file(tmp_path: Path) -> None:
    def failing() -> Iterator[Record]:
        yield UserRecord(ref="a@example.org", email="a@example.org")
        raise RuntimeError("the database went away")

    dumped = {kind: [] for kind in KINDS} | {"users": failing()}

    with pytest.raises(RuntimeError):
        write_dataset(dumped, tmp_path / "dump.json")

    assert list(tmp_path.iterdir()) == []
