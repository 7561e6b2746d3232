"""Export: CSV never runs a formula, XLSX cells are strings, and both re-import the same."""

from __future__ import annotations

import csv
import json
import os
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from store.models import Prospect, User
from store.rules.store import Store
from store.transfer.export import (
    ExportError,
    TargetExistsError,
    check_target,
    escape_cell,
    export_prospects,
    free_name,
    unescape_cell,
)
from store.transfer.importer import import_file, make_plan, write_error_report
from store.transfer.template import write_template
from tests.seed import seed_prospects
from tests.test_importer import WEIRD_NAMES
from tests.upload_files import HEADER, add_leads, row, write_csv

COMPARED = ("company_type", "company_name", "domain", "website", "sector",
            "implementation_lead", "secondary_contact", "expected_provision_date",
            "permitted_users", "products", "status")


def fill(store: Store, tmp_path: Path) -> None:
    add_leads(store)
    rows = [row(name, f"w{i}.example") for i, name in enumerate(WEIRD_NAMES)]
    rows += [
        row("=HYPERLINK(\"http://evil.example\")", "formula.example"),
        row("+44 Ltd", "plus.example", website="https://plus.example",
            secondary_contact="cy@example.com", expected_provision_date="2027-03-15",
            permitted_users="250", products="Cloud Archive; Mimecast for Mac:25"),
        row("-minus Ltd", "minus.example"),
        row("@at Ltd", "at.example"),
        row("''=already quoted", "quoted.example"),  # stored as '=already quoted
        row("Multi [UK] Ltd", "multi.example"),  # line breaks are refused at every edge
        row("Bücher GmbH", "bücher.example"),
    ]
    import_file(write_csv(tmp_path / "seed.csv", rows), store)


def same_store(tmp_path: Path, name: str) -> Store:
    """An empty store with the same users (same ids) as the `store` fixture plus Cy."""
    (tmp_path / name).mkdir(mode=0o700)
    fresh = Store(tmp_path / name / "db.json")
    fresh.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    fresh.add_user(User(name="Bob Plain", email="bob@example.com"))
    add_leads(fresh)
    return fresh


def comparable(store: Store) -> dict[str, dict[str, Any]]:
    return {str(r["domain"]): {k: r.get(k) for k in COMPARED} for _, r in store.prospect_rows()}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_reimports_to_the_same_prospects(store: Store, tmp_path: Path,
                                                   suffix: str) -> None:
    fill(store, tmp_path)
    out = tmp_path / f"export{suffix}"
    result = export_prospects(store, out)
    assert result.count == len(store.prospect_rows())
    fresh = same_store(tmp_path, "again")
    plan, outcome = import_file(out, fresh)
    assert plan.error_lines() == [] and plan.warnings == []
    expected = comparable(store)
    assert comparable(fresh) == expected
    assert outcome.batch.created == len(expected)


def test_xlsx_drops_stored_control_characters_with_a_note(store: Store, tmp_path: Path) -> None:
    # Refused at every edge today, but an older file may hold them.
    seed_prospects(store, [Prospect(company_type="End Customer", sector="Retail",
                                    company_name="Bell\x07 and \x1b[2J Escape Ltd",
                                    domain="bell.example", implementation_lead=1)])
    result = export_prospects(store, tmp_path / "export.xlsx")
    assert result.notes
    fresh = same_store(tmp_path, "again")
    import_file(tmp_path / "export.xlsx", fresh)
    assert comparable(fresh)["bell.example"]["company_name"] == "Bell and [2J Escape Ltd"


