"""A load in progress on the test database, with its files under the test's folder."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from mercato.datasets.context import Loading
from mercato.settings import Settings
from mercato.store.assets import local_files


@pytest.fixture
def dataset_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    folder.mkdir()
    return folder


@pytest.fixture
def loading(session: Session, settings: Settings, dataset_folder: Path) -> Loading:
    return Loading(session=session, files=local_files(settings), folder=dataset_folder)
