"""Store rules without HTTP: versions, rating formulas, files following the transaction."""

import pytest
from sqlalchemy import text

from mercato.errors import Invalid
from mercato.store.naming import check_asset_version, check_offering_version, compare_versions
from mercato.store.reviews import rating_after_create, rating_after_delete, rating_after_update
from mercato.store.storage import LocalStorage, delete_file_on_commit, save_file


@pytest.mark.parametrize(
    ("left", "right", "order"),
    [
        ("1.0", "1.0.0", 0),
        ("1.10", "1.9", 1),
        ("1.0rc1", "1.0", -1),
        ("1.0a2", "1.0b1", -1),
        ("1.0b1", "1.0rc1", -1),
        ("2", "1.99.99", 1),
        ("0.1", "0.0.9", 1),
    ],
)
def test_versions_compare_numerically_per_component(left, right, order):
    assert (compare_versions(left, right), compare_versions(right, left)) == (order, -order)


@pytest.mark.parametrize("version", ["1.0", "0.1", "10.0.3", "0"])
def test_offering_versions_accepted(version):
    assert check_offering_version(version) == version


@pytest.mark.parametrize("version", ["01.0", "1.", ".1", "1.0rc1", "v1", "", "1..0"])
def test_offering_versions_refused(version):
    with pytest.raises(Invalid):
        check_offering_version(version)


@pytest.mark.parametrize(("version", "ok"), [("1.0rc2", True), ("1.0a1", True), ("1.0c1", False)])
def test_asset_versions_may_be_pre_releases(version, ok):
    if ok:
        assert check_asset_version(version) == version
    else:
        with pytest.raises(Invalid):
            check_asset_version(version)


def test_rating_formulas_keep_the_mean():
    ratings = [5, 2, 4]
    average = 0.0
    for n, rating in enumerate(ratings, start=1):
        average = rating_after_create(average, n, rating)
    assert average == pytest.approx(11 / 3)
    average = rating_after_update(average, 3, 2, 5)
    assert average == pytest.approx(14 / 3)
    average = rating_after_delete(average, 2, 5)
    assert average == pytest.approx(9 / 2)
    assert rating_after_delete(4.0, 0, 4) == 0.0


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "media")


def files_under(storage):
    return sorted(p.name for p in storage.root.rglob("*") if p.is_file())


def test_written_file_goes_when_the_transaction_rolls_back(session, storage):
    session.execute(text("SELECT 1"))
    save_file(session, storage, "assets/x/a.bin", b"a")

    session.rollback()

    assert files_under(storage) == []


def test_written_file_stays_when_the_transaction_commits(session, storage):
    save_file(session, storage, "assets/x/a.bin", b"a")

    session.commit()

    assert files_under(storage) == ["a.bin"]


def test_replaced_file_goes_only_after_commit(session, storage):
    storage.save("assets/old/a.bin", b"old")

    session.execute(text("SELECT 1"))
    delete_file_on_commit(session, storage, "assets/old/a.bin")
    session.rollback()
    kept = files_under(storage)
    delete_file_on_commit(session, storage, "assets/old/a.bin")
    session.commit()

    assert (kept, files_under(storage)) == (["a.bin"], [])


def test_keys_cannot_leave_the_storage_folder(storage):
    with pytest.raises(ValueError, match="escapes"):
        storage.save("../outside.bin", b"x")