def test_csv_cells_never_start_a_formula(store: Store, tmp_path: Path) -> None:
    fill(store, tmp_path)
    out = tmp_path / "export.csv"
    export_prospects(store, out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    with open(out, encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == [*HEADER, "Status"]
    assert {line[-1] for line in lines[1:]} == {"prospect"}
    cells = [cell for line in lines[1:] for cell in line]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    names = {line[1] for line in lines[1:]}
    assert "'=HYPERLINK(\"http://evil.example\")" in names
    assert "''=already quoted" in names and "'+44 Ltd" in names
    assert "bücher.example" in {line[2] for line in lines[1:]}  # the readable form


def test_xlsx_text_is_strings_never_formulas_numbers_and_dates_are_real(
        store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    fill(store, tmp_path)
    out = tmp_path / "export.xlsx"
    export_prospects(store, out)
    book = load_workbook(out)  # not data_only: a formula would show as one here
    sheet = book["Prospects"]
    assert [c.value for c in sheet[1]] == [*HEADER, "Status"]
    cells = [cell for line in sheet.iter_rows() for cell in line if cell.value is not None]
    text = [c for c in cells if c.column_letter not in ("H", "I")]
    assert text and {cell.data_type for cell in text} == {"s"}
    assert "=HYPERLINK(\"http://evil.example\")" in {cell.value for cell in cells}
    [plus] = [line for line in sheet.iter_rows(min_row=2) if line[2].value == "plus.example"]
    assert plus[7].value == datetime(2027, 3, 15) and plus[7].number_format == "yyyy-mm-dd"
    assert plus[8].value == 250 and plus[8].data_type == "n"
    assert plus[10].value == "prospect"


def test_json_export_has_the_model_fields(store: Store, tmp_path: Path) -> None:
    fill(store, tmp_path)
    out = tmp_path / "export.json"
    export_prospects(store, out, search="ltd", letter="b")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {p["domain"] for p in data} == {"w2.example", "w4.example"}
    assert {"id", "company_name", "domain", "implementation_lead", "products",
            "created_at", "import_batch"} <= set(data[0])


def test_export_of_the_current_search_and_letter(store: Store, tmp_path: Path) -> None:
    fill(store, tmp_path)
    out = tmp_path / "b.csv"
    assert export_prospects(store, out, letter="b").count == 3  # Back\slash, Bell, Bücher
    assert export_prospects(store, out, search="zzz", replace=True).count == 0
    with open(out, encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [[*HEADER, "Status"]]


def test_a_bad_name_or_folder_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="must end in .csv, .xlsx or .json"):
        export_prospects(store, tmp_path / "out.txt")
    with pytest.raises(ExportError, match="cannot write in"):
        export_prospects(store, tmp_path / "missing" / "out.csv")
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]  # no temporary file left behind


def test_escaping_round_trips_any_text() -> None:
    rnd = random.Random(3)
    alphabet = "'=+-@\t\rab "
    for _ in range(5000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6)))
        assert unescape_cell(escape_cell(text)) == text, repr(text)
        assert escape_cell(text)[:1] not in ("=", "+", "-", "@", "\t", "\r")


def guarded_targets(store: Store, tmp_path: Path) -> list[Path]:
    """Every other name for the database, its lock file or a temporary file of it."""
    db = store.path
    (tmp_path / "link").symlink_to(db)
    (tmp_path / "folder-link").symlink_to(db.parent, target_is_directory=True)
    os.link(db, tmp_path / "hard-link.csv")
    return [db, db.parent / ".." / db.parent.name / db.name, tmp_path / "link",
            tmp_path / "folder-link" / db.name, tmp_path / "hard-link.csv",
            Path(f"{db}.lock"), db.parent / f".{db.name}.tmp-1234-abcd",
            tmp_path / "folder-link" / f".{db.name}.tmp-99"]


@pytest.mark.parametrize("replace", [False, True])
def test_no_export_template_or_report_lands_on_the_database(store: Store, tmp_path: Path,
                                                            replace: bool) -> None:
    fill(store, tmp_path)
    before = store.path.read_bytes()
    plan = make_plan(write_csv(tmp_path / "bad.csv", [row("Bad Ltd", "bad domain")]), store)
    for target in guarded_targets(store, tmp_path):
        if target.suffix in (".csv", ".json"):
            with pytest.raises(ExportError, match="database"):
                export_prospects(store, target, replace=replace)
        with pytest.raises(ExportError, match="database"):
            write_template(target, store, replace=replace)
        with pytest.raises(ExportError, match="database"):
            write_error_report(plan, target, store)
        with pytest.raises(ExportError, match="database"):
            check_target(target, store.path, replace=replace)
    assert store.path.read_bytes() == before
    assert not [n for n in os.listdir(store.path.parent) if ".tmp" in n]


def test_an_existing_file_is_replaced_only_when_asked(store: Store, tmp_path: Path) -> None:
    fill(store, tmp_path)
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(TargetExistsError, match="already exists"):
        export_prospects(store, out)
    with pytest.raises(TargetExistsError, match="already exists"):
        write_template(out, store)
    assert out.read_text(encoding="utf-8") == "keep me"
    assert export_prospects(store, out, replace=True).count == len(store.prospect_rows())
    assert out.read_bytes().startswith(b"\xef\xbb\xbfCompany Type,")


def test_a_free_name_never_names_an_existing_file(tmp_path: Path) -> None:
    # The upload screen's template and error report, and the export dialog, save under it.
    target = tmp_path / "prospects [Q1] & co.xlsx"
    assert free_name(target) == target
    target.write_bytes(b"")
    (tmp_path / "prospects [Q1] & co-2.xlsx").write_bytes(b"")
    assert free_name(target) == tmp_path / "prospects [Q1] & co-3.xlsx"
