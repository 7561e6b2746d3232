"""The upload template: an .xlsx a person fills in and uploads (or saves as CSV).

Sheet "Prospects" has the upload columns in contract order, with drop-downs for
Company Type, Sector and the two people (current leads' e-mails), a date rule
for Expected Provision Date and a whole-number rule for Permitted Users. Sheet
"Lists" holds the drop-downs' values and the products; sheet "Instructions"
says how to fill it in. openpyxl is imported only when a template is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from store.catalog import Catalog
from store.models import User
from store.rules.fields import MAX_NAME
from store.rules.store import Store
from store.rules.validation import FIELD_LABELS
from store.transfer.export import check_target, write_atomically
from store.transfer.table_file import ENCODINGS_ACCEPTED, MAX_BYTES, MAX_ROWS, column_letter

TEMPLATE_NAME = "prospects-template.xlsx"
_LAST_ROW = MAX_ROWS + 1  # rules cover every row an upload may have
_WIDTHS = {"company_type": 18, "company_name": 34, "domain": 26, "website": 30, "sector": 24,
           "implementation_lead": 30, "secondary_contact": 32,
           "expected_provision_date": 24, "permitted_users": 16, "products": 60}
_EARLIEST, _LATEST = date(2000, 1, 1), date(2100, 12, 31)


def instructions(catalog: Catalog, leads: Sequence[User]) -> list[str]:
    """The Instructions sheet's lines (also useful in help text)."""
    seats = [p.name for p in catalog.products if p.needs_seats]
    lines = [
        "How to fill in this template",
        "",
        "1. Enter one prospect a row on the Prospects sheet, starting on row 2. "
        "Keep the header row as it is.",
        "2. Required: Company Type, Company Name (the full legal name, not an abbreviation), "
        "Domain, Sector, Implementation Lead.",
        "3. Domain: the company's e-mail domain, e.g. example.com (a pasted web address "
        "or e-mail address is cut down to the domain). It must be new: a domain that is "
        "already a prospect or customer is reported as a duplicate and skipped.",
        "4. Company Type and Sector: choose from the drop-down lists.",
        "5. Implementation Lead and Secondary Implementation Contact: a lead's e-mail "
        "address (drop-down) or exact name. The secondary contact is optional and must "
        "be someone other than the lead.",
        "6. Expected Provision Date: a date (YYYY-MM-DD). Optional.",
        "7. Permitted Users: a whole number of 1 or more. Optional.",
        "8. Products: product names separated by semicolons; seats after a colon, e.g. "
        "Email Security Cloud Gateway; Mimecast for Mac:25 (see the Lists sheet).",
    ]
    if seats:
        lines.append(f"   These products need a number of seats: {', '.join(seats)}.")
    lines += [
        "9. Upload the .xlsx as it is, or save it as CSV (CSV UTF-8 is best) and upload that.",
        "   The upload shows a plan first: which rows will be created, which are "
        "duplicates, and which have errors (row and column). Nothing is written until "
        "you submit; submitting the same file again creates nothing.",
        f"Limits: at most {MAX_ROWS:,} rows after the header (blank rows count) and "
        f"{MAX_BYTES // 1024 // 1024} MB a file; names up to {MAX_NAME} characters.",
        ENCODINGS_ACCEPTED,
    ]
    if not leads:
        lines.append("Note: there are no implementation leads yet: add them under Users "
                     "(or `prospects users add NAME --email E --lead`) before uploading.")
    return lines


def write_template(path: Path | str, store: Store, *, replace: bool = False) -> Path:
    """Write the upload template for store's catalog and leads to path (atomically; never
    over the database, over an existing file only with replace) and return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(path)
    check_target(out, store.path, replace=replace)  # before the work of building it
    catalog, leads = store.catalog, store.leads()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Prospects"
    lists = book.create_sheet("Lists")
    guide = book.create_sheet("Instructions")

    fields = list(FIELD_LABELS)
    letter = {name: column_letter(i) for i, name in enumerate(fields)}
    sheet.append(list(FIELD_LABELS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for name, width in _WIDTHS.items():
        sheet.column_dimensions[letter[name]].width = width
    # Dates typed in this column show (and save to CSV) as 2027-03-15.
    sheet.column_dimensions[letter["expected_provision_date"]].number_format = "yyyy-mm-dd"
    sheet.column_dimensions[letter["permitted_users"]].number_format = "0"

    columns: dict[str, list[str]] = {
        "Company Types": list(catalog.company_types),
        "Sectors": list(catalog.sectors),
        "Implementation Leads": [u.email for u in leads],
        "Products": [p.name for p in catalog.products],
        "Needs Seats": ["yes" if p.needs_seats else "" for p in catalog.products],
    }
    for i, (title, values) in enumerate(columns.items()):
        col = column_letter(i)
        lists.column_dimensions[col].width = max([len(title), *map(len, values)]) + 2
        lists[f"{col}1"] = title
        lists[f"{col}1"].font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists[f"{col}{row}"] = value
            lists[f"{col}{row}"].data_type = "s"  # a value is never a formula

    def pick_list(title: str, index: int, field: str, allow_blank: bool) -> None:
        values = columns[title]
        if not values:
            return
        col = column_letter(index)
        rule = DataValidation(type="list", formula1=f"Lists!${col}$2:${col}${len(values) + 1}",
                              allow_blank=allow_blank, showErrorMessage=True,
                              errorTitle=FIELD_LABELS[field],
                              error=f"Choose a value from the list (sheet Lists, column {col}).")
        add(rule, field)

    def add(rule: Any, field: str) -> None:
        sheet.add_data_validation(rule)
        rule.add(f"{letter[field]}2:{letter[field]}{_LAST_ROW}")

    pick_list("Company Types", 0, "company_type", False)
    pick_list("Sectors", 1, "sector", False)
    pick_list("Implementation Leads", 2, "implementation_lead", False)
    pick_list("Implementation Leads", 2, "secondary_contact", True)
    add(DataValidation(type="date", operator="between", allow_blank=True,
                       formula1=str(_serial(_EARLIEST)), formula2=str(_serial(_LATEST)),
                       showErrorMessage=True, errorTitle="Expected Provision Date",
                       error="Enter a date, e.g. 2027-03-15."), "expected_provision_date")
    add(DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1",
                       allow_blank=True, showErrorMessage=True, errorTitle="Permitted Users",
                       error="Enter a whole number of 1 or more."), "permitted_users")

    guide.column_dimensions["A"].width = 110
    for row, line in enumerate(instructions(catalog, leads), start=1):
        cell = guide.cell(row=row, column=1, value=line)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide["A1"].font = Font(bold=True, size=14)
    write_atomically(out, book.save, binary=True, database=store.path, replace=replace)
    return out


def _serial(day: date) -> int:
    """A date as a spreadsheet's day number (1900 system)."""
    return (day - date(1899, 12, 30)).days
