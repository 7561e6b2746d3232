"""The list's actions that open other screens and modals: the form, the order, users,
upload, export, history, Verify, delete and saved views.

Kept apart from the list itself (tui.screens.prospect_list: showing, searching,
sorting), which inherits them; each works on the selected prospect or the list
as it is shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from textual import on, work
from textual.screen import Screen

from store.errors import StoreError
from store.listing import ProspectList
from store.models import View
from store.rules.store import Store
from store.text import quoted
from store.transfer.export import ExportResult
from store.user_config import ColumnChoice
from tui.modals.column_chooser import ColumnChooserModal, save_in_background
from tui.modals.confirm import ConfirmModal
from tui.modals.export_dialog import ExportModal
from tui.modals.history import open_history
from tui.modals.verify_all import open_verify_all
from tui.modals.views import pick_view, save_view_as
from tui.screens.order_review import OrderReviewScreen
from tui.screens.prospect_form import FormResult, ProspectFormScreen
from tui.screens.upload import UploadScreen
from tui.screens.users import UsersScreen
from tui.widgets.banner import report_storage_problem
from tui.widgets.list_columns import TABLE_COLUMNS
from tui.widgets.plain import plain_line
from tui.widgets.prospect_table import ProspectTable


class ListActions(Screen[None]):
    """What the list's keys open; the list screen supplies the attributes declared here."""

    store: Store
    prospects: ProspectList
    search_text: str
    letter: str
    _poll_file: Callable[[], None]
    show_latest: Callable[..., None]
    show_columns: Callable[[Sequence[str]], None]
    show_letter: Callable[[str], None]
    sort_by: Callable[..., None]
    _own_columns: ColumnChoice
    show_view: Callable[[View], None]
    current_view: Callable[[], View]
    known_views: list[View] | None

    def _selected_id(self) -> int | None:
        row = self.query_one(ProspectTable).cursor_index
        if row is None:
            self.notify("No prospect is selected.", severity="warning", markup=False)
            return None
        return self.prospects.ids[row]

    @on(ProspectTable.RowActivated)
    def _row_activated(self) -> None:
        self.action_edit()

    def _form(self, prospect_id: int | None, *, verify: bool = False) -> ProspectFormScreen:
        nameserver = getattr(self.app, "nameserver", None)
        return ProspectFormScreen(self.store, prospect_id, nameserver=nameserver, verify=verify)

    def action_new(self) -> None:
        self.app.push_screen(self._form(None), self._form_done)

    def action_edit(self) -> None:
        prospect_id = self._selected_id()
        if prospect_id is not None:
            self.app.push_screen(self._form(prospect_id), self._form_done)

    @work(exclusive=True, group="history")
    async def action_history(self) -> None:
        """Show who changed the selected prospect, what and when."""
        prospect_id = self._selected_id()
        if prospect_id is not None:
            await open_history(self, self.store, prospect_id)

    def action_verify(self) -> None:
        """Open the selected prospect and Verify its domain straight away."""
        prospect_id = self._selected_id()
        if prospect_id is not None:
            self.app.push_screen(self._form(prospect_id, verify=True), self._form_done)

    def action_verify_all(self) -> None:
        """Verify every prospect not checked in the last day, with a progress bar."""
        open_verify_all(self, self.store, getattr(self.app, "nameserver", None),
                        total=len(self.prospects), saved=self._poll_file, done=self.show_latest)

    def _form_done(self, result: FormResult | None) -> None:
        focus = result.prospect_id if result is not None and not result.deleted else None
        self.show_latest(focus_id=focus)
        if result is not None and result.review_order:
            self.app.push_screen(OrderReviewScreen(self.store, result.prospect_id), self.show_latest)

    def action_order(self) -> None:
        prospect_id = self._selected_id()
        if prospect_id is not None:
            self.app.push_screen(OrderReviewScreen(self.store, prospect_id), self.show_latest)

    def action_users(self) -> None:
        self.app.push_screen(UsersScreen(self.store), self.show_latest)

    def action_upload(self) -> None:
        self.app.push_screen(UploadScreen(self.store), self.show_latest)

    def action_export(self) -> None:
        dialog = ExportModal(self.store, search=self.search_text, letter=self.letter,
                             sort=self.prospects.sort_key, descending=self.prospects.descending)
        self.app.push_screen(dialog, self._exported)

    def _exported(self, result: ExportResult | None) -> None:
        if result is not None:
            notes = "".join(f"\n{note}" for note in result.notes)
            where = plain_line(result.path, 200)
            done = f"Exported {result.count:,} prospects to {where}{notes}"
            self.notify(plain_line(done, lines=True), markup=False)

    @work(exclusive=True, group="delete")
    async def action_delete(self) -> None:
        prospect_id = self._selected_id()
        if prospect_id is None:
            return
        try:
            prospect = self.store.get_prospect(prospect_id)
        except StoreError as error:
            report_storage_problem(self, error)
            self.notify(plain_line(error), severity="error", markup=False)
            return
        question = (f"Delete {quoted(prospect.company_name, 80)} ({prospect.domain})"
                    " and its orders? This cannot be undone.")
        if not await self.app.push_screen_wait(ConfirmModal(question, yes="Delete")):
            return
        try:
            await asyncio.to_thread(self.store.delete_prospect, prospect_id, prospect.version)
        except StoreError as error:
            report_storage_problem(self, error)
            self.notify(plain_line(f"Not deleted: {error}"), severity="error", markup=False)
            return
        self.notify(plain_line(f"Deleted {quoted(prospect.company_name, 80)}."), markup=False)
        self.show_latest()

    # -- palette and columns ---------------------------------------------------------

    def palette_commands(self) -> list[object]:
        """'Sort by <column>' and 'Letter Other' entries for the command palette."""
        from textual.app import SystemCommand  # noqa: PLC0415

        return [
            *(SystemCommand(f"Sort by {c.label}", f"Sort the list by {c.label}, A to Z",
                            lambda key=c.key: self.sort_by(key))
              for c in TABLE_COLUMNS),
            SystemCommand("Letter Other (#): names not starting with A to Z",
                          "Show the prospects whose name starts with a digit or a symbol",
                          lambda: self.show_letter("other")),
            *(SystemCommand(f"View {plain_line(view.name, 60)}",
                            f"Show the saved view ({'team' if view.shared else 'yours'})",
                            lambda view=view: self.show_view(view))
              for view in self.known_views or ()),
        ]

    def action_columns(self) -> None:
        """Choose the columns shown and their order; the choice is saved on this machine."""
        shown = [column.key for column in self.query_one(ProspectTable).columns]
        self.app.push_screen(ColumnChooserModal(TABLE_COLUMNS, shown), self._columns_chosen)

    def _columns_chosen(self, keys: list[str] | None) -> None:
        if keys is not None:
            self._own_columns = ColumnChoice(tuple(keys))
            self.show_columns(keys)
            save_in_background(self, keys)

    # -- saved views -----------------------------------------------------------------

    @work(exclusive=True, group="views")
    async def action_views(self) -> None:
        """Pick a saved view (the team's or your own); rename or delete one (asks first)."""
        view = await pick_view(self, self.store, self.current_view())
        if view is not None:
            self.show_view(view)

    @work(exclusive=True, group="views")
    async def action_save_view(self) -> None:
        """Save the list's filter, letter, sort and columns as a view, for you or the team."""
        saved = await save_view_as(self, self.store, self.current_view())
        if saved is not None:
            self.show_view(saved)
