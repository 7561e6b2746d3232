"""The first screen: every prospect, with search, A-Z letters and sorting."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Button, Header, Input, Static
from textual.worker import Worker, get_current_worker

from store.backends.base import Changes
from store.bulk import collector_paused
from store.errors import FilterError, StorageError
from store.listing import COLUMNS, ProspectList
from store.listing.completion import known_values
from store.listing.filter import Filter, parse_filter
from store.models import View
from store.rules.store import Store
from store.user_config import read_columns
from tui.modals.history import show_in_open_history
from tui.screens.list_actions import ListActions
from tui.widgets.banner import StorageBanner, report_storage_problem
from tui.widgets.filter_suggester import FilterSuggester
from tui.widgets.key_footer import KeyFooter
from tui.widgets.letter_bar import LetterBar, list_status
from tui.widgets.list_columns import table_columns
from tui.widgets.plain import PlainInput, plain, plain_line
from tui.widgets.prospect_table import ProspectTable

SEARCH_DEBOUNCE = 0.15
THREADED_SORT_ROWS = 20_000  # from here a first sort takes a frame or more: sort in a thread

FIRST_RUN_HINT = (
    "No prospects yet. Press n to create one, u to upload a spreadsheet, "
    "or U to add users (implementation leads) first."
)


class ProspectListScreen(ListActions):
    """List, search, sort and filter prospects; the hub for every other screen."""

    # The Footer shows the short description; the palette and the key help (F1) show the
    # tooltip, worded with what people search for ("import", "template", "verify").
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="new", tooltip="New prospect: create one"),
        Binding("e", "edit", "Edit", id="edit", show=False, tooltip="Edit the selected prospect"),
        Binding("o", "order", "Order", id="order",
                tooltip="Order: review, save or submit the selected prospect's order"),
        Binding("v", "verify", "Verify", id="verify",
                tooltip="Verify the selected prospect's domain (opens it and checks DNS)"),
        Binding("V", "verify_all", "Scan", id="verify-all",
                tooltip="Verify all: check every prospect's domain not checked today "
                "(mail provider, gateway, DMARC); cancel keeps the answers"),
        Binding("u", "upload", "Upload", id="upload",
                tooltip="Upload: import prospects from a CSV or XLSX file; download the template"),
        Binding("U", "users", "Users", id="users",
                tooltip="Users: add people and implementation leads"),
        Binding("w", "views", "Views", id="views",
                tooltip="Saved views: pick one (filter, letter, sort, columns) saved by you or "
                "the team; rename or delete one"),
        Binding("W", "save_view", "Save view", id="save-view", show=False,
                tooltip="Save view: keep the list's filter, letter, sort and columns under a "
                "name, for you or the whole team"),
        Binding("slash", "focus_search", "Search", id="search", show=False,
                tooltip="Search company names, domains, mail hosts and DMARC, or filter on "
                "any column (sector:fin -status:customer users:>=500)"),
        Binding("s", "next_sort", "Sort", id="sort", tooltip="Sort by the next column"),
        Binding("r", "reverse_sort", "Reverse", id="reverse-sort",
                tooltip="Reverse the sort order (A to Z, Z to A)"),
        Binding("c", "columns", "Columns", id="columns",
                tooltip="Columns: show, hide and reorder the list's columns"),
        Binding("x", "export", "Export", id="export",
                tooltip="Export the prospects shown to CSV, XLSX or JSON"),
        Binding("d", "delete", "Delete", id="delete",
                tooltip="Delete the selected prospect (asks first)"),
        Binding("h", "history", "History", id="history", show=False,
                tooltip="History: who changed the selected prospect, what and when"),
        Binding("escape", "clear_filters", "Clear filters", id="clear-filters", show=False,
                tooltip="Clear filters: the search and the letter"),
    ]
    KEY_NOTES = (
        "Letters bar: All, A to Z, and Other (names that start with a digit, a symbol or another script).",
        "Enter on a row opens it; click a column heading to sort by it.",
    )

    def __init__(self, store: Store, *, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.store = store
        self.poll_seconds = poll_seconds
        self.prospects = self._load()
        self.search_text = ""  # the last search or filter that could be read
        self._where: Filter = parse_filter("")
        self._filter_problem: str | None = None  # what is wrong with the text in #search
        self.letter = "all"
        self._debounce: Timer | None = None
        self._polling: Worker[None] | None = None
        # One poll at a time, shown in the order polled: each answer is what changed
        # since the one before, so none may be skipped or shown out of turn.
        self._poll_lock = threading.Lock()
        self._own_columns = read_columns()  # the user's choice, saved on this machine
        self._view: View | None = None  # the saved view last shown
        self.known_views: list[View] | None = None  # as the last poll read them

    def _user_names(self) -> dict[int, str]:
        return {u.id: u.name for u in self.store.users() if u.id is not None}

    def _load(self) -> ProspectList:
        # The records live as long as the list: keep the collector from rescanning
        # a million long-lived objects while building it and on every later burst.
        with collector_paused(freeze=True):
            prospects = ProspectList(self.store.prospect_rows(), self._user_names())
            if hasattr(self, "prospects"):
                prospects.sort(self.prospects.sort_key, self.prospects.descending)
        return prospects

    def compose(self) -> ComposeResult:
        yield Header()
        yield StorageBanner()
        with Horizontal(id="search-bar"):
            yield PlainInput(placeholder="Search, or filter like sector:fin -status:customer",
                             suggester=FilterSuggester(self._filter_values), id="search")
            yield Button("Go", id="go", compact=True)
        yield LetterBar(id="letters")
        yield ProspectTable(table_columns(self._own_columns.keys), self._cell, id="prospects")
        new_file = f"Started a new, empty database at {self.store.location}. "
        hint = new_file + FIRST_RUN_HINT if self.store.created_new else FIRST_RUN_HINT
        yield Static(plain(hint), id="first-run")
        yield Static(id="status-line")
        yield KeyFooter(columns=7)

    def _filter_values(self) -> dict[str, Iterable[str]]:
        """The values the search box completes a filter's field with."""
        return known_values(self.store.catalog, self.prospects.user_names.values())

    def _cell(self, row: int, key: str) -> str:
        return self.prospects.cell(row, key)

    def on_mount(self) -> None:
        if self._own_columns.problem:
            self.notify(plain_line(self._own_columns.problem, 300), markup=False,
                        title="Columns file ignored", severity="warning")
        self.apply_filters()
        self.query_one(ProspectTable).focus()
        self.set_interval(self.poll_seconds, self._poll_file)
        self.call_after_refresh(self._prepare_sorts, self.prospects)

    @work(thread=True, exclusive=True, group="prepare-sorts", exit_on_error=False)
    def _prepare_sorts(self, prospects: ProspectList) -> None:
        """After the first paint, lay out the search in the shown order, then work out
        every column's order so that a sort is instant."""
        prospects.prepare_search()
        prospects.prepare_sorts()

    @work(thread=True, exclusive=True, group="prepare-search", exit_on_error=False)
    def _prepare_search(self, prospects: ProspectList) -> None:
        """After a sort, lay out the search in the new order (a keystroke scans it in order)."""
        prospects.prepare_search()

    # -- showing ---------------------------------------------------------------

    def apply_filters(self, *, keep_cursor: bool = True, cursor_index: int | None = None) -> None:
        """Show the rows matching the search and letter, in the current sort (the cursor
        on `cursor_index` if given and shown, else on the row it was on)."""
        table = self.query_one(ProspectTable)
        rows = self.prospects.matching(self._where, self.letter)
        table.set_sort(self.prospects.sort_key, self.prospects.descending)
        table.show(rows, keep_cursor=keep_cursor, cursor_index=cursor_index)
        counts = self.prospects.letter_counts(self._where)
        self.query_one(LetterBar).set_counts(counts, sum(counts.values()))
        self._update_status(len(rows))

    def _update_status(self, shown: int) -> None:
        total = len(self.prospects)
        if self._filter_problem is not None:  # the rows are the last good filter's
            self.query_one("#status-line", Static).update(
                plain(f"Filter not applied: {self._filter_problem}"), layout=False)
            return
        label = COLUMNS.get(self.prospects.sort_key, self.prospects.sort_key)
        self.query_one("#status-line", Static).update(plain(list_status(
            shown, total, self.letter, label, self.prospects.descending, self._view_shown())),
            layout=False)
        self.query_one("#first-run", Static).display = total == 0
        self.query_one(ProspectTable).display = total > 0

    def reload(self, prospects: ProspectList, focus_id: int | None = None) -> None:
        """Show a list built afresh, keeping the cursor on the same prospect (or on
        focus_id), the sort, search and letter."""
        table = self.query_one(ProspectTable)
        current = table.cursor_index
        current_id = self.prospects.ids[current] if current is not None else None
        if focus_id is not None:
            current_id = focus_id
        self.prospects = prospects
        self.apply_filters(keep_cursor=False)
        self._prepare_sorts(self.prospects)
        row = self.prospects.row_of(current_id) if current_id is not None else None
        if row is not None:
            table.move_cursor_to_index(row)

    # -- live refresh ------------------------------------------------------------

    def show_changes(self, changes: Changes, user_names: Mapping[int, str] | None = None,
                     focus_id: int | None = None) -> None:
        """Show polled changes in the list as it is (rows change in place, see
        ProspectList.apply), keeping the cursor on the same prospect (or on focus_id),
        the sort, search and letter."""
        table = self.query_one(ProspectTable)
        cursor = table.cursor_index  # before apply moves rows under it
        if changes:
            self.prospects.apply(changes, user_names)
        if focus_id is not None:
            cursor = self.prospects.row_of(focus_id)
        self.apply_filters(cursor_index=cursor)
        # Lay the search out again in the new order, and work out any order a renamed
        # lead dropped, in a thread started after the repaint (not competing with it).
        self.call_after_refresh(self._prepare_sorts, self.prospects)

    def _poll_file(self) -> None:
        # A poll still running (a re-read of a changed file at 100k takes a good part of
        # the interval) is not queued behind.
        if self._polling is None or not self._polling.is_running:
            self._polling = self._reload_in_background()

    @work(thread=True, group="reload", exit_on_error=False)
    def _reload_in_background(self, focus_id: int | None = None) -> None:
        """Ask the store what changed (here or in another session) and show it: in
        place, or by a list built here afresh when too much changed.

        A deleted, replaced or damaged file, or a lost server, raises the banner (the
        list keeps what it showed); the next poll that reads cleanly lowers it again.
        """
        with self._poll_lock:
            try:
                changes = self.store.poll()
                rebuild = bool(changes) and not ProspectList.can_apply(changes)
                prospects = self._load() if rebuild else None
                user_names = self._user_names() if changes.users and not rebuild else None
                if changes.views or changes.everything or self.known_views is None:
                    # The palette lists them without reading on the event loop; one
                    # reference replaced whole, so a reader sees the old list or the new.
                    self.known_views = self.store.views()
            except StorageError as error:
                self.app.call_from_thread(report_storage_problem, self, error)
                return
            self.app.call_from_thread(report_storage_problem, self, None)
            if changes:
                self.app.call_from_thread(show_in_open_history, self.app, changes)
            if prospects is not None:
                self.app.call_from_thread(self.reload, prospects, focus_id)
            elif changes or focus_id is not None:
                self.app.call_from_thread(self.show_changes, changes, user_names, focus_id)

    # -- search and letters --------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(SEARCH_DEBOUNCE, lambda: self._search_now(event.value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._search_now(event.value, submitted=True)
        if self._filter_problem is None:
            self.query_one(ProspectTable).focus()

    @on(Button.Pressed, "#go")
    def _go(self) -> None:
        self._search_now(self.query_one("#search", Input).value, submitted=True)

    def _search_now(self, text: str, *, submitted: bool = False) -> None:
        """Show the rows for a search or filter; a filter that cannot be read says why in
        the status line (and, when submitted, in a notice) and the rows stay as they were."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        try:
            where = parse_filter(text)
        except FilterError as error:
            self._filter_problem = str(error)
            self._update_status(self.query_one(ProspectTable).row_count)
            if submitted:
                self.notify(plain_line(error), markup=False, title="Filter not applied",
                            severity="warning")
            return
        if text != self.search_text or self._filter_problem is not None:
            self.search_text, self._where, self._filter_problem = text, where, None
            self.apply_filters()

    @on(LetterBar.Changed)
    def _letter_changed(self, event: LetterBar.Changed) -> None:
        self.letter = event.letter
        self.apply_filters()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and search.value:
            search.value = ""
        self.search_text, self.letter = "", "all"
        self._where, self._filter_problem = parse_filter(""), None
        search.value = ""
        self.query_one(LetterBar).selected = "all"
        self.apply_filters()
        self.query_one(ProspectTable).focus()

    # -- sorting -----------------------------------------------------------------

    @on(ProspectTable.HeaderClicked)
    def _header_clicked(self, event: ProspectTable.HeaderClicked) -> None:
        same = event.column_key == self.prospects.sort_key
        self.sort_by(event.column_key, descending=same and not self.prospects.descending)

    def sort_by(self, key: str, descending: bool = False) -> None:
        """Sort the list by a column; the table's header shows an arrow on it.

        An order not worked out yet is, for a big list, worked out in a thread (a
        100k-row sort takes longer than a frame), so the screen never freezes."""
        if len(self.prospects) < THREADED_SORT_ROWS or self.prospects.has_order(key, descending):
            self._show_sorted(self.prospects, key, descending)
        else:
            self._sort_in_thread(self.prospects, key, descending)

    @work(thread=True, exclusive=True, group="sort", exit_on_error=False)
    def _sort_in_thread(self, prospects: ProspectList, key: str, descending: bool) -> None:
        prospects.prepare_order(key, descending)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_sorted, prospects, key, descending)

    def _show_sorted(self, prospects: ProspectList, key: str, descending: bool) -> None:
        if prospects is not self.prospects:
            return  # reloaded meanwhile: the fresh list keeps the sort it had
        prospects.sort(key, descending)
        self.apply_filters()
        self.call_after_refresh(self._prepare_search, prospects)  # not before the repaint

    def action_next_sort(self) -> None:
        """Sort by the next column shown (the palette sorts by any, shown or not)."""
        shown = [column.key for column in self.query_one(ProspectTable).columns]
        key = self.prospects.sort_key
        self.sort_by(shown[(shown.index(key) + 1) % len(shown) if key in shown else 0])

    def action_reverse_sort(self) -> None:
        self.sort_by(self.prospects.sort_key, not self.prospects.descending)

    def show_letter(self, letter: str) -> None:
        """Show only the prospects under one letter of the bar ('all', 'a'..'z', 'other')."""
        self.letter = letter
        self.query_one(LetterBar).selected = letter
        self.apply_filters()

    def show_latest(self, _result: object = None, *, focus_id: int | None = None) -> None:
        """Show what was saved elsewhere (another screen, another session), if anything.

        The poll runs in a thread, after any poll still running; the list updates when
        it is done."""
        self._polling = self._reload_in_background(focus_id)

    # -- saved views -------------------------------------------------------------

    def current_view(self) -> View:
        """The list as it is (filter, letter, sort, columns), as a view without a name yet."""
        columns = [column.key for column in self.query_one(ProspectTable).columns]
        shown = self._view
        return View(name=shown.name if shown else "", shared=shown.shared if shown else False,
                    filter=self.search_text, letter=self.letter, sort=self.prospects.sort_key,
                    descending=self.prospects.descending,
                    columns=[] if columns == self._own_column_keys() else columns)

    def _own_column_keys(self) -> list[str]:
        return [column.key for column in table_columns(self._own_columns.keys)]

    def show_view(self, view: View) -> None:
        """Show the list as a saved view says: its filter, letter, sort and columns."""
        self._view = view
        self.query_one("#search", Input).value = view.filter
        self._search_now(view.filter)
        self.letter = view.letter
        self.query_one(LetterBar).selected = view.letter
        self.show_columns(view.columns)
        self.sort_by(view.sort, view.descending)
        self.apply_filters()

    def _view_shown(self) -> str | None:
        """The name of the view shown, while the list is still as that view says."""
        view = self._view
        if view is None or (view.filter, view.letter, view.sort, view.descending) != (
                self.search_text, self.letter, self.prospects.sort_key, self.prospects.descending):
            return None
        return view.name

    # -- columns -----------------------------------------------------------------

    def show_columns(self, keys: Sequence[str]) -> None:
        """Show these columns in this order (a saved view's), without saving them as the
        user's; an empty list shows the user's own columns again."""
        self.query_one(ProspectTable).set_columns(table_columns(keys or self._own_columns.keys))
