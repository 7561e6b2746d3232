"""The change file: a session one write behind updates its copy from it, never a stale one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends.base import PROSPECTS, USERS
from store.backends.tinydb.repository import TinyDBRepository
from store.backends.tinydb.storage import SafeJSONStorage
from store.models import Prospect, User
from store.rules.store import Store
from store.transfer.export import ExportError, check_target


def _prospect(domain: str) -> Prospect:
    return Prospect(company_type="End Customer", company_name=f"{domain} Ltd", domain=domain,
                    sector="Retail", implementation_lead=1)


@pytest.fixture
def two(db_path: Path) -> tuple[Store, Store]:
    mine = Store(db_path)
    mine.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    for n in range(20):
        mine.create_prospect(_prospect(f"p{n}.example"))
    theirs = Store(db_path)
    mine.poll()
    return mine, theirs


def _storage(store: Store) -> SafeJSONStorage:
    repo = store._repo
    assert isinstance(repo, TinyDBRepository)
    return repo._storage


def _count_loads(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    storage = _storage(store)
    loads: list[int] = []
    real = storage._load

    def counted() -> Any:
        loads.append(1)
        return real()

    monkeypatch.setattr(storage, "_load", counted)
    return loads


def _on_disk(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def test_one_write_behind_follows_the_change_file(two: tuple[Store, Store], db_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = two
    loads = _count_loads(mine, monkeypatch)
    before = dict(_storage(mine).read()[PROSPECTS])
    saved = theirs.update_prospect(theirs.get_prospect(3).model_copy(
        update={"company_name": "Renamed [UK] & Co"}))
    changes = mine.poll()
    assert loads == []  # not parsed again: the change file had it
    assert set(changes.prospects) == {3}
    assert changes.prospects[3] is not None
    assert changes.prospects[3]["company_name"] == "Renamed [UK] & Co"
    assert saved.version == 2
    after = _storage(mine).read()
    assert after == _on_disk(db_path)  # exactly what the file holds
    assert all(after[PROSPECTS][k] is before[k] for k in before if k != "3")  # untouched: same


def test_a_create_and_a_delete_follow_too(two: tuple[Store, Store], db_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = two
    loads = _count_loads(mine, monkeypatch)
    made = theirs.create_prospect(_prospect("new.example"))
    assert made.id is not None
    assert set(mine.poll().prospects) == {made.id}
    theirs.delete_prospect(5, 1)
    assert mine.poll().prospects == {5: None}
    assert loads == [] and _storage(mine).read() == _on_disk(db_path)
    # The sequences came along: this session's next id is after theirs.
    assert mine.create_prospect(_prospect("mine.example")).id == made.id + 1


def test_two_writes_behind_parse_the_file(two: tuple[Store, Store], db_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = two
    loads = _count_loads(mine, monkeypatch)
    theirs.create_prospect(_prospect("one.example"))
    theirs.create_prospect(_prospect("two.example"))
    assert len(mine.poll().prospects) == 2
    assert loads == [1]
    assert _storage(mine).read() == _on_disk(db_path)


@pytest.mark.parametrize("damage", [
    b"not json",
    b"[[1,2,3],[4,5,6],{}]",  # signatures that match nothing
    None,  # removed
])
def test_a_damaged_stale_or_missing_change_file_parses_the_file(
        two: tuple[Store, Store], db_path: Path, monkeypatch: pytest.MonkeyPatch,
        damage: bytes | None) -> None:
    mine, theirs = two
    loads = _count_loads(mine, monkeypatch)
    theirs.create_prospect(_prospect("one.example"))
    changes_path = _storage(theirs).changes_path
    if damage is None:
        changes_path.unlink()
    else:
        changes_path.write_bytes(damage)
    assert len(mine.poll().prospects) == 1
    assert loads == [1] and _storage(mine).read() == _on_disk(db_path)


def test_a_change_file_with_wrong_types_is_not_followed(
        two: tuple[Store, Store], db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = two
    loads = _count_loads(mine, monkeypatch)
    theirs.create_prospect(_prospect("one.example"))
    changes_path = _storage(theirs).changes_path
    before, after, tables = orjson.loads(changes_path.read_bytes())
    tables[USERS] = {"1": {"name": "Ada", "email": None, "implementation_lead": True}}
    changes_path.write_bytes(orjson.dumps([before, after, tables]))
    mine.poll()
    assert loads == [1]  # checked like a load: refused, so the file itself was read
    assert _storage(mine).read()[USERS]["1"]["email"] == "ada@example.com"


def test_an_import_writes_no_change_file(two: tuple[Store, Store]) -> None:
    _, theirs = two
    from store.models import ImportBatch  # noqa: PLC0415

    records = [_prospect(f"bulk{n}.example").model_dump(
        mode="json", exclude={"id", "created_at", "updated_at", "version", "import_batch"})
        for n in range(1500)]
    theirs.import_prospects(records, ImportBatch(file_name="big.csv", sha256="ab" * 32))
    assert not _storage(theirs).changes_path.exists()


def test_no_export_lands_on_the_change_file(two: tuple[Store, Store], db_path: Path) -> None:
    _, theirs = two
    theirs.create_prospect(_prospect("one.example"))
    changes_path = _storage(theirs).changes_path
    assert changes_path.exists()
    with pytest.raises(ExportError, match="change file"):
        check_target(changes_path, db_path, replace=True)
