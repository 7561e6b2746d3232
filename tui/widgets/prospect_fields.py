"""The prospect form's fields, in a scrolling two-column grid: label, then control.

Kept lean on purpose: Textual restyles every widget of a screen when it opens, so
each wrapper costs time at every open. Labels and controls sit straight in the grid
(no row containers), and an error or warning line is mounted only when there is
something to say.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from store.domain.dns import Nameserver
from store.models import Prospect, User
from store.rules.store import Store
from store.rules.validation import FIELD_LABELS, FieldError, name_warning
from tui.widgets.date_input import DateInput
from tui.widgets.domain_field import DomainField
from tui.widgets.plain import PlainInput, plain, plain_cell, plain_line
from tui.widgets.product_picker import ProductsField
from tui.widgets.refusal import point_at

# Model field -> widget id, in the order the form shows them (focus goes to the first error).
FIELD_WIDGETS: dict[str, str] = {
    "company_type": "company-type",
    "sector": "sector",
    "implementation_lead": "lead",
    "secondary_contact": "secondary-contact",
    "company_name": "company-name",
    "domain": "domain",
    "website": "website",
    "expected_provision_date": "provision-date",
    "permitted_users": "permitted-users",
    "products": "products",
}
REQUIRED = {"company_type", "company_name", "domain", "sector", "implementation_lead"}
# The grid cell a field's notes go under, when it is not the field's own widget.
_CELLS = {"domain": "domain-box", "provision-date": "provision-date-row",
          "products": "products-field"}
NO_LEADS = (
    "There are no implementation leads yet, and a prospect needs one. "
    "Add a user flagged as an implementation lead under Users."
)


def sentence(error: FieldError) -> str:
    """'Company Name is required' rather than 'Company Name: is required'."""
    verb = error.message.split(" ", 1)[0]
    joiner = " " if verb in ("is", "must", "needs") else ": "
    return f"{error.label}{joiner}{error.message}"


def user_label(user: User) -> Text:
    """A user as a Select shows them: plain text, never markup."""
    return plain_cell(f"{plain_line(user.name, 50)} <{plain_line(user.email, 60)}>")


class ProspectFields(VerticalScroll, can_focus=False):
    """Primary Information and Other Information, with a note line under any field."""

    def __init__(self, store: Store, base: Prospect | None, users: list[User], *,
                 nameserver: str | Nameserver | None, lifetime: float,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.store, self.base, self.users = store, base, users
        self.leads = [u for u in users if u.implementation_lead]
        self.nameserver, self.lifetime = nameserver, lifetime
        self._notes: dict[str, str] = {}  # what each note line shows now, by its id
        self._note_lines: dict[str, Static] = {}

    # -- building ----------------------------------------------------------------------

    @staticmethod
    def _label(field: str) -> Label:
        return Label(plain(FIELD_LABELS[field] + (" *" if field in REQUIRED else "")),
                     classes="field-label")

    @staticmethod
    def _choices(options: tuple[str, ...], current: str | None) -> list[tuple[Text, str]]:
        values = list(options)
        if current and current not in values:
            values.append(current)  # a value the catalog no longer has: kept, flagged on save
        return [(plain_cell(v, 80), v) for v in values]

    def lead_options(self, keep: int | None) -> list[tuple[Text, int]]:
        """The implementation leads, plus `keep` (the saved choice) if it is no longer one."""
        options = [(user_label(u), u.id) for u in self.leads if u.id is not None]
        if keep is not None and all(value != keep for _, value in options):
            known = next((u for u in self.users if u.id == keep), None)
            options.append((user_label(known) if known else plain_cell(f"user {keep} (removed)"), keep))
        return options

    def compose(self) -> ComposeResult:
        base, catalog = self.base, self.store.catalog
        lead = base.implementation_lead if base else None
        secondary = base.secondary_contact if base else None
        permitted = base.permitted_users if base else None
        yield Static(Content("Primary Information"), classes="form-section")
        yield self._label("company_type")
        yield Select(self._choices(catalog.company_types, base.company_type if base else None),
                     prompt="Choose a company type", id="company-type",
                     value=base.company_type if base else Select.NULL)
        yield self._label("sector")
        yield Select(self._choices(catalog.sectors, base.sector if base else None),
                     prompt="Choose a sector", id="sector",
                     value=base.sector if base else Select.NULL)
        yield self._label("implementation_lead")
        yield Select(self.lead_options(lead), prompt="Choose an implementation lead",
                     id="lead", value=lead if lead is not None else Select.NULL)
        if not self.leads:
            yield self._no_leads()
        yield self._label("secondary_contact")
        yield Select(self.lead_options(secondary), prompt="None (optional)",
                     id="secondary-contact",
                     value=secondary if secondary is not None else Select.NULL)
        yield self._label("company_name")
        yield PlainInput(base.company_name if base else "", id="company-name",
                         placeholder="The company's full name, not an abbreviation")
        yield self._label("domain")
        yield DomainField(self.store, base.domain if base else "",
                          check=base.domain_check if base else None,
                          prospect_id=base.id if base else None, nameserver=self.nameserver,
                          lifetime=self.lifetime, id="domain-box")
        yield self._label("website")
        yield PlainInput(base.website if base else "", id="website",
                         placeholder="https://example.com")
        yield Static(Content("Other Information"), classes="form-section")
        yield self._label("expected_provision_date")
        with Horizontal(id="provision-date-row"):
            yield DateInput(base.expected_provision_date if base else None, id="provision-date")
            yield Button("Calendar", id="provision-date-calendar")
        yield self._label("permitted_users")
        yield PlainInput("" if permitted is None else str(permitted), id="permitted-users",
                         placeholder="A whole number, e.g. 250")
        yield self._label("products")
        yield ProductsField(catalog, base.products if base else [], id="products-field")

    def _no_leads(self) -> Horizontal:
        return Horizontal(Static(Content(NO_LEADS), id="no-leads-text"),
                          Button("Open Users", id="open-users"), id="no-leads",
                          classes="field-note")

    def refresh_leads(self) -> None:
        """Offer the implementation leads that exist now (back from the Users screen)."""
        users = self.store.users()
        leads = [u for u in users if u.implementation_lead]
        if [u.model_dump() for u in leads] == [u.model_dump() for u in self.leads]:
            return
        self.users, self.leads = users, leads
        for widget_id in ("lead", "secondary-contact"):
            select: Select[int] = self.query_one(f"#{widget_id}", Select)
            current = select.selection
            select.set_options(self.lead_options(current))
            if current is not None:
                select.value = current
        notice = self.query("#no-leads")
        if leads:
            notice.remove()
        elif not notice:
            self.mount(self._no_leads(), after="#lead")

    # -- reading -----------------------------------------------------------------------

    def _select(self, widget_id: str) -> Any:
        return self.query_one(f"#{widget_id}", Select).selection

    def _input(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def values(self) -> dict[str, Any]:
        """What the person chose and typed, keyed as build_prospect wants (products aside)."""
        return {
            "company_type": self._select("company-type"),
            "sector": self._select("sector"),
            "implementation_lead": self._select("lead"),
            "secondary_contact": self._select("secondary-contact"),
            "company_name": self._input("company-name"),
            "domain": self._input("domain"),
            "website": self._input("website"),
            "expected_provision_date": self._input("provision-date"),
            "permitted_users": self._input("permitted-users"),
        }

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a person can change, including a fresh Verify answer."""
        return (*self.values().values(), self.query_one(ProductsField).snapshot(),
                id(self.query_one(DomainField).check))

    # -- notes: errors and warnings under a field ----------------------------------------------

    def _cell(self, widget_id: str) -> Widget:
        if widget_id.startswith("seats-"):
            return self.query_one(f"#{widget_id}-row")
        return self.query_one(f"#{_CELLS.get(widget_id, widget_id)}")

    def set_note(self, widget_id: str, message: str, kind: str = "error") -> None:
        """Show (or, with '', hide) the error or warning line under a field."""
        note_id = f"{widget_id}-{kind}"
        if self._notes.get(note_id, "") == message:
            return  # unchanged: no layout pass on every key press
        self._notes[note_id] = message
        note = self._note_lines.get(note_id)
        if note is None:
            if not message:
                return
            note = self._note_lines[note_id] = Static(id=note_id,
                                                      classes=f"field-note field-{kind}")
            cell = self._cell(widget_id)
            # Seats rows live inside the products field; everything else in this grid.
            parent = cell.parent
            assert isinstance(parent, Widget)
            parent.mount(note, after=cell)
        note.update(plain(message, 400))
        note.display = bool(message)

    def has_errors(self) -> bool:
        """True while any field still shows an error line."""
        return any(message for note_id, message in self._notes.items() if note_id.endswith("-error"))

    def note(self, widget_id: str, kind: str = "error") -> str:
        """The error (or warning) shown under a field now, '' when none."""
        return self._notes.get(f"{widget_id}-{kind}", "")

    def show_name_warning(self, name: str, same_name: str = "") -> None:
        """The soft warnings under the company name (abbreviated; the same as another
        prospect's); they never block saving."""
        abbreviated = (name_warning(name) if name.strip() else None) or ""
        self.set_note("company-name", "\n".join(w for w in (abbreviated, same_name) if w),
                      "warning")

    def freeze_order_fields(self, why: str) -> None:
        """Make products and permitted users read-only, with a line saying why."""
        self.query_one("#permitted-users", Input).disabled = True
        self.query_one(ProductsField).disabled = True
        self.set_note("products", why, "info")

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Show each (widget id, message) under its field, clear the rest, focus the first."""
        by_widget: dict[str, list[str]] = {}
        for widget_id, message in errors:
            by_widget.setdefault(widget_id, []).append(message)
        for note_id in list(self._notes):
            if note_id.endswith("-error") and note_id[:-6] not in by_widget:
                self.set_note(note_id[:-6], "")
        for widget_id, messages in by_widget.items():
            self.set_note(widget_id, "\n".join(messages))
        if errors:
            first = errors[0][0]
            point_at(self.query_one(f"#{first}"), self._note_lines.get(f"{first}-error"))
