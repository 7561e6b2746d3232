"""A prospect's history: who changed what and when, oldest first, values verbatim as plain text."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Static

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


class HistoryModal(ReadingPanel):
    """The history of one prospect; Escape, Enter or Close closes it."""

    def __init__(self, name: str, entries: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.prospect_name, self.entries = name, entries

    @classmethod
    def of(cls, store: Store, prospect_id: int) -> HistoryModal:
        """The modal for a prospect by id; a deleted one's history still shows."""
        try:
            name = store.get_prospect(prospect_id).company_name
        except NotFoundError:
            name = f"prospect {prospect_id} (deleted)"
        return cls(name, store.history(prospect_id))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(f"History: {plain_line(self.prospect_name, 60)}"),
                         id="history-title", classes="panel-title")
            with VerticalScroll():
                text = "\n".join(line for e in self.entries for line in entry_lines(e))
                yield Static(plain(text or "No history recorded yet."), id="history-entries")
            yield Button("Close", id="history-ok")
