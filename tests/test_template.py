"""The upload template: columns, drop-downs and rules; filled in, it imports."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from store.rules.store import Store
from store.transfer.importer import import_file, make_plan
from store.transfer.template import write_template
from tests.upload_files import HEADER, add_leads


def rules(path: Path) -> dict[str, tuple[str, str | None, str]]:
    """Each validation's column letter -> (type, formula1, covered range)."""
    from openpyxl import load_workbook

    sheet = load_workbook(path)["Prospects"]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cells in str(rule.sqref).split():
            found[cells[0]] = (rule.type, rule.formula1, cells)
    return found


def test_columns_drop_downs_and_rules(store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    add_leads(store)
    path = write_template(tmp_path / "template.xlsx", store)
    book = load_workbook(path)
    assert book.sheetnames == ["Prospects", "Lists", "Instructions"]
    assert [c.value for c in book["Prospects"][1]] == HEADER
    assert book["Prospects"].max_row == 1  # no example row that could be imported by mistake
    found = rules(path)
    assert found["A"] == ("list", "Lists!$A$2:$A$6", "A2:A100001")
    assert found["E"][:2] == ("list", f"Lists!$B$2:$B${len(store.catalog.sectors) + 1}")
    assert found["F"][:2] == found["G"][:2] == ("list", "Lists!$C$2:$C$3")
    assert found["H"][0] == "date" and found["I"][:2] == ("whole", "1")
    lists = book["Lists"]
    def column(letter: str) -> list[object]:
        return [c.value for c in lists[letter][1:] if c.value is not None]

    assert column("C") == ["ada@example.com", "cy@example.com"]
    assert column("A") == list(store.catalog.company_types)
    text = "\n".join(str(c.value) for c in book["Instructions"]["A"])
    assert "Mimecast for Mac" in text and "Email Security Cloud Gateway; Mimecast for Mac:25" in text
    assert "100,000 rows after the header (blank rows count) and 20 MB a file" in text
    assert "UTF-16 (Excel's 'Unicode Text') or Windows-1252" in text


def test_without_leads_it_says_to_add_them(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    (tmp_path / "d").mkdir()
    empty = Store(tmp_path / "d" / "db.json")
    path = write_template(tmp_path / "template.xlsx", empty)
    assert "F" not in rules(path)
    text = "\n".join(str(c.value) for c in load_workbook(path)["Instructions"]["A"])
    assert "there are no implementation leads yet" in text


def fill(path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["Prospects"]
    sheet.append(["End Customer", "Filled In Ltd", "filled.example", "https://filled.example",
                  "Retail", "ada@example.com", "cy@example.com", date(2027, 3, 15), 40,
                  "Cloud Archive; Mimecast for Mac:25"])
    sheet.append(["Reseller", "Second & Co [UK]", "second.example", None, "Legal",
                  "Ada Lovelace", None, None, None, None])
    book.save(path)


def check(store: Store) -> None:
    got = {r["domain"]: r for _, r in store.prospect_rows()}
    assert set(got) == {"filled.example", "second.example"}
    first = got["filled.example"]
    assert first["expected_provision_date"] == "2027-03-15" and first["permitted_users"] == 40
    assert first["secondary_contact"] == 3
    assert got["second.example"]["company_name"] == "Second & Co [UK]"


def test_a_filled_template_imports(store: Store, tmp_path: Path) -> None:
    add_leads(store)
    path = write_template(tmp_path / "template.xlsx", store)
    fill(path)
    plan, outcome = import_file(path, store)
    assert plan.error_lines() == [] and outcome.batch.created == 2
    check(store)


IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


@pytest.mark.skipif(shutil.which("libreoffice") is None and not IN_CI,
                    reason="LibreOffice is not installed (in CI this test fails instead)")
def test_libreoffice_opens_it_and_its_csv_imports(store: Store, tmp_path: Path) -> None:
    assert shutil.which("libreoffice"), "LibreOffice is not installed: .ci/run installs it"
    add_leads(store)
    path = write_template(tmp_path / "template.xlsx", store)
    fill(path)
    out = tmp_path / "csv"
    done = subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
         "--convert-to", "csv", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    converted = out / "template.csv"
    assert converted.read_text(encoding="utf-8").splitlines()[0] == ",".join(HEADER)
    plan = make_plan(converted, store)
    assert plan.error_lines() == [], plan.error_lines()
    import_file(converted, store)
    check(store)
