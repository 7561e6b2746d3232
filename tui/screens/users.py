"""Users: add and edit the people who can be implementation leads."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Header, Input, Static

from store.errors import DuplicateError, StorageError, StoreError
from store.models import User
from store.rules.fields import too_long
from store.rules.store import Store
from tui.modals.choose_lead import ChooseLeadModal
from tui.modals.confirm import ConfirmModal
from tui.widgets.banner import StorageBanner, report_storage_problem
from tui.widgets.key_footer import KeyFooter
from tui.widgets.plain import PlainInput, plain, plain_cell, plain_line
from tui.widgets.refusal import point_at
from tui.widgets.tick_box import TickBox

FIELDS = {"name": ("Name", "#user-name"), "email": ("E-mail", "#user-email")}
ROW_ACTIONS = {"edit_user", "toggle_lead", "remove_user"}
SHOWN = 40  # characters of a name or e-mail shown in messages
# Fixed widths, so that all four columns fit an 80-column terminal.
COLUMNS = [("name", "Name", 21), ("email", "E-mail", 20),
           ("lead", "Implementation Lead", 19), ("prospects", "Prospects", 9)]


def field_errors(error: ValidationError) -> list[tuple[str, str]]:
    """(field, message) pairs from a User validation error, in words a person reads."""
    found: list[tuple[str, str]] = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "name"
        if item["type"] == "string_too_short":
            message = "is required" if field == "name" else "is not an e-mail address (name@example.com)"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        found.append((field, message))
    return found


class UsersScreen(Screen[None]):
    """List users; add one, edit one, flag or unflag an implementation lead, remove one.

    A user still named as lead or secondary contact on a prospect is never
    unflagged or removed until someone else is chosen to take over.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="users-back", tooltip="Back to the list"),
        Binding("ctrl+s", "save_user", "Save user", id="users-save",
                tooltip="Save user: add the user in the form, or save the one being edited"),
        Binding("ctrl+n", "new_user", "New user", id="users-new", show=False,
                tooltip="New user: empty the form to add someone"),
        Binding("e", "edit_user", "Edit", id="users-edit", tooltip="Edit the selected user"),
        Binding("l", "toggle_lead", "Lead on/off", id="users-toggle-lead",
                tooltip="Implementation lead: flag or unflag the selected user"),
        Binding("d,delete", "remove_user", "Remove", id="users-remove",
                tooltip="Remove (delete) the selected user (asks first)"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.editing: User | None = None
        self.user_list: list[User] = []
        self.named: Counter[int] = Counter()
        self._first_load = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield StorageBanner()
        yield DataTable(id="users", cursor_type="row", zebra_stripes=True)
        with Vertical(id="user-form"):
            yield Static(id="user-form-title")
            with Horizontal(id="user-fields"):
                name = PlainInput(placeholder="Full name", id="user-name")
                name.border_title = "Name"
                yield name
                email = PlainInput(placeholder="name@example.com", id="user-email")
                email.border_title = "E-mail"
                yield email
            with Horizontal(id="user-actions"):
                yield TickBox("Implementation lead", id="user-lead")
                yield Button("Add User", id="add-user", variant="primary")
                yield Button("Save User", id="save-user", variant="primary")
                yield Button("Remove", id="remove-user", variant="error")
                yield Button("Cancel edit", id="new-user")
            yield Static(id="user-error")
        yield KeyFooter(columns=4)

    @dataclass
    class Counted(Message):
        """The users and how many prospects name each, read off the event loop."""

        users: list[User]
        named: Counter[int]
        select_id: int | None = None

    def on_mount(self) -> None:
        table = self.query_one("#users", DataTable)
        for key, label, width in COLUMNS:
            table.add_column(plain_cell(label), width=width, key=key)
        self._set_mode(None)
        self._first_load = True
        # After the first paint: at 100k prospects the count's thread, sharing the GIL,
        # would double the time the screen takes to lay itself out and show.
        self.call_after_refresh(self.reload)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Row keys (e, l, d) act on the table's row only while the table has focus."""
        if action in ROW_ACTIONS:
            return self.focused is not None and self.focused.id == "users"
        return True

    # -- showing -----------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Show the users as saved, with how many prospects name each (counted in a thread)."""
        self._read(select_id)

    @work(thread=True, exclusive=True, group="users-read", exit_on_error=False)
    def _read(self, select_id: int | None) -> None:
        # Why count here: a user named on prospects needs a replacement before
        # being unflagged or removed, and the table tells people that up front.
        # A scan of every prospect: 200 ms at 100k, so never on the event loop.
        try:
            named = self.store.named_counts()
            users = self.store.users()
        except StorageError as error:
            self.app.call_from_thread(report_storage_problem, self, error)
            return
        self.post_message(self.Counted(users, named, select_id))

    @on(Counted)
    def _counted(self, event: Counted) -> None:
        self.named, self.user_list, select_id = event.named, event.users, event.select_id
        table = self.query_one("#users", DataTable)
        table.clear()
        for user in self.user_list:
            count = self.named[user.id] if user.id is not None else 0
            table.add_row(
                plain_cell(user.name, COLUMNS[0][2]),
                plain_cell(user.email, COLUMNS[1][2]),
                Text("yes" if user.implementation_lead else ""),
                plain_cell(count or ""),
                key=str(user.id),
            )
        if select_id is not None:
            for row, user in enumerate(self.user_list):
                if user.id == select_id:
                    table.move_cursor(row=row)
        if self._first_load:  # no users yet: type the first one straight away
            self._first_load = False
            (table if self.user_list else self.query_one("#user-name", Input)).focus()

    def _set_mode(self, user: User | None) -> None:
        """Switch the form between adding a new user and editing `user`."""
        self.editing = user
        self.set_class(user is not None, "-editing")
        title = "Add a user" if user is None else f"Editing {plain_line(user.name, SHOWN)}"
        self.query_one("#user-form-title", Static).update(plain(title))
        # Exact: the input shows a stored control as a symbol; saving it is refused by name.
        self.query_one("#user-name", Input).value = user.name if user else ""
        self.query_one("#user-email", Input).value = user.email if user else ""
        self.query_one("#user-lead", Checkbox).value = user.implementation_lead if user else False
        self._show_errors([])

    def _show_errors(self, errors: list[tuple[str, str]]) -> None:
        for field, (_label, selector) in FIELDS.items():
            self.query_one(selector, Input).set_class(
                any(f == field for f, _ in errors), "-invalid"
            )
        lines = [f"{FIELDS.get(f, (f.title(), ''))[0]}: {m}" for f, m in errors]
        box = self.query_one("#user-error", Static)
        box.update(plain("\n".join(lines)))
        box.display = bool(lines)
        named = [FIELDS[field][1] for field, _ in errors if field in FIELDS]
        if named:
            point_at(self.query_one(named[0]), box)
        elif lines:
            box.scroll_visible(animate=False)

    def _highlighted(self) -> User | None:
        table = self.query_one("#users", DataTable)
        if not self.user_list or not 0 <= table.cursor_row < len(self.user_list):
            self.notify("No user is selected.", severity="warning", markup=False)
            return None
        return self.user_list[table.cursor_row]

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")

    # -- selecting ---------------------------------------------------------------

    @on(DataTable.RowSelected, "#users")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit_user()

    def action_edit_user(self) -> None:
        """Fill the form with the highlighted user, to change them."""
        user = self._highlighted()
        if user is not None:
            self._set_mode(user)
            self.query_one("#user-name", Input).focus()

    def action_new_user(self) -> None:
        """Empty the form to add someone new."""
        self._set_mode(None)
        self.query_one("#user-name", Input).focus()

    @on(Button.Pressed, "#new-user")
    def _cancel_edit(self) -> None:
        self.action_new_user()

    def action_back(self) -> None:
        self.dismiss(None)

    # -- adding and saving -------------------------------------------------------------

    @on(Input.Submitted, "#user-name")
    def _name_entered(self) -> None:
        self.query_one("#user-email", Input).focus()

    @on(Input.Submitted, "#user-email")
    @on(Button.Pressed, "#add-user, #save-user")
    def action_save_user(self) -> None:
        """Add the user in the form, or save the one being edited."""
        self._save()

    def _form_user(self) -> User | None:
        """The user the form describes, or None after showing what is wrong."""
        name = self.query_one("#user-name", Input).value
        email = self.query_one("#user-email", Input).value
        lead = self.query_one("#user-lead", Checkbox).value
        try:
            user = User(
                id=self.editing.id if self.editing else None,
                name=name,
                email=email,
                implementation_lead=lead,
            )
        except ValidationError as error:
            self._show_errors(field_errors(error))
            return None
        problem = too_long(user.name)
        if problem is not None:
            self._show_errors([("name", problem)])
            return None
        folded = user.email.casefold()
        taken = next(
            (u for u in self.user_list if u.email.casefold() == folded and u.id != user.id), None
        )
        if taken is not None:
            self._show_errors(
                [("email", f"'{plain_line(user.email, SHOWN)}' already belongs to "
                           f"'{plain_line(taken.name, SHOWN)}'")]
            )
            return None
        return user

    @work(exclusive=True, group="users-change")
    async def _save(self) -> None:
        user = self._form_user()
        if user is None:
            return
        before = self.editing
        unflagging = before is not None and before.implementation_lead and not user.implementation_lead
        if unflagging and before is not None and not await self._hand_over(before, "unflag"):
            return
        try:
            write = self.store.update_user if before else self.store.add_user
            saved = await asyncio.to_thread(write, user)
        except DuplicateError as error:
            self._show_errors([("email", str(error).removeprefix("E-mail: "))])
            return
        except StoreError as error:
            report_storage_problem(self, error)
            self._show_errors([("user", str(error))])
            return
        verb = "Saved" if before else "Added"
        role = " as an implementation lead" if saved.implementation_lead else ""
        self.notify(plain_line(f"{verb} {plain_line(saved.name, SHOWN)}{role}."), markup=False)
        self.reload(select_id=saved.id)
        self._set_mode(None)
        self.query_one("#user-name" if before is None else "#users").focus()

    async def _named_count(self, user_id: int) -> int | None:
        """How many prospects name the user, counted afresh in a thread; None if unreadable."""
        try:
            return (await asyncio.to_thread(self.store.named_counts))[user_id]
        except StorageError as error:
            self._refused(error)
            return None

    def _refused(self, error: StoreError) -> None:
        """Say why a change was not made; a damaged file also raises the banner."""
        report_storage_problem(self, error)
        self.notify(plain_line(error), severity="error", markup=False)

    async def _hand_over(self, user: User, doing: str) -> bool:
        """Move the user's prospects to another lead first; False if that was cancelled."""
        assert user.id is not None
        # Counted afresh: another session may have named them since the table was drawn.
        count = await self._named_count(user.id)
        if count is None:
            return False
        if not count:
            return True
        replacement = await self._choose_replacement(user, count, doing)
        if replacement is None:
            return False
        try:
            moved = await asyncio.to_thread(self.store.replace_lead, user.id, replacement)
        except StoreError as error:
            self._refused(error)
            return False
        successor = next((u.name for u in self.user_list if u.id == replacement), "the new lead")
        self.notify(plain_line(f"{moved} prospect(s) handed over to {plain_line(successor, SHOWN)}."),
                    markup=False)
        return True

    # -- flag and remove -------------------------------------------------------------

    def action_toggle_lead(self) -> None:
        """Flag or unflag the highlighted user as an implementation lead."""
        user = self._highlighted()
        if user is not None:
            self._toggle(user)

    @work(exclusive=True, group="users-change")
    async def _toggle(self, user: User) -> None:
        flagged = not user.implementation_lead
        if not flagged and not await self._hand_over(user, "unflag"):
            return
        try:
            changed = user.model_copy(update={"implementation_lead": flagged})
            await asyncio.to_thread(self.store.update_user, changed)
        except StoreError as error:
            self._refused(error)
            return
        state = "is now an implementation lead" if flagged else "is no longer an implementation lead"
        self.notify(plain_line(f"{plain_line(user.name, SHOWN)} {state}."), markup=False)
        self.reload(select_id=user.id)
        if self.editing is not None and self.editing.id == user.id:
            self._set_mode(None)

    @on(Button.Pressed, "#remove-user")
    def _remove_pressed(self) -> None:
        if self.editing is not None:
            self._remove(self.editing)

    def action_remove_user(self) -> None:
        """Remove the user being edited, else the highlighted one (asks first)."""
        user = self.editing or self._highlighted()
        if user is not None:
            self._remove(user)

    async def _choose_replacement(self, user: User, count: int, doing: str) -> int | None:
        """Ask which lead takes over the user's prospects; None (and a notice) if cancelled."""
        assert user.id is not None
        question = (
            f"{plain_line(user.name, SHOWN)} is the implementation lead or secondary contact of "
            f"{count} prospect(s). Choose the implementation lead who takes over before you {doing} them:"
        )
        replacement = await self.app.push_screen_wait(
            ChooseLeadModal(self.store, user.id, question=question)
        )
        if replacement is None:
            self.notify(f"{plain_line(user.name, SHOWN)} was not changed.", markup=False,
                        severity="warning")
        return replacement

    @work(exclusive=True, group="users-change")
    async def _remove(self, user: User) -> None:
        assert user.id is not None
        count = await self._named_count(user.id)
        if count is None:
            return
        replacement: int | None = None
        if count:
            replacement = await self._choose_replacement(user, count, "remove")
            if replacement is None:
                return
        sure = await self.app.push_screen_wait(
            ConfirmModal(f"Remove {plain_line(user.name, SHOWN)}?", yes="Remove", no="Keep")
        )
        if not sure:
            return
        try:
            moved = await asyncio.to_thread(self.store.remove_user, user.id, replacement)
        except StoreError as error:
            self._refused(error)
            return
        extra = f" {moved} prospect(s) handed over." if moved else ""
        self.notify(plain_line(f"Removed {plain_line(user.name, SHOWN)}.{extra}"), markup=False)
        if self.editing is not None and self.editing.id == user.id:
            self._set_mode(None)
        self.reload()
        self.query_one("#users").focus()
