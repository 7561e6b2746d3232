"""The list's table columns: every one there is, and the ones a choice of keys shows."""

from __future__ import annotations

from collections.abc import Sequence

from store.listing import COLUMNS, column_choice
from tui.widgets.table_columns import Column

# Widths, and which columns go first when the terminal is narrow (higher = dropped first).
TABLE_COLUMNS = (
    Column("company_name", COLUMNS["company_name"], 28, min_width=14, priority=0),
    Column("domain", COLUMNS["domain"], 22, min_width=12, priority=1),
    Column("mail", COLUMNS["mail"], 24, min_width=10, priority=3),
    Column("dmarc", COLUMNS["dmarc"], 12, min_width=7, priority=4),
    Column("status", COLUMNS["status"], 9, min_width=8, priority=2),
    Column("implementation_lead", COLUMNS["implementation_lead"], 20, priority=5),
    Column("company_type", COLUMNS["company_type"], 16, priority=6),
    Column("sector", COLUMNS["sector"], 18, priority=7),
    Column("expected_provision_date", "Provision Date", 14, priority=8),
    Column("permitted_users", "Users", 7, priority=9),
    Column("products", COLUMNS["products"], 40, priority=10),
)
_BY_KEY = {column.key: column for column in TABLE_COLUMNS}


def table_columns(keys: Sequence[str] | None) -> tuple[Column, ...]:
    """The columns `keys` name, in that order (unknown keys left out, the company name always
    in); every column when there is no choice (None or empty)."""
    if not keys:
        return TABLE_COLUMNS
    return tuple(_BY_KEY[key] for key in column_choice(keys) if key in _BY_KEY)
