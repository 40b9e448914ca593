"""Bundles in a data set: loaded as they stood, dumped back the same, ids kept."""

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.catalogue.models import Bundle, BundleStatus
from mercato.datasets.context import LoadError, Loading
from mercato.datasets.dumping import dump_dataset
from mercato.datasets.loading import load_dataset
from mercato.datasets.schema import DataSet
from tests.conftest import empty_tables
from tests.datasets.test_catalogue import records

BUNDLE = {
    "ref": "kit",
    "id": 12,
    "service": "vm",
    "iid": 3,
    "name": "VM kit",
    "description": "A VM with its extras",
    "order_type": "order_required",
    "main_offer": "small",
    "offers": ["next", "big"],
    "categories": ["Compute"],
    "scientific_domains": ["Physics"],
    "bundle_goals": ["Data Storage", "Processing"],
    "capabilities_of_goals": ["Compute"],
    "target_users": ["Researchers", "Students"],
    "marketplace_locations": ["Process and Analyse"],
    "helpdesk_url": "https://help.example.org",
    "contact_email": "help@example.org",
    "related_training": True,
    "related_training_url": "https://training.example.org",
}
# Written long ago: nothing but what every bundle must have.
BARE = {
    "ref": "old",
    "service": "vm",
    "name": "Old",
    "description": "",
    "order_type": "other",
    "status": "unpublished",
    "main_offer": "big",
    "offers": ["small"],
}
# A dump names records by the API's addresses.
DUMPED = [
    {
        **BUNDLE,
        "ref": "virtual-machines/bundle-3",
        "service": "virtual-machines",
        "main_offer": "virtual-machines/1",
        "offers": ["virtual-machines/6", "virtual-machines/5"],
    },
    {
        **BARE,
        "ref": "virtual-machines/bundle-4",
        "id": 13,
        "service": "virtual-machines",
        "iid": 4,
        "main_offer": "virtual-machines/5",
        "offers": ["virtual-machines/1"],
    },
]


def _dataset(*bundles: dict[str, Any]) -> DataSet:
    changed = records()
    # An offer unpublished after it was bundled: that rule only governs new writes.
    changed["offers"][2]["status"] = "draft"
    changed["bundles"] = list(bundles)
    return DataSet.model_validate({"format": "mercato-dataset", "version": 1, **changed})


def _bundles(data: DataSet) -> list[dict[str, Any]]:
    return [bundle.model_dump(mode="json", exclude_defaults=True) for bundle in data.bundles]


def test_bundles_load_as_they_stood_and_a_dump_loads_back_the_same(
    loading: Loading, session: Session, dataset_folder, engine
) -> None:
    load_dataset(loading, _dataset(BUNDLE, BARE))
    session.commit()
    first = dump_dataset(session, loading.files, dataset_folder)
    session.rollback()  # the dump's reads must not hold PostgreSQL's TRUNCATE back
    empty_tables(engine)

    load_dataset(Loading(session, loading.files, dataset_folder), first)
    session.commit()
    second = dump_dataset(session, loading.files, dataset_folder)

    assert _bundles(first) == DUMPED
    assert second == first
    statuses = session.execute(select(Bundle.id, Bundle.status).order_by(Bundle.id)).all()
    assert statuses == [(12, BundleStatus.PUBLISHED), (13, BundleStatus.UNPUBLISHED)]


BROKEN = {
    "main offer bundled": (
        {**BUNDLE, "offers": ["next", "small"]},
        "bundles[0] (ref 'kit'), field 'offers': cannot bundle main offer",
    ),
    "unknown offer": (
        {**BUNDLE, "offers": ["next", "huge"]},
        "bundles[0] (ref 'kit'), field 'offers[1]': names no offers record 'huge' of this data set",
    ),
    "iid taken": (
        [BUNDLE, {**BARE, "iid": 3}],
        "bundles[1] (ref 'old'), field 'iid': is taken by another bundle of this service",
    ),
}


@pytest.mark.parametrize(("bundles", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_bundle_stops_the_load_naming_it(
    loading: Loading, bundles: Any, message: str
) -> None:
    given = bundles if isinstance(bundles, list) else [bundles]

    with pytest.raises(LoadError) as raised:
        load_dataset(loading, _dataset(*given))

    assert str(raised.value) == message
