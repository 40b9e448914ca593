"""The data set format's JSON Schema: committed beside its documentation, met by the demo data."""

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mercato.datasets.context import Loading
from mercato.datasets.loading import load_dataset
from mercato.datasets.schema import DataSet, json_schema
from mercato.ordering.models import Order

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA_FILE = DOCS / "dataset.schema.json"
DEMO_FILE = Path(str(files("mercato.demo") / "demo.json"))
REGENERATE = (
    "docs/dataset.schema.json differs from the schema of mercato.datasets.schema; regenerate it:\n"
    "  python -c 'import json; from mercato.datasets.schema import json_schema; "
    "print(json.dumps(json_schema(), indent=2))' > docs/dataset.schema.json"
)


def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def _demo_text() -> str:
    return DEMO_FILE.read_text(encoding="utf-8")


def test_committed_schema_is_the_one_the_format_generates():
    committed = SCHEMA_FILE.read_text(encoding="utf-8")

    assert committed == json.dumps(json_schema(), indent=2) + "\n", REGENERATE


def test_committed_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_demo_data_set_meets_the_json_schema():
    errors = _validator().iter_errors(json.loads(_demo_text()))

    assert [f"{error.json_path}: {error.message}" for error in errors] == []


def test_demo_data_set_reads_as_a_data_set_with_every_kind_of_record():
    data = DataSet.model_validate_json(_demo_text())

    assert data.counts() == {
        "currencies": 2,
        "units": 1,
        "tax_rates": 2,
        "users": 9,
        "providers": 6,
        "services": 33,
        "omses": 3,
        "offers": 69,
        "bundles": 2,
        "projects": 2,
        "orders": 4,
        "messages": 5,
        "assets": 4,
        "offerings": 4,
        # The demo buys nothing yet: no purchases, invoices or contracting forms.
        "tax_addresses": 0,
        "contracts": 0,
        "invoices": 0,
        "contracting_forms": 0,
    }


def test_demo_data_set_is_pretty_printed_with_two_space_indents():
    text = _demo_text()

    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_demo_asset_files_ship_beside_the_data_set():
    data = DataSet.model_validate_json(_demo_text())

    named = [asset.file for asset in data.assets if asset.file is not None]

    assert named == ["files/annotate.py", "files/fair-handbook.md"]
    assert all((DEMO_FILE.parent / name).is_file() for name in named)


def _documented_examples() -> list[str]:
    return re.findall(r"```json\n(.*?)```", (DOCS / "dataset.md").read_text(), re.DOTALL)


def test_json_examples_of_the_documentation_are_data_sets():
    examples = _documented_examples()

    for example in examples:
        DataSet.model_validate_json(example)
        assert list(_validator().iter_errors(json.loads(example))) == []
    assert len(examples) == 2


@pytest.mark.parametrize(
    "document",
    [
        pytest.param({"version": 1}, id="format missing"),
        pytest.param({"format": "mercato-dataset", "version": 2}, id="unknown version"),
        pytest.param(
            {
                "format": "mercato-dataset",
                "version": 1,
                "users": [{"ref": "a", "email": "a@example.org", "is_admn": True}],
            },
            id="misspelt field",
        ),
        pytest.param(
            {
                "format": "mercato-dataset",
                "version": 1,
                "services": [
                    {"ref": "s", "provider": "p", "name": "S", "order_type": "on_request"}
                ],
            },
            id="unknown order type",
        ),
    ],
)
def test_schema_and_records_refuse_the_same_broken_files(document: dict[str, Any]):
    schema_errors = list(_validator().iter_errors(document))

    with pytest.raises(ValidationError):
        DataSet.model_validate(document)
    assert schema_errors


def test_the_documented_example_loads(loading: Loading, session: Session) -> None:
    example = DataSet.model_validate_json(_documented_examples()[-1])

    counts = load_dataset(loading, example)

    assert {kind: count for kind, count in counts.items() if count} == {
        "users": 2,
        "providers": 1,
        "services": 1,
        "offers": 1,
        "projects": 1,
        "orders": 1,
        "messages": 1,
    }
    assert session.scalar(select(Order.status_value)) == "created"
