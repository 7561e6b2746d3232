"""Create or edit one prospect: the portal's Create Prospect dialog, in a terminal.

Every value goes through store.validation.build_prospect, so an error reads the
same here as in the CLI and the importer. Errors show under their field and never
clear what was typed. Writing the file happens in a thread: at 100k prospects a
save rewrites a large file, and the screen must not freeze meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static

from store.db import DuplicateError, NotFoundError, Store
from store.domain import Nameserver
from store.models import Prospect, User
from store.text import clean_for_display
from store.validation import FIELD_LABELS, FieldError, ProspectInvalid, build_prospect, name_warning
from tui.modals.confirm import ConfirmModal
from tui.widgets.date_input import DateInput
from tui.widgets.domain_field import DomainField
from tui.widgets.product_picker import ProductsField


@dataclass(frozen=True)
class FormResult:
    """What the form did: which prospect it saved (or deleted), and what comes next."""

    prospect_id: int
    review_order: bool = False  # the person chose "Review Order": open the order next
    deleted: bool = False


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
    return Text(f"{clean_for_display(user.name, 50)} <{clean_for_display(user.email, 60)}>")


class ProspectFormScreen(Screen[FormResult | None]):
    """Create a prospect, or edit one (`prospect_id`); dismisses with a FormResult or None."""

    BINDINGS: list[BindingType] = [
        Binding("ctrl+s", "save", "Save and exit", id="form-save"),
        Binding("ctrl+r", "review_order", "Review order", id="form-review-order"),
        Binding("f5", "verify", "Verify domain", id="form-verify"),
        # priority: otherwise an Input (ctrl+d = delete right) takes it first.
        Binding("ctrl+d", "delete", "Delete prospect", id="form-delete", priority=True),
        Binding("escape", "leave", "Back", id="form-back"),
    ]

    def __init__(
        self,
        store: Store,
        prospect_id: int | None = None,
        *,
        nameserver: str | Nameserver | None = None,
        verify_lifetime: float = 3.0,
    ) -> None:
        super().__init__()
        self.store = store
        self.nameserver = nameserver
        self.verify_lifetime = verify_lifetime
        self.base: Prospect | None = None
        self._missing: str | None = None
        if prospect_id is not None:
            try:
                self.base = store.get_prospect(prospect_id)
            except NotFoundError as error:
                self._missing = str(error)
        self.users: list[User] = store.users()
        self.leads = [u for u in self.users if u.implementation_lead]
        self._saving = False
        self._snapshot_at_open: tuple[Any, ...] = ()
        self._errors: dict[str, str] = {}  # what each error/warning line shows now

    @property
    def prospect_id(self) -> int | None:
        """The id of the prospect being edited; None while creating one."""
        return self.base.id if self.base is not None else None

    # -- building the form -------------------------------------------------------------

    def _row(self, field: str, control: Widget, *extra: Widget) -> Horizontal:
        widget_id = FIELD_WIDGETS[field]
        label = FIELD_LABELS[field] + (" *" if field in REQUIRED else "")
        body = Vertical(
            control, *extra, Static(id=f"{widget_id}-error", classes="field-error"),
            classes="field-body",
        )
        return Horizontal(Label(Content(label), classes="field-label"), body,
                          classes="field", id=f"{widget_id}-field")

    @staticmethod
    def _choices(options: tuple[str, ...], current: str | None) -> list[tuple[Text, str]]:
        values = list(options)
        if current and current not in values:
            values.append(current)  # a value the catalog no longer has: kept, and flagged on save
        return [(Text(clean_for_display(v, 80)), v) for v in values]

    def _lead_options(self, keep: int | None) -> list[tuple[Text, int]]:
        options = [(user_label(u), u.id) for u in self.leads if u.id is not None]
        if keep is not None and all(value != keep for _, value in options):
            known = next((u for u in self.users if u.id == keep), None)
            shown = user_label(known) if known else Text(f"user {keep} (no longer exists)")
            options.append((shown, keep))
        return options

    def compose(self) -> ComposeResult:
        base, catalog = self.base, self.store.catalog
        lead = base.implementation_lead if base else None
        secondary = base.secondary_contact if base else None
        yield Header()
        yield Static(id="form-message")
        with VerticalScroll(id="form-body", can_focus=False):
            yield Static(Content("Primary Information"), classes="form-section")
            yield self._row("company_type", Select(
                self._choices(catalog.company_types, base and base.company_type),
                prompt="Choose a company type", id="company-type",
                value=base.company_type if base else Select.NULL))
            yield self._row("sector", Select(
                self._choices(catalog.sectors, base and base.sector),
                prompt="Choose a sector", id="sector",
                value=base.sector if base else Select.NULL))
            yield self._row("implementation_lead", Select(
                self._lead_options(lead), prompt="Choose an implementation lead", id="lead",
                value=lead if lead is not None else Select.NULL),
                Horizontal(Static(Content(NO_LEADS), id="no-leads-text"),
                           Button("Open Users", id="open-users"), id="no-leads"))
            yield self._row("secondary_contact", Select(
                self._lead_options(secondary), prompt="None (optional)", id="secondary-contact",
                value=secondary if secondary is not None else Select.NULL))
            yield self._row("company_name", Input(
                base.company_name if base else "", id="company-name",
                placeholder="The company's full name, not an abbreviation"),
                Static(id="company-name-warning", classes="field-warning"))
            yield self._row("domain", DomainField(
                self.store, base.domain if base else "", check=base and base.domain_check,
                prospect_id=self.prospect_id, nameserver=self.nameserver,
                lifetime=self.verify_lifetime, id="domain-box"))
            yield self._row("website", Input(base.website if base else "", id="website",
                                             placeholder="https://example.com"))
            yield Static(Content("Other Information"), classes="form-section")
            yield self._row("expected_provision_date", Horizontal(
                DateInput(base.expected_provision_date if base else None, id="provision-date"),
                Button("Calendar", id="provision-date-calendar"), classes="date-row"))
            permitted = base.permitted_users if base else None
            yield self._row("permitted_users", Input(
                "" if permitted is None else str(permitted), id="permitted-users",
                placeholder="A whole number, e.g. 250"))
            yield self._row("products", ProductsField(
                catalog, base.products if base else [], id="products-field"))
            with Horizontal(id="form-buttons"):
                yield Button("Save Prospect and Exit", id="save", variant="primary")
                yield Button("Review Order", id="review-order")
                if base is not None:
                    yield Button("Delete", id="delete", variant="error")
        yield Footer()

    def on_mount(self) -> None:
        if self._missing is not None:
            self.notify(clean_for_display(self._missing, 200), severity="error", markup=False)
            self.call_after_refresh(self.dismiss, None)
            return
        self.sub_title = "Edit prospect" if self.base else "New prospect"
        self.query_one("#no-leads").display = not self.leads
        self._show_name_warning(self.query_one("#company-name", Input).value)
        self._snapshot_at_open = self._snapshot()
        self.query_one("#company-type", Select).focus()

    def on_screen_resume(self) -> None:
        """Back from Users (or anywhere): offer the leads that exist now."""
        users = self.store.users()
        leads = [u for u in users if u.implementation_lead]
        if [u.model_dump() for u in leads] == [u.model_dump() for u in self.leads]:
            return
        self.users, self.leads = users, leads
        for widget_id in ("lead", "secondary-contact"):
            select: Select[int] = self.query_one(f"#{widget_id}", Select)
            current = select.selection
            select.set_options(self._lead_options(current))
            if current is not None:
                select.value = current
        self.query_one("#no-leads").display = not leads

    # -- reading the form ----------------------------------------------------------------

    def _select(self, widget_id: str) -> Any:
        return self.query_one(f"#{widget_id}", Select).selection

    def _input(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def _values(self) -> dict[str, Any]:
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

    def _snapshot(self) -> tuple[Any, ...]:
        products = self.query_one(ProductsField).snapshot()
        return (*self._values().values(), products, id(self.query_one(DomainField).check))

    def is_dirty(self) -> bool:
        """True when something was typed, chosen or verified since the form opened."""
        return self._snapshot() != self._snapshot_at_open

    # -- errors and warnings ---------------------------------------------------------------

    def _set_error(self, widget_id: str | None, message: str) -> None:
        if widget_id is None or self._errors.get(widget_id, "") == message:
            return  # unchanged: no layout pass on every key press
        try:
            static = self.query_one(f"#{widget_id}-error", Static)
        except NoMatches:
            return
        self._errors[widget_id] = message
        static.update(Content(clean_for_display(message, 400)))
        static.display = bool(message)

    def _say(self, message: str, style: str = "-error") -> None:
        banner = self.query_one("#form-message", Static)
        banner.update(Content(clean_for_display(message, 600)))
        banner.set_classes(style)
        banner.display = bool(message)

    def _show_name_warning(self, name: str) -> None:
        warning = (name_warning(name) if name.strip() else None) or ""
        if warning == self._errors.get("company-name-warning", ""):
            return
        self._errors["company-name-warning"] = warning
        static = self.query_one("#company-name-warning", Static)
        static.update(Content(warning))
        static.display = bool(warning)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "company-name":
            self._show_name_warning(event.value)
        self._set_error(event.input.id, "")

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        self._set_error(event.select.id, "")

    @on(SelectionList.SelectedChanged, "#products")
    def _products_changed(self) -> None:
        self._set_error("products", "")

    def _show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Show each error under its field and move focus to the first one."""
        for widget_id in (*FIELD_WIDGETS.values(), *self.query_one(ProductsField).seat_ids()):
            self._set_error(widget_id, "")
        by_widget: dict[str, list[str]] = {}
        for widget_id, message in errors:
            by_widget.setdefault(widget_id, []).append(message)
        for widget_id, messages in by_widget.items():
            self._set_error(widget_id, "\n".join(messages))
        first = errors[0][0]
        count = len(by_widget)
        self._say(f"Not saved: {count} field{'s' if count > 1 else ''} to correct, marked below.")
        self.query_one(f"#{first}").focus()
        error = self.query_one(f"#{first}-error")
        self.call_after_refresh(error.scroll_visible, animate=False)

    # -- saving ----------------------------------------------------------------------------

    def _build(self) -> Prospect | None:
        """The prospect the form describes, or None after showing what is wrong."""
        values = self._values()
        pairs, seat_errors = self.query_one(ProductsField).values()
        values["products"] = pairs
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
            self._show_errors(errors)
            return None
        check = self.query_one(DomainField).check_for(prospect.domain)
        if check is not None and check.verdict != "duplicate":
            prospect = prospect.model_copy(update={"domain_check": check})
        elif self.base is None or prospect.domain != self.base.domain:
            prospect = prospect.model_copy(update={"domain_check": None})
        return prospect

    def action_save(self) -> None:
        """Save, then go back to the list."""
        self._submit(review_order=False)

    def action_review_order(self) -> None:
        """Save, then open the order review for this prospect."""
        self._submit(review_order=True)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#review-order")
    def _review_pressed(self) -> None:
        self.action_review_order()

    def _submit(self, *, review_order: bool) -> None:
        if self._saving:
            return
        prospect = self._build()
        if prospect is None:
            return
        if self.base is not None and prospect.id is not None and not self.is_dirty():
            self.dismiss(FormResult(prospect.id, review_order))  # nothing to write
            return
        self._say("Saving…", "-info")
        self._set_saving(True)
        self._write(prospect, review_order)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        for button in self.query("#form-buttons Button").results(Button):
            button.disabled = saving

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _write(self, prospect: Prospect, review_order: bool) -> None:
        try:
            if prospect.id is None:
                saved = self.store.create_prospect(prospect)
            else:
                saved = self.store.update_prospect(prospect)
        except Exception as error:  # every failure is shown; the form keeps what was typed
            self.app.call_from_thread(self._save_failed, error)
        else:
            self.app.call_from_thread(self._saved, saved, review_order)

    def _saved(self, saved: Prospect, review_order: bool) -> None:
        self._saving = False
        assert saved.id is not None
        self.notify(f"Saved {clean_for_display(saved.company_name, 80)}.", markup=False)
        self.dismiss(FormResult(saved.id, review_order))

    def _save_failed(self, error: Exception) -> None:
        self._set_saving(False)
        message = clean_for_display(str(error) or type(error).__name__, 400)
        if isinstance(error, DuplicateError):
            self._show_errors([("domain", message)])
            return
        if isinstance(error, NotFoundError) and self.base is not None:
            # Someone deleted it: what was typed is still here, and can be added anew.
            self._forget_base()
            message = ("Not saved: this prospect was deleted by someone else meanwhile. "
                       "Save again to add it as a new prospect.")
        else:  # ConflictError's message says whose change is kept and what to do
            message = f"Not saved: {message}"
        self._say(message)
        self.notify(message, severity="error", markup=False, timeout=10)

    # -- verify, calendar, users -----------------------------------------------------------------

    def action_verify(self) -> None:
        """Verify the domain in the field (duplicates here, then DNS)."""
        self.query_one(DomainField).verify()

    @on(Button.Pressed, "#provision-date-calendar")
    def _calendar_pressed(self) -> None:
        self.query_one(DateInput).action_calendar()

    @on(Button.Pressed, "#open-users")
    async def _open_users(self) -> None:
        if hasattr(self.app, "action_open_users"):
            await self.app.run_action("open_users")
        else:
            self.notify("Users can be added from the list (press U).", markup=False)

    # -- leaving and deleting ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return self.base is not None  # False also lets an Input have ctrl+d
        return True

    def action_leave(self) -> None:
        """Back to the list; asks first when there are unsaved changes."""
        if self._saving:
            return
        if not self.is_dirty():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal(
            "Leave without saving? What you changed in this prospect will be lost.",
            yes="Discard changes", no="Keep editing"), answered)

    @on(Button.Pressed, "#delete")
    def _delete_pressed(self) -> None:
        self.action_delete()

    def action_delete(self) -> None:
        """Delete this prospect (and its orders), after asking."""
        base = self.base
        if base is None or base.id is None or self._saving:
            return
        name = clean_for_display(base.company_name, 80)

        def answered(delete: bool | None) -> None:
            if delete:
                self._set_saving(True)
                self._delete(base)

        self.app.push_screen(ConfirmModal(
            f"Delete the prospect {name!r} and its orders? This cannot be undone.",
            yes="Delete", no="Keep it"), answered)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _delete(self, base: Prospect) -> None:
        assert base.id is not None
        try:
            self.store.delete_prospect(base.id, base.version)
        except Exception as error:
            self.app.call_from_thread(self._delete_failed, error)
        else:
            self.app.call_from_thread(self._deleted, base)

    def _delete_failed(self, error: Exception) -> None:
        self._set_saving(False)
        if isinstance(error, NotFoundError):
            self._forget_base()
            message = "It was already deleted by someone else; Save would add it again."
        else:
            message = f"Not deleted: {clean_for_display(str(error), 400)}"
        self._say(message)
        self.notify(message, severity="error", markup=False, timeout=10)

    def _forget_base(self) -> None:
        """The prospect is gone from the file: from now on this form creates a new one."""
        self.base = None
        self.query_one(DomainField).prospect_id = None
        for button in self.query("#delete"):
            button.remove()
        self.refresh_bindings()

    def _deleted(self, base: Prospect) -> None:
        assert base.id is not None
        self.notify(f"Deleted {clean_for_display(base.company_name, 80)}.", markup=False)
        self.dismiss(FormResult(base.id, deleted=True))
