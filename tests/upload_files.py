"""Helpers for the upload tests: real CSV and XLSX files written as Excel writes them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from store.models import User
from store.rules.store import Store
from store.rules.validation import FIELD_LABELS

HEADER = list(FIELD_LABELS.values())


def row(name: str = "Acme Ltd", domain: str = "acme.example", **fields: Any) -> list[Any]:
    """A valid upload row (lead ada@example.com); keyword arguments override columns."""
    values: dict[str, Any] = {
        "company_type": "End Customer", "company_name": name, "domain": domain,
        "website": "", "sector": "Retail", "implementation_lead": "ada@example.com",
        "secondary_contact": "", "expected_provision_date": "", "permitted_users": "",
        "products": "",
    }
    values.update(fields)
    return [values[key] for key in FIELD_LABELS]


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] | None = None,
              encoding: str = "utf-8", delimiter: str = ",", newline: str = "\r\n") -> Path:
    """Write a CSV with the csv module, in any encoding, delimiter and line ending."""
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    out.writerow(HEADER if header is None else header)
    out.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, header: Sequence[str] | None = None,
               sheet: str = "Prospects", before: Sequence[str] = ()) -> Path:
    """Write an .xlsx with openpyxl: real numbers and date cells as given."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    if before:
        first.title = before[0]
        for name in before[1:]:
            book.create_sheet(name)
        ws = book.create_sheet(sheet)
    else:
        first.title = sheet
        ws = first
    ws.append(list(HEADER if header is None else header))
    for values in rows:
        ws.append(list(values))
    book.save(path)
    return path


def add_leads(store: Store) -> None:
    """A second lead, so that a secondary contact can be given."""
    store.add_user(User(name="Cy Lead", email="cy@example.com", implementation_lead=True))
