"""The order review's status line, its summary (the company, what it orders, who leads it),
and the note that a draft no longer matches its prospect."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.content import Content
from textual.widgets import Static

from store.listing import display_domain
from store.models import Order, Prospect, User
from store.text import clean_for_display
from tui.widgets.plain import plain, plain_parts

NAME_SHOWN = 120  # characters of a company or product name
USER_SHOWN = 60  # characters of a user's name or e-mail
STALE = ("The prospect's products or permitted users changed since this draft was saved. "
         "Press Ctrl+R to take the prospect's current ones.")


def when(stamp: datetime | None) -> str:
    """A timestamp as people read it, in UTC: sessions on a shared host may differ in zone."""
    if stamp is None:
        return "an unknown time"
    return stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def user_text(users: list[User], user_id: int | None, missing: str) -> str:
    """A user as 'Name <e-mail>'; `missing` when none is named."""
    if user_id is None:
        return missing
    user = next((u for u in users if u.id == user_id), None)
    if user is None:
        return f"user {user_id} (no longer exists)"
    return f"{clean_for_display(user.name, USER_SHOWN)} <{clean_for_display(user.email, USER_SHOWN)}>"


class OrderSummary(Static):
    """One bold label a line, then its value; the products one a line below theirs."""

    def show(self, prospect: Prospect, order: Order, users: list[User]) -> None:
        """Summarise `order` for `prospect`, naming its leads from `users`."""
        permitted = str(order.permitted_users) if order.permitted_users else "not given"
        products: list[str | tuple[str, str]] = []
        for line in order.products:
            seats = f": {line.seats} seats" if line.seats else ""
            products += ["\n  - ", clean_for_display(line.product, NAME_SHOWN), seats]
        rows: list[tuple[str, list[str | tuple[str, str]]]] = [
            ("Company", [clean_for_display(prospect.company_name, NAME_SHOWN)]),
            ("Domain", [clean_for_display(display_domain(prospect.domain))]),
            ("Status", [prospect.status]),
            ("Permitted users", [permitted]),
            ("Products", products or ["none chosen"]),
            ("Implementation lead", [user_text(users, prospect.implementation_lead, "none")]),
            ("Secondary contact", [user_text(users, prospect.secondary_contact, "none")]),
        ]
        parts: list[str | tuple[str, str]] = []
        for index, (label, value) in enumerate(rows):
            parts += [(("\n" if index else "") + f"{label}: ", "bold"), *value]
        self.update(plain_parts(*parts))


class OrderStatus(Static):
    """Whether the order is new, a saved draft, or submitted (and so read-only)."""

    def show(self, order: Order) -> None:
        """Say where `order` stands, and since when."""
        if order.status == "submitted":
            status = f"Submitted on {when(order.submitted_at)}. This order is read-only."
        elif order.id is not None:
            status = f"Draft saved on {when(order.updated_at)}."
        else:
            status = "New order: not saved yet."
        self.update(plain(status))


class StaleNote(Static):
    """Shown while a saved draft's products or permitted users differ from the prospect's."""

    def show(self, stale: bool) -> None:
        """Show the note, or (`stale` False) hide it."""
        self.update(Content(STALE if stale else ""))
        self.display = stale
