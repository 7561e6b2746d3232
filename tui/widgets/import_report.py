"""The upload's report: a table line for each error, duplicate and prospect to create,
and the summary of the plan shown above it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from store.rules.validation import FIELD_LABELS
from store.transfer.importer import ImportPlan
from tui.widgets.plain import plain_cell

SHOWN_ROWS = 500  # table lines; the saved report has every error


def plan_text(plan: ImportPlan, shown: int) -> str:
    """What the plan would do, and what to press next; `shown` lines are in the table."""
    lines = [plan.summary()]
    lines += plan.warnings
    if plan.already is not None or plan.blocked:
        return "\n".join(lines)
    total = len(plan.records) + sum(len(i.messages) for i in plan.issues)
    if shown < total:
        lines.append(f"The table shows the first {shown} lines; Save error report has "
                     "every error.")
    if plan.errors:
        lines.append("Rows with errors are never written. Fix them and upload again, or "
                     "tick 'Skip rows with errors' and press Submit to import the valid "
                     f"{len(plan.records)}.")
    elif plan.records:
        lines.append(f"Press Submit to import {len(plan.records)} prospect(s).")
    else:
        lines.append("Nothing new to import.")
    return "\n".join(lines)


class ImportReport(DataTable[str | Text]):
    """The plan, a line a row; `details` holds the whole of each line, as words."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.details: list[str] = []

    def on_mount(self) -> None:
        self.add_columns("Row", "Plan", "Company Name", "Domain", "Column", "Message")

    def clear_report(self) -> None:
        """Empty the table and its details."""
        self.clear()
        self.details = []

    def show(self, plan: ImportPlan) -> int:
        """Show `plan`; how many of its issue and create lines fit (SHOWN_ROWS at most)."""
        self.clear_report()
        for line in plan.header_errors:
            self.add_row("1", "error", "", "", "", plain_cell(line, 200))
            self.details.append(f"Row 1 (the header), error: {line}")
        shown = 0
        for issue in plan.issues:
            for field, message in zip(issue.fields, issue.messages, strict=True):
                if shown >= SHOWN_ROWS:
                    break
                shown += 1
                detail = message.split(": ", 1)[1] if field and ": " in message else message
                column = FIELD_LABELS.get(field, "")
                self.add_row(plain_cell(issue.row), plain_cell(issue.kind),
                             plain_cell(issue.company_name, 40), plain_cell(issue.domain, 30),
                             plain_cell(column), plain_cell(detail, 200))
                self.details.append(f"Row {issue.row}, {issue.kind}"
                                    f"{f', column {column}' if column else ''}: {detail}")
        for row, record in zip(plan.create_rows, plan.records, strict=False):
            if shown >= SHOWN_ROWS:
                break
            shown += 1
            self.add_row(plain_cell(row), "create", plain_cell(record["company_name"], 40),
                         plain_cell(record["domain"], 30), "", "")
            self.details.append(f"Row {row}, create: {record['company_name']} "
                                f"({record['domain']})")
        return shown
