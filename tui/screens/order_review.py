"""Review Order: turn a prospect into an order, keep it as a draft, or submit it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Header, Input, Static

from store.errors import ConflictError, NotFoundError, StoreError
from store.models import Order, Prospect, User
from store.rules.store import Store
from store.text import clean_for_display
from tui.modals.confirm import ConfirmModal
from tui.screens.order_refusals import (
    AUTHORISED,
    CONFIRMATIONS,
    MSA,
    NOT_REQUIRED,
    Refusals,
    number_refusal,
    refusals,
)
from tui.screens.prospect_form import FormResult, ProspectFormScreen
from tui.widgets.banner import StorageBanner, report_storage_problem
from tui.widgets.key_footer import KeyFooter
from tui.widgets.order_summary import OrderStatus, OrderSummary, StaleNote
from tui.widgets.plain import PlainInput, plain, plain_line
from tui.widgets.refusal import point_at
from tui.widgets.tick_box import TickBox

SHORT = 60  # characters of a name in questions and notifications
State = tuple[str, bool, bool, bool]


class OrderReviewScreen(Screen[None]):
    """Review a prospect's order: summary, order number, two confirmations, submit or draft.

    Opening it resumes the prospect's latest draft, or starts one from the
    prospect's products and permitted users; a submitted order is shown read-only.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="order-back",
                tooltip="Back to the list (asks before dropping changes)"),
        Binding("ctrl+s", "save_and_exit", "Save draft", id="order-save",
                tooltip="Save the order as a draft and exit"),
        Binding("ctrl+o", "submit", "Submit", id="order-submit",
                tooltip="Submit the order: the prospect becomes a customer (asks first)"),
        # priority: the order number Input would take ctrl+e (end of line) first and hide it.
        Binding("ctrl+e", "edit_products", "Edit products", id="order-edit-products", priority=True,
                tooltip="Edit the prospect's products (an order needs at least one)"),
        Binding("ctrl+r", "update_from_prospect", "Take prospect's products",
                id="order-update-from-prospect",
                tooltip="Update the order with the prospect's current products and users"),
    ]

    def __init__(self, store: Store, prospect_id: int) -> None:
        super().__init__()
        self.store = store
        self.prospect_id = prospect_id
        self.prospect: Prospect | None = None
        self.order: Order | None = None
        self.users: list[User] = []
        self._clean_state: State = ("", False, False, False)
        self._submit_tried = False
        self._typed_number = ""  # kept while "not required" is ticked, to restore on untick

    def compose(self) -> ComposeResult:
        yield Header()
        yield StorageBanner()
        # Outside the scroll, so that "Submitted on ..." is always in view.
        yield OrderStatus(id="order-status")
        with VerticalScroll(id="order-review"):
            yield OrderSummary(id="order-summary")
            yield Static(id="products-error", classes="order-error")
            yield Button("Edit products", id="edit-products")
            yield StaleNote(id="order-stale")
            number = PlainInput(placeholder="e.g. PO-12345", id="order-number", max_length=64)
            number.border_title = "Order number"
            yield number
            yield Static(id="order-number-error", classes="order-error")
            yield TickBox(plain(NOT_REQUIRED), id="order-number-not-required")
            yield TickBox(plain(MSA), id="confirm-msa")
            yield TickBox(plain(AUTHORISED), id="confirm-authorised")
            yield Static(id="confirm-error", classes="order-error")
            with Horizontal(id="order-buttons"):
                yield Button("Submit Order", id="submit-order", variant="primary")
                yield Button("Save and Exit", id="save-and-exit")
                yield Button("Back", id="order-close")
        yield KeyFooter(columns=4)

    @dataclass
    class Loaded(Message):
        """The prospect, its latest order and the users, as the file holds them now.

        `error` says why they could not be read; `refill` is False after editing the
        prospect's products, so that what was typed in the order stays.
        """

        prospect: Prospect | None
        order: Order | None
        users: list[User]
        refill: bool = True
        error: str = ""

    def on_mount(self) -> None:
        self.query_one("#order-status", Static).update(Content("Loading the order…"))
        self._read()

    @work(thread=True, exclusive=True, group="order-load", exit_on_error=False)
    def _read(self, refill: bool = True) -> None:
        """Re-read the file off the event loop (about half a second at 100k prospects)."""
        try:
            prospect = self.store.get_prospect(self.prospect_id)
            orders = sorted(self.store.orders_for(self.prospect_id), key=lambda o: o.id or 0)
            users = self.store.users()
        except StoreError as error:
            self.app.call_from_thread(report_storage_problem, self, error)
            self.post_message(self.Loaded(None, None, [], refill, str(error)))
            return
        self.post_message(self.Loaded(prospect, orders[-1] if orders else None, users, refill))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.prospect is None:
            self.notify(plain_line(f"Cannot review the order: {event.error}"), severity="error", markup=False)
            self.dismiss(None)  # not awaited: a screen cannot await its own dismissal
            return
        self.prospect, self.users = event.prospect, event.users
        if not event.refill:  # back from editing the prospect: keep what was typed here
            if self.order is not None and not self.order.products:
                self._take_prospects_products()
            self._show_summary()
            self.refresh_bindings()
            self._recheck()
            return
        self.order = event.order or self._new_order()
        self._fill()
        (self.query_one("#order-close") if self.submitted else self._first_field()).focus()

    # -- loading and showing -------------------------------------------------------

    @property
    def submitted(self) -> bool:
        """True once the order shown was submitted: it is read-only from then on."""
        return self.order is not None and self.order.status == "submitted"

    @property
    def company(self) -> str:
        """The company name, safe to put in a question or notification."""
        name = self.prospect.company_name if self.prospect else f"prospect {self.prospect_id}"
        return clean_for_display(name, SHORT)

    def _new_order(self) -> Order:
        """A draft from the prospect as it is now; written only on Save or Submit."""
        assert self.prospect is not None
        return Order(
            prospect=self.prospect_id,
            products=[line.model_copy() for line in self.prospect.products],
            permitted_users=self.prospect.permitted_users,
        )

    def _fill(self) -> None:
        """Put the order into the widgets and show the summary and status lines."""
        assert self.order is not None
        order = self.order
        number = self.query_one("#order-number", Input)
        number.value = order.order_number
        self._typed_number = order.order_number
        number.disabled = order.order_number_not_required or self.submitted
        self.query_one("#order-number-not-required", Checkbox).value = order.order_number_not_required
        self.query_one("#confirm-msa", Checkbox).value = order.covered_by_msa
        self.query_one("#confirm-authorised", Checkbox).value = order.authorised
        self._clean_state = self._state()
        self._show_errors(Refusals("", "", []))
        self._show_summary()
        self.query_one(OrderStatus).show(order)
        self.set_class(self.submitted, "-submitted")
        for widget in self.query("#order-review Checkbox"):
            widget.disabled = self.submitted
        self.refresh_bindings()

    def _show_summary(self) -> None:
        assert self.prospect is not None and self.order is not None
        self.query_one(OrderSummary).show(self.prospect, self.order, self.users)
        self.query_one(StaleNote).show(self._stale())

    def _stale(self) -> bool:
        """True when a draft's copy of the products no longer matches the prospect."""
        if self.submitted or self.order is None or self.prospect is None or self.order.id is None:
            return False
        return (self.order.products, self.order.permitted_users) != (
            self.prospect.products, self.prospect.permitted_users)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that cannot apply: nothing changes on a submitted order."""
        if action in ("save_and_exit", "submit", "edit_products"):
            return self.order is not None and not self.submitted
        if action == "update_from_prospect":
            return self._stale()
        return True

    def _first_field(self) -> Input | Checkbox:
        number = self.query_one("#order-number", Input)
        return number if not number.disabled else self.query_one("#confirm-msa", Checkbox)

    # -- editing -------------------------------------------------------------------

    def _state(self) -> State:
        return (
            self.query_one("#order-number", Input).value.strip(),
            self.query_one("#order-number-not-required", Checkbox).value,
            self.query_one("#confirm-msa", Checkbox).value,
            self.query_one("#confirm-authorised", Checkbox).value,
        )

    @property
    def dirty(self) -> bool:
        """True when the form differs from what was loaded or last saved."""
        return not self.submitted and self._state() != self._clean_state

    @on(Checkbox.Changed, "#order-number-not-required")
    def _not_required_changed(self, event: Checkbox.Changed) -> None:
        number = self.query_one("#order-number", Input)
        if self.submitted:
            return
        if event.value:
            self._typed_number = number.value
            number.value = ""
        else:
            number.value = self._typed_number
        number.disabled = event.value
        self._recheck()

    @on(Input.Changed, "#order-number")
    @on(Checkbox.Changed, "#confirm-msa, #confirm-authorised")
    def _recheck(self) -> None:
        """After a refused submit, errors go away as soon as they are fixed."""
        if self._submit_tried and not self.submitted:
            self._validate(focus=False)

    def _form_order(self) -> Order:
        assert self.order is not None
        number, not_required, msa, authorised = self._state()
        return self.order.model_copy(update={
            "order_number": "" if not_required else number,
            "order_number_not_required": not_required,
            "covered_by_msa": msa,
            "authorised": authorised,
        })

    def _show_errors(self, refused: Refusals) -> None:
        self.query_one("#order-number", Input).set_class(bool(refused.number), "-invalid")
        for selector in CONFIRMATIONS:
            self.query_one(selector, Checkbox).set_class(selector in refused.unticked, "-invalid")
        shown = {"#products-error": refused.products, "#order-number-error": refused.number,
                 "#confirm-error": refused.confirmations}
        for selector, text in shown.items():
            box = self.query_one(selector, Static)
            box.update(plain(text))
            box.display = bool(text)

    def _validate(self, *, focus: bool = True) -> bool:
        """Show what stops a submit, next to each field; True when nothing does."""
        refused = refusals(self._form_order())
        self._show_errors(refused)
        # (field, message) for each refusal, top to bottom: the first is pointed at.
        problems = [("#edit-products", "#products-error")] if refused.products else []
        problems += [("#order-number", "#order-number-error")] if refused.number else []
        problems += [(refused.unticked[0], "#confirm-error")] if refused.unticked else []
        if focus and problems:
            field, message = problems[0]
            point_at(self.query_one(field), self.query_one(message))
        return not problems

    def action_update_from_prospect(self) -> None:
        """Replace the draft's products and permitted users with the prospect's current ones."""
        if self.prospect is None or self.order is None or self.submitted:
            return
        self._take_prospects_products()
        self._show_summary()
        self.refresh_bindings()
        self.notify("Products and permitted users taken from the prospect.", markup=False)

    def _take_prospects_products(self) -> None:
        assert self.prospect is not None and self.order is not None
        self.order = self.order.model_copy(update={
            "products": [line.model_copy() for line in self.prospect.products],
            "permitted_users": self.prospect.permitted_users,
        })
        # Why mark dirty: the new products are only kept once the draft is saved.
        self._clean_state = ("\x00", False, False, False)

    @on(Button.Pressed, "#edit-products")
    def action_edit_products(self) -> None:
        """Open the prospect at its products; back here, an order without any takes them."""
        if self.order is None or self.submitted:
            return
        form = ProspectFormScreen(self.store, self.prospect_id, focus="#products",
                                  nameserver=getattr(self.app, "nameserver", None))
        self.app.push_screen(form, self._products_edited)

    def _products_edited(self, _result: FormResult | None) -> None:
        self._read(refill=False)  # what was typed here stays; the products are read afresh

    # -- saving and submitting ----------------------------------------------------

    @on(Button.Pressed, "#save-and-exit")
    async def action_save_and_exit(self) -> None:
        """Keep the order as a draft and go back; reopening resumes it."""
        if self.submitted or self.order is None:
            self.dismiss(None)
            return
        if refused := number_refusal(self._form_order()):  # a draft keeps it exactly, or not at all
            self._show_errors(Refusals("", refused, []))
            self.query_one("#order-number", Input).focus()
            return
        if await self._save_order("Draft not saved") is None:
            return
        self.notify(plain_line(f"Draft order saved for {self.company}."), markup=False)
        self.dismiss(None)

    @on(Button.Pressed, "#submit-order")
    def action_submit(self) -> None:
        """Check the order, ask, then submit it: the prospect becomes a customer."""
        self._submit_tried = True
        if not self.submitted and self._validate():
            self._submit()

    @work(exclusive=True, group="order-submit")
    async def _submit(self) -> None:
        question = f"Submit order for {self.company}? It cannot be changed afterwards."
        if not await self.app.push_screen_wait(ConfirmModal(question, yes="Submit")):
            return
        order = await self._save_order("Order not submitted", submit=True)
        if order is None:
            return
        self.order = order
        self.prospect = self.prospect and self.prospect.model_copy(update={"status": "customer"})
        self._fill()
        self.query_one("#order-close", Button).focus()
        self.notify(plain_line(f"Order submitted: {self.company} is now a customer."), markup=False)

    async def _save_order(self, what: str, *, submit: bool = False) -> Order | None:
        """Write the order off the event loop; None after saying why it was not (`what`)."""
        try:
            return await asyncio.to_thread(self.store.save_order, self._form_order(), submit=submit)
        except NotFoundError as error:
            self.notify(plain_line(f"{what}: {error}"), severity="error", markup=False)
            self.dismiss(None)
        except ConflictError:
            self._show_theirs(what)
        except StoreError as error:
            report_storage_problem(self, error)
            self.notify(plain_line(f"{what}: {error}"), severity="error", markup=False)
        return None

    def _show_theirs(self, what: str) -> None:
        """Someone else saved or submitted this order meanwhile: show theirs, never overwrite it."""
        mine = self.order.id if self.order else None
        theirs = next((o for o in self.store.orders_for(self.prospect_id) if o.id == mine), None)
        if theirs is None:
            self.notify(plain_line(f"{what}: someone else deleted this order."), markup=False,
                        severity="error")
            self.dismiss(None)
            return
        self.order = theirs
        self.prospect = self.store.get_prospect(self.prospect_id)
        self._fill()
        done = "submitted" if self.submitted else "changed"
        message = f"{what}: someone else {done} this order meanwhile; theirs is shown now."
        self.notify(plain_line(message), severity="error", markup=False)

    # -- leaving ---------------------------------------------------------------------

    @on(Button.Pressed, "#order-close")
    def action_back(self) -> None:
        """Go back, asking first if that would drop unsaved changes."""
        if self.dirty:
            self._confirm_leave()
        else:
            self.dismiss(None)

    @work(exclusive=True, group="order-leave")
    async def _confirm_leave(self) -> None:
        question = f"Discard your unsaved changes to the order for {self.company}?"
        if await self.app.push_screen_wait(ConfirmModal(question, yes="Discard", no="Keep editing")):
            self.dismiss(None)

