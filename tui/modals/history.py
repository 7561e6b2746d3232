"""A prospect's history: who changed what and when, oldest first, values verbatim as plain text."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

from store.backends.base import Changes
from store.errors import NotFoundError, StoreError
from store.rules.store import Store
from store.text import quoted
from tui.modals.reading_panel import ReadingPanel
from tui.widgets.plain import plain, plain_line

VALUE_LIMIT = 200  # characters of an old or new value shown; a 10,000-character name is cut


async def open_history(screen: Screen[Any], store: Store, prospect_id: int) -> None:
    """Read the history in a thread (a scan of a long history file), then show it."""
    try:
        modal = await asyncio.to_thread(HistoryModal.of, store, prospect_id)
    except StoreError as error:
        screen.notify(plain_line(error), markup=False, severity="error")
        return
    screen.app.push_screen(modal)


def entry_lines(entry: dict[str, Any]) -> list[str]:
    """One entry as lines: "at  who  what", then "  field: old -> new" for each change."""
    lines = [f"{plain_line(entry['at'])}  {plain_line(entry['who'], 60)}  {plain_line(entry['what'])}"]
    for name, (old, new) in entry.get("changes", {}).items():
        lines.append(f"  {plain_line(name, 40)}: {_shown(old)} -> {_shown(new)}")
    return lines


def _shown(value: object) -> str:
    return "(none)" if value is None else quoted(value, VALUE_LIMIT)


def show_in_open_history(app: App[Any], changes: Changes) -> None:
    """Changes the list's poll found: an open History panel they touch reads again."""
    for screen in app.screen_stack:
        if isinstance(screen, HistoryModal) and screen.touched_by(changes):
            screen.reread()


class HistoryModal(ReadingPanel):
    """The history of one prospect, kept up to date while open: the list's poll, which
    sees every session's saves, calls `reread` when they touch it (see
    `show_in_open_history`); Escape, Enter or Close closes it."""

    def __init__(self, name: str, entries: Sequence[dict[str, Any]], *,
                 store: Store | None = None, prospect_id: int | None = None) -> None:
        super().__init__()
        self.prospect_name, self.entries = name, list(entries)
        self.store, self.prospect_id = store, prospect_id

    @classmethod
    def of(cls, store: Store, prospect_id: int) -> HistoryModal:
        """The modal for a prospect by id; a deleted one's history still shows."""
        try:
            name = store.get_prospect(prospect_id).company_name
        except NotFoundError:
            name = f"prospect {prospect_id} (deleted)"
        return cls(name, store.history(prospect_id), store=store, prospect_id=prospect_id)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"History: {plain_line(self.prospect_name, 60)}"),
                         id="history-title", classes="panel-title")
            with VerticalScroll():
                yield Static(plain(self._text()), id="history-entries")
            yield Button("Close", id="history-ok")

    def _text(self) -> str:
        text = "\n".join(line for e in self.entries for line in entry_lines(e))
        return text or "No history recorded yet."

    def touched_by(self, changes: Changes) -> bool:
        """Whether polled changes may have added to this prospect's history."""
        return self.store is not None and (
            changes.everything or changes.orders or changes.batches
            or self.prospect_id in changes.prospects)

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def reread(self) -> None:
        """Read the history again (in a thread) and show it if it grew."""
        assert self.store is not None and self.prospect_id is not None
        try:
            entries = self.store.history(self.prospect_id)
        except StoreError:
            return  # the list's banner says the database is not answering
        if entries != self.entries:
            self.app.call_from_thread(self._show, entries)

    def _show(self, entries: list[dict[str, Any]]) -> None:
        scroll = self.query_one(VerticalScroll)
        at_end = scroll.scroll_y >= scroll.max_scroll_y
        self.entries = entries
        self.query_one("#history-entries", Static).update(plain(self._text()))
        if at_end:  # following the newest entries: keep them in sight
            scroll.call_after_refresh(scroll.scroll_end, animate=False)
