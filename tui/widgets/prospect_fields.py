"""The prospect form's fields, in a scrolling two-column grid: label, then control.

Kept lean on purpose: Textual restyles every widget of a screen when it opens, so
each wrapper costs time at every open. Labels and controls sit straight in the grid
(no row containers), and an error or warning line is mounted only when there is
something to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from store.domain.dns import Nameserver
from store.errors import StorageError
from store.listing import display_domain
from store.models import Prospect, User
from store.rules.store import Store
from store.rules.validation import FIELD_LABELS, FieldError, ProspectInvalid, build_prospect, name_warning
from store.text import clean_for_display
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
CUSTOMER_ORDER_FIELDS = (
    "A customer's products and permitted users are those of its submitted order: "
    "they are shown here but cannot be changed."
)
NAME_CHECK_DELAY = 0.3  # seconds after the last key before looking for the same name
SAME_NAME_SHOWN = 3  # other prospects named in the warning


def sentence(error: FieldError) -> str:
    """'Company Name is required' rather than 'Company Name: is required'."""
    verb = error.message.split(" ", 1)[0]
    joiner = " " if verb in ("is", "must", "needs") else ": "
    return f"{error.label}{joiner}{error.message}"


def same_name_warning(others: list[Prospect]) -> str:
    """'Also the name of ...': other prospects with this company name, or ''."""
    if not others:
        return ""
    named = ", ".join(f"{o.status} {clean_for_display(o.company_name, 60)} "
                      f"({display_domain(o.domain)})" for o in others[:SAME_NAME_SHOWN])
    more = f" and {len(others) - SAME_NAME_SHOWN} more" if len(others) > SAME_NAME_SHOWN else ""
    return f"Same name as {named}{more}: check this is not the same company."


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
        self._name_timer: Timer | None = None
        # The company name last checked for namesakes: the value filled in is checked
        # once the form is shown (start_name_check), not as its Changed event arrives.
        self._name_asked = base.company_name if base else ""

    @dataclass
    class NameChecked(Message):
        """Which other prospects have the company name `name` (a warning, never a block)."""

        name: str
        others: list[Prospect]

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

    @on(Button.Pressed, "#provision-date-calendar")
    def _calendar_pressed(self) -> None:
        self.query_one(DateInput).action_calendar()

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

    def build(self) -> tuple[Prospect | None, list[tuple[str, str]]]:
        """The prospect the fields describe, or None and each (widget id, message) wrong."""
        values = self.values()
        values["products"], seat_errors = self.query_one(ProductsField).values()
        order = list(FIELD_WIDGETS)
        errors: list[tuple[str, str]] = []
        prospect: Prospect | None = None
        try:
            # Users are re-read: a lead may have been added or unflagged since the form opened.
            prospect = build_prospect(values, catalog=self.store.catalog,
                                      users=self.store.users(), base=self.base)
        except ProspectInvalid as invalid:
            ordered = sorted(invalid.errors, key=lambda e: order.index(e.field))
            errors = [(FIELD_WIDGETS[e.field], sentence(e)) for e in ordered]
        errors += list(seat_errors.items())
        if errors or prospect is None:
            return None, errors
        check = self.query_one(DomainField).check_for(prospect.domain)
        if check is not None and check.verdict != "duplicate":
            prospect = prospect.model_copy(update={"domain_check": check})
        elif self.base is None or prospect.domain != self.base.domain:
            prospect = prospect.model_copy(update={"domain_check": None})  # about another domain
        return prospect, []

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

    def freeze_order_fields(self) -> None:
        """A customer's: make products and permitted users read-only, with a line saying why."""
        self.query_one("#permitted-users", Input).disabled = True
        self.query_one(ProductsField).disabled = True
        self.set_note("products", CUSTOMER_ORDER_FIELDS, "info")

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

    # -- the company name: soft warnings, and other prospects of the same name ----------------

    def show_name_warning(self, name: str, same_name: str = "") -> None:
        """The soft warnings under the company name (abbreviated; the same as another
        prospect's); they never block saving."""
        abbreviated = (name_warning(name) if name.strip() else None) or ""
        self.set_note("company-name", "\n".join(w for w in (abbreviated, same_name) if w),
                      "warning")

    def start_name_check(self) -> None:
        """Warn about the name the form opens with, and look for namesakes once it shows."""
        name = self._input("company-name")
        self.show_name_warning(name)
        self._name_asked = name
        if name.strip():
            # After the first paint: at 100k prospects the scan's thread, sharing the
            # GIL, would double the time the form takes to lay itself out and show.
            self.call_after_refresh(self._check_name, name)

    @on(Input.Changed, "#company-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if event.value == self._name_asked:
            return
        self._name_asked = event.value
        self.show_name_warning(event.value)
        if self._name_timer is not None:
            self._name_timer.stop()
        self._name_timer = self.set_timer(NAME_CHECK_DELAY, lambda: self._check_name(event.value))

    @work(thread=True, exclusive=True, group="same-name", exit_on_error=False)
    def _check_name(self, name: str) -> None:
        """Look for other prospects with this name off the event loop (a scan at 100k)."""
        exclude = self.base.id if self.base is not None else None
        try:
            others = self.store.same_name_prospects(name, exclude=exclude)
        except StorageError:
            return  # the poll and any save say so; a warning is not worth a second message
        self.post_message(self.NameChecked(name, others))

    @on(NameChecked)
    def _name_checked(self, event: NameChecked) -> None:
        if event.name != self._input("company-name"):
            return  # typed on meanwhile: a later check is on its way
        self.show_name_warning(event.name, same_name_warning(event.others))
