"""A data file of the right shape with wrong types inside is refused at load, never rewritten."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends.tinydb.storage import MAX_FILE_BYTES
from store.errors import CorruptFileError
from store.models import Prospect, User
from store.rules.store import Store
from tests.cli import run_cli

Tables = dict[str, Any]


def good_file(path: Path) -> Tables:
    store = Store(path)
    store.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    for n in (1, 2):
        store.create_prospect(Prospect(
            company_type="End Customer", company_name=f"Firm {n}", domain=f"firm{n}.example",
            sector="Retail", implementation_lead=1,
            products=[{"product": "Mimecast for Mac", "seats": 5}]))
    store.close()
    data: Tables = orjson.loads(path.read_bytes())
    data["import_batches"] = {"1": {"file_name": "a.csv", "sha256": "ab", "prospect_ids": [1, 2]}}
    return data


def prospect_2(data: Tables) -> dict[str, Any]:
    return data["prospects"]["2"]  # type: ignore[no-any-return]


BREAKAGES: dict[str, tuple[Callable[[Tables], None], str]] = {
    "products a string": (lambda d: prospect_2(d).update(products="Cloud Archive"),
                          "table 'prospects', record '2': field 'products' is a string"),
    "seats a string": (lambda d: prospect_2(d).update(products=[{"product": "X", "seats": "5"}]),
                       "record '2': field 'products[0].seats' is a string"),
    "key not a number": (lambda d: d["prospects"].update({"two": d["prospects"].pop("2")}),
                         "table 'prospects' has a record numbered 'two'"),
    "e-mail null": (lambda d: d["users"]["1"].update(email=None),
                    "table 'users', record '1': field 'email' is null"),
    "batch ids a string": (lambda d: d["import_batches"]["1"].update(prospect_ids="1,2"),
                           "table 'import_batches', record '1': field 'prospect_ids' is a string"),
    "company_name missing": (lambda d: prospect_2(d).pop("company_name"),
                             "table 'prospects', record '2': field 'company_name' is missing"),
    "lead true": (lambda d: prospect_2(d).update(implementation_lead=True),
                  "field 'implementation_lead' is true/false"),
    "unknown status": (lambda d: prospect_2(d).update(status="lost"), "field 'status' is 'lost'"),
    "view columns a string": (lambda d: d.update(views={"1": {"name": "Mine", "columns": "domain"}}),
                              "table 'views', record '1': field 'columns' is a string"),
}


@pytest.mark.parametrize("case", BREAKAGES, ids=BREAKAGES.keys())
def test_wrong_types_refused_naming_table_record_field(tmp_path: Path, case: str) -> None:
    path = tmp_path / "p.json"
    data = good_file(path)
    breaks, expected = BREAKAGES[case]
    breaks(data)
    path.write_bytes(orjson.dumps(data))
    before = path.read_bytes()
    with pytest.raises(CorruptFileError, match="untouched") as err:
        Store(path)
    assert expected in str(err.value) and str(path) in str(err.value)
    result = run_cli("--db", path, "list")
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_good_file_loads_and_keeps_unknown_tables(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    data = good_file(path)
    data["notes"] = {"1": {"anything": [1, "two"]}}
    path.write_bytes(orjson.dumps(data))
    store = Store(path)
    assert [i for i, _ in store.prospect_rows()] == [1, 2]
    store.add_user(User(name="Grace", email="grace@example.com"))
    assert orjson.loads(path.read_bytes())["notes"] == {"1": {"anything": [1, "two"]}}


def test_a_file_broken_by_another_session_is_refused_on_reload(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    data = good_file(path)
    store = Store(path)
    data["users"]["1"]["email"] = None
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(CorruptFileError, match="field 'email' is null"):
        store.poll()


def test_a_huge_file_is_refused_by_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used, and reading it would take 512 MB
    os.chmod(path, 0o600)
    result = run_cli("--db", path, "list")
    assert result.returncode == 2
    assert "512 MB" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert path.stat().st_size == MAX_FILE_BYTES + 1


def test_a_domain_check_stored_before_the_mail_fields_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    data = good_file(path)
    prospect_2(data)["domain_check"] = {"verdict": "mail", "message": "receives mail (x)",
                                        "mail_host": "Mimecast", "checked_at": "2025-01-02T03:04:05Z"}
    path.write_bytes(orjson.dumps(data))
    check = Store(path).get_prospect(2).domain_check
    assert check is not None and (check.verdict, check.mail_host) == ("mail", "Mimecast")
    assert (check.mail_provider, check.spf.record, check.dmarc.rua, check.signals) == (
        None, None, False, [])


def test_a_domain_check_with_a_junk_policy_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    data = good_file(path)
    prospect_2(data)["domain_check"] = {"verdict": "mail", "message": "m",
                                        "dmarc": {"policy": "maybe"}}
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(CorruptFileError, match="domain_check.dmarc.policy"):
        Store(path)
