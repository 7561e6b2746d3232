"""The Users screen's table: a row a user, with how many prospects name them."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import DataTable

from store.models import User
from tui.widgets.plain import plain_cell

# Fixed widths, so that all four columns fit an 80-column terminal.
COLUMNS = [("name", "Name", 21), ("email", "E-mail", 20),
           ("lead", "Implementation Lead", 19), ("prospects", "Prospects", 9)]


class UsersTable(DataTable[Text]):
    """Name, e-mail, whether an implementation lead, and the prospects naming them."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(plain_cell(label), width=width, key=key)

    def show(self, users: list[User], named: Counter[int], select_id: int | None) -> None:
        """Show `users` (keyed by id), with the cursor on `select_id` if it is among them."""
        self.clear()
        for user in users:
            count = named[user.id] if user.id is not None else 0
            self.add_row(
                plain_cell(user.name, COLUMNS[0][2]),
                plain_cell(user.email, COLUMNS[1][2]),
                Text("yes" if user.implementation_lead else ""),
                plain_cell(count or ""),
                key=str(user.id),
            )
        if select_id is not None:
            for row, user in enumerate(users):
                if user.id == select_id:
                    self.move_cursor(row=row)
