"""Create or edit one prospect: the portal's Create Prospect dialog, in a terminal.

Every value goes through store.rules.validation.build_prospect, so an error reads the
same here as in the CLI and the importer. Errors show under their field and never
clear what was typed. Writing the file happens in a thread: at 100k prospects a
save rewrites a large file, and the screen must not wait on the disk meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Select, SelectionList

from store.domain.dns import Nameserver
from store.errors import DuplicateError, NotFoundError, StorageError
from store.listing import display_domain
from store.models import Prospect, User
from store.rules.store import Store
from store.text import clean_for_display
from tui.modals.confirm import ConfirmModal
from tui.modals.date_picker import DatePickerModal
from tui.modals.history import open_history
from tui.modals.verify_details import VerifyDetailsModal
from tui.widgets.banner import StorageBanner, report_storage_problem
from tui.widgets.date_input import DateInput
from tui.widgets.domain_field import DomainField
from tui.widgets.form_message import FormMessage
from tui.widgets.key_footer import KeyFooter
from tui.widgets.plain import plain_line
from tui.widgets.prospect_fields import ProspectFields
from tui.widgets.refusal import point_at


@dataclass(frozen=True)
class FormResult:
    """What the form did: which prospect it saved (or deleted), and what comes next."""

    prospect_id: int
    review_order: bool = False  # the person chose "Review Order": open the order next
    deleted: bool = False


class ProspectFormScreen(Screen[FormResult | None]):
    """Create a prospect, or edit one (`prospect_id`); dismisses with a FormResult or None."""

    AUTO_FOCUS = "#company-type"  # focused as it mounts: one focus change, one Footer redraw
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form-save",
                tooltip="Save Prospect and Exit: save and go back to the list"),
        Binding("ctrl+r", "review_order", "Order", id="form-review-order",
                tooltip="Review order: save, then review this prospect's order"),
        Binding("f5", "verify", "Verify", id="form-verify",
                tooltip="Verify the domain: duplicates here, then DNS and mail"),
        Binding("f6", "verify_details", "Details", id="form-verify-details",
                tooltip="Verify details: mail provider, gateway, SPF, DMARC and signals"),
        Binding("f7", "history", "History", id="form-history", show=False,
                tooltip="History: who changed this prospect, what and when"),
        # priority: otherwise an Input (where ctrl+d deletes a character) takes it first.
        Binding("ctrl+d", "delete", "Delete", id="form-delete", priority=True,
                tooltip="Delete this prospect (asks first)"),
        Binding("escape", "leave", "Back", id="form-back",
                tooltip="Back to the list (asks before dropping changes)"),
    ]

    def __init__(
        self,
        store: Store,
        prospect_id: int | None = None,
        *,
        nameserver: str | Nameserver | None = None,
        verify_lifetime: float = 3.0,
        focus: str | None = None,
        verify: bool = False,
    ) -> None:
        super().__init__()
        self._verify_on_open = verify
        self._focus = focus  # e.g. "#products", from the order review
        self.store = store
        self.nameserver = nameserver
        self.verify_lifetime = verify_lifetime
        self.base: Prospect | None = None
        self.users: list[User] = []
        self._missing: NotFoundError | StorageError | None = None  # why it cannot open
        try:
            if prospect_id is not None:
                self.base = store.get_prospect(prospect_id)
            self.users = store.users()
        except (NotFoundError, StorageError) as error:
            self._missing = error
        self._saving = False
        self._at_open: tuple[Any, ...] = ()
        self._asked_for: str | None = None  # the domain "Save anyway?" was answered yes for

    @property
    def prospect_id(self) -> int | None:
        """The id of the prospect being edited; None while creating one."""
        return self.base.id if self.base is not None else None

    @property
    def is_customer(self) -> bool:
        """True when editing a customer: its order fields are those of a submitted order."""
        return self.base is not None and self.base.status == "customer"

    @property
    def fields(self) -> ProspectFields:
        """The form's fields."""
        return self.query_one(ProspectFields)

    def compose(self) -> ComposeResult:
        yield Header()
        yield StorageBanner()
        yield FormMessage(id="form-message")
        yield ProspectFields(self.store, self.base, self.users, id="form-body",
                             nameserver=self.nameserver, lifetime=self.verify_lifetime)
        with Horizontal(id="form-buttons"):
            yield Button("Save Prospect and Exit", id="save", variant="primary")
            yield Button("Review Order", id="review-order")
            if self.base is not None:
                yield Button("Delete", id="delete", variant="error")
        yield KeyFooter(columns=4)

    def on_mount(self) -> None:
        if self._missing is not None:
            report_storage_problem(self, self._missing)
            self.notify(plain_line(self._missing, 200), severity="error", markup=False)

            def leave() -> None:  # not awaited: a screen cannot await its own dismissal
                self.dismiss(None)

            self.call_after_refresh(leave)
            return
        if self._focus is not None:  # before AUTO_FOCUS, which then leaves it be
            self.query_one(self._focus).focus()
        if self.is_customer:
            self.sub_title = "Edit customer"
            self.fields.freeze_order_fields()
        else:
            self.sub_title = "Edit prospect" if self.base else "New prospect"
        self.fields.start_name_check()
        self._at_open = self.fields.snapshot()
        if self._verify_on_open:
            self.action_verify()

    def on_screen_resume(self) -> None:
        """Back from Users (or anywhere): offer the leads that exist now."""
        if self._missing is None:
            try:
                self.fields.refresh_leads()
            except StorageError as error:
                report_storage_problem(self, error)

    def is_dirty(self) -> bool:
        """True when something was typed, chosen or verified since the form opened."""
        return self.fields.snapshot() != self._at_open

    # -- messages ----------------------------------------------------------------------

    @property
    def message(self) -> FormMessage:
        """The line above the fields."""
        return self.query_one(FormMessage)

    def _field_changed(self, widget_id: str) -> None:
        """Hide a field's error once it is edited, and the summary once none is left."""
        self.fields.set_note(widget_id, "")
        if self.message.correcting and not self.fields.has_errors():
            self.message.say("")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self._field_changed(event.input.id)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id:
            self._field_changed(event.select.id)

    @on(SelectionList.SelectedChanged, "#products")
    def _products_changed(self) -> None:
        self._field_changed("products")

    # -- saving ------------------------------------------------------------------------

    def _show_errors(self, errors: list[tuple[str, str]]) -> None:
        self.fields.show_errors(errors)
        self.message.count_errors(len({widget_id for widget_id, _ in errors}))

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
        try:
            prospect, errors = self.fields.build()
        except StorageError as error:  # the users could not be read: the file is damaged
            self._save_failed(error)
            return
        if prospect is None:
            self._show_errors(errors)
            return
        if prospect.id is not None and not self.is_dirty():
            self.dismiss(FormResult(prospect.id, review_order))  # nothing to write
            return
        saved = self.base.domain if self.base is not None else None
        doubt = self.query_one(DomainField).doubt(prospect.domain, saved)
        if doubt is None or self._asked_for == prospect.domain:
            self._start_write(prospect, review_order)
            return

        def answered(save: bool | None) -> None:
            if save:
                self._asked_for = prospect.domain  # asked once: not again for this domain
                self._start_write(prospect, review_order)
            else:
                point_at(self.query_one("#domain"), self.query_one("#verify-status"))

        self.app.push_screen(ConfirmModal(f"{doubt} Save anyway?", yes="Save anyway",
                                          no="Go back"), answered)

    def _start_write(self, prospect: Prospect, review_order: bool) -> None:
        self.message.say("Saving…", "-info")
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
                saved = self.store.create_prospect(prospect, via="form")
            else:
                saved = self.store.update_prospect(prospect)
        except Exception as error:  # every failure is shown; the form keeps what was typed
            self.app.call_from_thread(self._save_failed, error)
        else:
            self.app.call_from_thread(self._saved, saved, review_order)

    def _saved(self, saved: Prospect, review_order: bool) -> None:
        self._saving = False
        assert saved.id is not None
        self.notify(f"Saved {plain_line(saved.company_name, 80)}.", markup=False)
        self.dismiss(FormResult(saved.id, review_order))

    def _save_failed(self, error: Exception) -> None:
        self._set_saving(False)
        message = clean_for_display(str(error) or type(error).__name__, 400)
        report_storage_problem(self, error)  # nothing was written; the form keeps it all
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
        self.message.say(message)
        self.notify(plain_line(message), severity="error", markup=False, timeout=10)

    def _forget_base(self) -> None:
        """The prospect is gone from the file: from now on this form creates a new one."""
        self.base = None
        self.fields.base = None
        self.query_one(DomainField).prospect_id = None
        self.query("#delete").remove()
        self.refresh_bindings()

    # -- verify, calendar, users ---------------------------------------------------------

    def action_verify(self) -> None:
        """Verify the domain in the field (duplicates here, then DNS)."""
        self.query_one(DomainField).verify()

    def action_verify_details(self) -> None:
        """Show everything the last Verify found about the domain's mail."""
        field = self.query_one(DomainField)
        if field.check is not None and field.checked_domain is not None:
            domain = display_domain(field.checked_domain)
            self.app.push_screen(VerifyDetailsModal(domain, field.check))

    @work(exclusive=True, group="history")
    async def action_history(self) -> None:
        """Show who changed this prospect, what and when (a new one has none yet)."""
        if self.prospect_id is None:
            self.notify("A new prospect has no history until it is saved.", markup=False)
        else:
            await open_history(self, self.store, self.prospect_id)

    @on(DateInput.CalendarRequested)
    def _open_calendar(self, event: DateInput.CalendarRequested) -> None:
        """A date field asked for the calendar: open it, and hand the pick back to that field."""
        self.app.push_screen(DatePickerModal(event.day), event.date_input.picked)

    @on(Button.Pressed, "#open-users")
    async def _open_users(self) -> None:
        if hasattr(self.app, "action_open_users"):
            await self.app.run_action("open_users")
        else:
            self.notify("Users can be added from the list (press U).", markup=False)

    # -- leaving and deleting --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return self.base is not None  # False also lets an Input have its ctrl+d
        if action == "verify_details":  # shown once there is an answer to show
            field = self.query(DomainField)
            return bool(field) and field.first().check is not None
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
        if base is None or self._saving:
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

    def _deleted(self, base: Prospect) -> None:
        assert base.id is not None
        self.notify(f"Deleted {plain_line(base.company_name, 80)}.", markup=False)
        self.dismiss(FormResult(base.id, deleted=True))

    def _delete_failed(self, error: Exception) -> None:
        self._set_saving(False)
        if isinstance(error, NotFoundError):
            self._forget_base()
            message = "It was already deleted by someone else; Save would add it again."
        else:
            message = f"Not deleted: {clean_for_display(str(error), 400)}"
        self.message.say(message)
        self.notify(plain_line(message), severity="error", markup=False, timeout=10)
