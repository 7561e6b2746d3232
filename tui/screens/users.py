"""Users: add and edit the people who can be implementation leads."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input

from store.errors import DuplicateError, StorageError, StoreError
from store.models import User
from store.rules.store import Store
from tui.modals.choose_lead import ChooseLeadModal
from tui.modals.confirm import ConfirmModal
from tui.widgets.banner import StorageBanner, report_storage_problem
from tui.widgets.key_footer import KeyFooter
from tui.widgets.plain import plain_line
from tui.widgets.user_form import SHOWN, UserForm
from tui.widgets.users_table import UsersTable

ROW_ACTIONS = {"edit_user", "toggle_lead", "remove_user"}


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

    @property
    def form(self) -> UserForm:
        """The form below the table: add a user, or edit one."""
        return self.query_one(UserForm)

    def compose(self) -> ComposeResult:
        yield Header()
        yield StorageBanner()
        yield UsersTable(id="users")
        yield UserForm(id="user-form")
        yield KeyFooter(columns=4)

    @dataclass
    class Counted(Message):
        """The users and how many prospects name each, read off the event loop."""

        users: list[User]
        named: Counter[int]
        select_id: int | None = None

    def on_mount(self) -> None:
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
        table = self.query_one(UsersTable)
        table.show(self.user_list, self.named, select_id)
        if self._first_load:  # no users yet: type the first one straight away
            self._first_load = False
            (table if self.user_list else self.query_one("#user-name", Input)).focus()

    def _set_mode(self, user: User | None) -> None:
        """Switch the form between adding a new user and editing `user`."""
        self.editing = user
        self.set_class(user is not None, "-editing")
        self.form.fill(user)

    def _highlighted(self) -> User | None:
        table = self.query_one("#users", DataTable)
        if not self.user_list or not 0 <= table.cursor_row < len(self.user_list):
            self.notify("No user is selected.", severity="warning", markup=False)
            return None
        return self.user_list[table.cursor_row]

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

    @on(Input.Submitted, "#user-email")
    @on(Button.Pressed, "#add-user, #save-user")
    def action_save_user(self) -> None:
        """Add the user in the form, or save the one being edited."""
        self._save()

    @work(exclusive=True, group="users-change")
    async def _save(self) -> None:
        user = self.form.user(self.editing, self.user_list)
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
            self.form.show_errors([("email", str(error).removeprefix("E-mail: "))])
            return
        except StoreError as error:
            report_storage_problem(self, error)
            self.form.show_errors([("user", str(error))])
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
        lead = plain_line(successor, SHOWN)
        self.notify(plain_line(f"{moved} prospect(s) handed over to {lead}."), markup=False)
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
