"""Saved views: pick one, save the list as it is, rename or delete one (asking first).

A view names a filter, a letter, a sort and the visible columns; the team shares
it, or only its owner sees it. `ViewsModal` lists them and dismisses with the
view to show; saving, renaming and deleting ask in their own small modals and
go through the store's rules (store.rules.views), which judge the names.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.errors import DuplicateError, StoreError
from store.listing import COLUMNS
from store.models import View
from store.rules.store import Store
from store.text import quoted
from tui.modals.confirm import ConfirmModal
from tui.modals.view_name import ViewNameModal
from tui.widgets.plain import plain, plain_cell, plain_line

NO_VIEWS = ("No saved views yet. Set a filter, letter, sort and columns on the list, "
            "then press s here (or W on the list) to save them under a name.")


def summary(view: View) -> str:
    """What a view shows, in a few words: its filter, letter and sort."""
    parts = [f"filter {quoted(view.filter, 40)}" if view.filter else "no filter"]
    if view.letter != "all":
        parts.append(f"letter {view.letter.upper() if len(view.letter) == 1 else 'other'}")
    label = COLUMNS.get(view.sort, view.sort.replace("_", " "))
    parts.append(f"by {label}, {'Z to A' if view.descending else 'A to Z'}")
    return ", ".join(parts)


async def _run(screen: Screen[Any], action: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a store call in a thread; on a refusal say why (naming the action) and return None."""
    try:
        return await asyncio.to_thread(call, *args, **kwargs)
    except (StoreError, ValueError) as error:
        screen.notify(plain_line(f"{action}: {error}", 600), markup=False,
                      title="Saved views", severity="error")
        return None


async def save_view_as(screen: Screen[Any], store: Store, current: View) -> View | None:
    """Ask a name (and shared or not) and save the list's current filter, letter, sort
    and columns under it; a name already taken asks before replacing that view."""
    answer = await screen.app.push_screen_wait(ViewNameModal(
        "Save the list as a view: its filter, letter, sort and columns",
        name=current.name, shared=current.shared))
    if answer is None:
        return None
    name, shared = answer
    view = current.model_copy(update={"name": name, "shared": shared})
    try:
        saved: View = await asyncio.to_thread(store.save_view, view)
    except DuplicateError:
        scope = "team" if shared else "personal"
        question = f"A {scope} view named {quoted(view.name, 60)} exists. Replace it?"
        if not await screen.app.push_screen_wait(ConfirmModal(question, yes="Replace")):
            return None
        saved = await _run(screen, "Not saved", store.save_view, view, replace=True)
    except StoreError as error:
        screen.notify(plain_line(f"Not saved: {error}", 600), markup=False,
                      title="Saved views", severity="error")
        return None
    if saved is not None:
        screen.notify(plain_line(f"Saved view {quoted(saved.name, 60)}."), markup=False)
    return saved


class ViewsModal(ModalScreen[View | None]):
    """The saved views the current user sees (the team's and their own), by name.

    Enter shows the highlighted view; s saves the list as it is; r renames and
    Delete deletes the highlighted one, each asking first; Escape closes.
    """

    DEFAULT_CSS = """
    ViewsModal { align: center middle; }
    ViewsModal > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ViewsModal #views-title { margin-bottom: 1; }
    ViewsModal OptionList { height: auto; max-height: 14; }
    ViewsModal #views-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="views-close"),
        Binding("s", "save", "Save list as view", id="views-save"),
        Binding("r,f2", "rename", "Rename", id="views-rename"),
        Binding("delete,d", "delete", "Delete", id="views-delete"),
    ]

    def __init__(self, store: Store, views: list[View], current: View) -> None:
        super().__init__()
        self.store, self.views, self.current = store, views, current

    @classmethod
    def of(cls, store: Store, current: View) -> ViewsModal:
        """The modal with the views read now (call it in a thread)."""
        return cls(store, store.views(), current)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Saved views", id="views-title", markup=False)
            yield OptionList(id="views-list")
            yield Static("", id="views-empty", markup=False)
            yield Static("Enter show · s save the list as a view · r rename · Delete delete "
                         "· Esc close", id="views-keys", markup=False)

    def on_mount(self) -> None:
        self._fill()

    def _fill(self, highlight: str | None = None) -> None:
        options = self.query_one("#views-list", OptionList)
        options.clear_options()
        for index, view in enumerate(self.views):
            scope = "team" if view.shared else "mine"
            options.add_option(Option(
                plain_cell(f"{plain_line(view.name, 40)}  ({scope}) · {summary(view)}", 200),
                id=str(index)))
        empty = self.query_one("#views-empty", Static)
        empty.update(plain(NO_VIEWS if not self.views else ""))
        empty.display = not self.views
        options.display = bool(self.views)
        if self.views:
            names = [v.name for v in self.views]
            options.highlighted = names.index(highlight) if highlight in names else 0
            options.focus()

    def _highlighted(self) -> View | None:
        options = self.query_one("#views-list", OptionList)
        if not self.views or options.highlighted is None:
            return None
        return self.views[options.highlighted]

    @on(OptionList.OptionSelected, "#views-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.views[int(event.option.id or 0)])

    def action_close(self) -> None:
        """Close without changing the list."""
        self.dismiss(None)

    async def _reread(self, highlight: str | None = None) -> None:
        views = await _run(self, "Could not read the views", self.store.views)
        if views is not None:
            self.views = views
            self._fill(highlight)

    @work(exclusive=True, group="views")
    async def action_save(self) -> None:
        """Save the list's filter, letter, sort and columns under a name."""
        saved = await save_view_as(self, self.store, self.current)
        if saved is not None:
            await self._reread(saved.name)

    @work(exclusive=True, group="views")
    async def action_rename(self) -> None:
        """Rename the highlighted view (asks the new name)."""
        view = self._highlighted()
        if view is None:
            return
        answer = await self.app.push_screen_wait(ViewNameModal(
            f"Rename the view {quoted(view.name, 60)} to:", name=view.name,
            ask_shared=False, shared=view.shared, ok="Rename"))
        if answer is None or answer[0] == view.name:
            return
        renamed = await _run(self, "Not renamed", self.store.rename_view, view.name, answer[0],
                             shared=view.shared)
        if renamed is not None:
            self.notify(plain_line(f"Renamed to {quoted(renamed.name, 60)}."), markup=False)
            await self._reread(renamed.name)

    @work(exclusive=True, group="views")
    async def action_delete(self) -> None:
        """Delete the highlighted view, after asking."""
        view = self._highlighted()
        if view is None:
            return
        whose = "the team's view" if view.shared else "your view"
        if not await self.app.push_screen_wait(ConfirmModal(
                f"Delete {whose} {quoted(view.name, 60)}? Everyone it is shared with loses it."
                if view.shared else f"Delete {whose} {quoted(view.name, 60)}?", yes="Delete")):
            return
        try:
            await asyncio.to_thread(self.store.delete_view, view.name, shared=view.shared)
        except StoreError as error:
            self.notify(plain_line(f"Not deleted: {error}", 600), markup=False,
                        title="Saved views", severity="error")
            return
        self.notify(plain_line(f"Deleted the view {quoted(view.name, 60)}."), markup=False)
        await self._reread()


async def pick_view(screen: Screen[Any], store: Store, current: View) -> View | None:
    """Read the saved views in a thread, then let the user pick one (None: closed)."""
    modal = await _run(screen, "Could not read the views", ViewsModal.of, store, current)
    if modal is None:
        return None
    chosen: View | None = await screen.app.push_screen_wait(modal)
    return chosen
