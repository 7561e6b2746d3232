"""A virtual table of prospects that renders only the rows on screen.

Textual's DataTable builds every cell up front (15.8 s to show 100k rows, 14 s
to rebuild for a search). This table keeps only a list of row indexes into the
caller's data and asks for cell text when a line is painted, so showing,
sorting and filtering cost the same at 100k rows as at 100.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.table_columns import GAP, Column, fit_cell, fit_columns

SORT_MARKS = {False: "▲", True: "▼"}
SCROLL_MARKS = ("◂", "▸")  # more columns to the left, to the right

__all__ = ["Column", "ProspectTable", "TableMessage"]


class TableMessage(Message):
    """Base of the table's messages: `control` lets `@on(..., "#prospects")` match."""

    def __init__(self, table: ProspectTable) -> None:
        super().__init__()
        self.table = table

    @property
    def control(self) -> ProspectTable:
        return self.table


class ProspectTable(ScrollView, can_focus=True):
    """A table over `cell(row_index, column_key)` that paints only the visible rows.

    `show(order)` sets which row indexes appear and in what order; line 0 is a
    fixed header and display position p is painted on line p + 1 - scroll_y.
    """

    ALLOW_SELECT = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "activate", "Open", id="prospect_table.activate", show=False),
        Binding("up", "cursor_up", "Up", show=False, id="prospect_table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="prospect_table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="prospect_table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="prospect_table.page_down"),
        Binding("home,ctrl+home", "first", "First row", show=False, id="prospect_table.first"),
        Binding("end,ctrl+end", "last", "Last row", show=False, id="prospect_table.last"),
        Binding("left", "scroll_columns(-1)", "Columns left", show=False,
                id="prospect_table.columns_left"),
        Binding("right", "scroll_columns(1)", "Columns right", show=False,
                id="prospect_table.columns_right"),
    ]

    COMPONENT_CLASSES = {
        "prospect-table--header",
        "prospect-table--header-sorted",
        "prospect-table--even-row",
        "prospect-table--cursor",
    }

    DEFAULT_CSS = """
    ProspectTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .prospect-table--header {
            background: $panel;
            color: $foreground;
            text-style: bold;
        }
        & > .prospect-table--header-sorted {
            background: $panel;
            color: $accent;
            text-style: bold;
        }
        & > .prospect-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .prospect-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .prospect-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:dark > .prospect-table--even-row {
            background: $surface-darken-1 40%;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, init=False)
    """Position of the cursor in the shown order (not a row index of the caller's data)."""

    class HeaderClicked(TableMessage):
        """A header cell was clicked; the caller decides how to sort."""

        def __init__(self, table: ProspectTable, column_key: str) -> None:
            super().__init__(table)
            self.column_key = column_key

    class RowActivated(TableMessage):
        """Enter, a click on the cursor row or a double click on a row."""

        def __init__(self, table: ProspectTable, row_index: int) -> None:
            super().__init__(table)
            self.row_index = row_index

    class CursorMoved(TableMessage):
        """The row under the cursor changed (None when the table is empty)."""

        def __init__(self, table: ProspectTable, row_index: int | None) -> None:
            super().__init__(table)
            self.row_index = row_index

    def __init__(
        self,
        columns: Sequence[Column],
        cell: Callable[[int, str], str],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._columns = tuple(columns)
        self._cell = cell
        self._order: Sequence[int] = ()
        self._layout_key: tuple[int, str | None, int] | None = None
        self._layout: list[tuple[Column, int]] = []
        self.column_skip = 0
        """How far the columns are scrolled sideways: the most important one stays,
        and this many of the others (in display order) are left out."""
        self._posted_index: int | None = None
        self._click_moved_cursor = False
        self.sort_key: str | None = None
        self.sort_descending = False

    # -- public API -------------------------------------------------------

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns to show, in display order (those the width leaves no room for are not)."""
        return self._columns

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show these columns, in this order; the rows stay as they are, only repainted.

        The sorted column need not be among them: the rows keep its order, unmarked.
        """
        chosen = tuple(columns)
        if chosen != self._columns:
            self._columns = chosen
            self._layout_key = None
            self.column_skip = min(self.column_skip, max(len(chosen) - 1, 0))
            self.refresh()

    @property
    def row_count(self) -> int:
        """How many rows are shown now."""
        return len(self._order)

    @property
    def cursor_index(self) -> int | None:
        """The caller's row index under the cursor, or None when the table is empty."""
        if not self._order:
            return None
        return self._order[self.cursor_row]

    def show(self, order: Sequence[int], *, keep_cursor: bool = True,
             cursor_index: int | None = None) -> None:
        """Show these row indexes, in this order; only the visible rows are then painted.

        The sequence is kept, not copied: pass a new one, or, after changing the shown
        one in place, the row index the cursor was on as `cursor_index`.
        With keep_cursor the cursor stays on the same row index if it is still shown
        (one `index()` scan), else it keeps its position, clamped to the new length.
        """
        previous = self.cursor_index if cursor_index is None else cursor_index
        self._order = order
        position = 0
        if keep_cursor and previous is not None:
            try:
                position = order.index(previous)  # one C-speed scan, only on a new order
            except ValueError:
                position = min(self.cursor_row, max(len(order) - 1, 0))
        # Only the scrollbars depend on the row count, never the table's own size:
        # skip the whole-screen relayout a virtual_size change asks for. PRIVATE API:
        # Widget._scroll_update (textual 8.2.8, pinned) is the only way to update the
        # scrollbars without it. The public ways (assigning virtual_size, or
        # refresh(layout=True)) reflow the whole screen: measured at +8 ms CPU on a
        # 15 ms search keystroke at 1k rows. The scrollbar refresh still relayouts
        # when the scrollbars appear or go.
        virtual = Size(0, len(order) + 1)
        if virtual != self.virtual_size:
            self.set_reactive(ProspectTable.virtual_size, virtual)
            self._scroll_update(virtual)
        self.set_reactive(ProspectTable.cursor_row, position)
        if not keep_cursor and self.is_mounted:
            self.scroll_to(y=0, animate=False)
        self._scroll_cursor_into_view()
        self.refresh()
        self._post_cursor_moved()

    def move_cursor_to_index(self, row_index: int) -> None:
        """Put the cursor on this row index of the caller's data, if it is shown."""
        with suppress(ValueError):
            self.cursor_row = self._order.index(row_index)

    def set_sort(self, key: str | None, descending: bool) -> None:
        """Mark the column the caller sorted by (the header shows ▲ or ▼ after its label)."""
        if key != self.sort_key:
            self.sort_key = key
            self.sort_descending = descending
            self.refresh()  # a shown sorted column is never dropped: the columns may change
        elif descending != self.sort_descending:
            self.sort_descending = descending
            self.refresh(Region(0, 0, self.size.width, 1))

    # -- cursor -----------------------------------------------------------

    @property
    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self._order) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_cursor_into_view()
        self._post_cursor_moved()

    def _post_cursor_moved(self) -> None:
        index = self.cursor_index
        if index != self._posted_index:
            self._posted_index = index
            self.post_message(self.CursorMoved(self, index))

    def _scroll_cursor_into_view(self) -> None:
        if not self.is_mounted:
            return  # scrolling needs the app; the first resize brings the cursor into view
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + self._body_height:
            self.scroll_to(y=self.cursor_row - self._body_height + 1, animate=False)

    def on_resize(self) -> None:
        self._scroll_cursor_into_view()

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        # Scroll and cursor move together so the cursor keeps its place on screen.
        self.scroll_to(y=self.scroll_y - self._body_height, animate=False)
        self.cursor_row -= self._body_height

    def action_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + self._body_height, animate=False)
        self.cursor_row += self._body_height

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self._order) - 1

    def action_scroll_columns(self, step: int) -> None:
        """Scroll the columns sideways: show the ones hidden to the right (step 1) or left (-1)."""
        if step > 0 and not self._more_on_right():
            return
        skip = max(0, min(self.column_skip + step, len(self._columns) - 1))
        if skip != self.column_skip:
            self.column_skip = skip
            self.refresh()

    def _more_on_right(self) -> bool:
        """Whether a column is hidden on the right, or the last one is cut while a step
        right would give it more room."""
        layout = self._fitted(self.scrollable_content_region.width)
        if not layout:
            return False
        column, width = layout[-1]
        return column is not self._columns[-1] or (width < column.width and len(layout) > 2)

    def on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        event.stop()
        self.action_scroll_columns(1)

    def on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        event.stop()
        self.action_scroll_columns(-1)

    def action_activate(self) -> None:
        index = self.cursor_index
        if index is not None:
            self.post_message(self.RowActivated(self, index))

    # -- mouse ------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            key = self._column_at(offset.x)
            if key is not None:
                self.post_message(self.HeaderClicked(self, key))
            return
        position = self.scroll_offset.y + offset.y - 1
        if position >= len(self._order):
            return
        if position != self.cursor_row:
            self.cursor_row = position
            self._click_moved_cursor = True
            return
        # A click on the cursor row opens it; so does the second click of a
        # double click whose first click moved the cursor there, but a double
        # click on the cursor row opens it only once.
        if event.chain == 1 or self._click_moved_cursor:
            self.action_activate()
        self._click_moved_cursor = False

    def _column_at(self, x: int) -> str | None:
        left = 0
        for column, width in self._fitted(self.scrollable_content_region.width):
            left += GAP + width
            if x < left:
                return column.key
        return None

    # -- rendering --------------------------------------------------------

    def _fitted(self, width: int) -> list[tuple[Column, int]]:
        key = (width, self.sort_key, self.column_skip)
        if key != self._layout_key:
            self._layout = fit_columns(self._columns, width, keep=self.sort_key,
                                       skip=self.column_skip)
            self._layout_key = key
        return self._layout

    def render_line(self, y: int) -> Strip:
        """Paint screen line y: the header on line 0, else one row from the shown order."""
        width = self.scrollable_content_region.width
        layout = self._fitted(width)
        if y == 0:
            return self._header_strip(layout, width)
        position = self.scroll_offset.y + y - 1
        if position >= len(self._order):
            return Strip.blank(width, self.rich_style)
        if position == self.cursor_row:
            style = self.get_component_rich_style("prospect-table--cursor")
        elif position % 2:
            style = self.get_component_rich_style("prospect-table--even-row")
        else:
            style = self.rich_style
        row_index = self._order[position]
        gap = " " * GAP
        segments = [
            Segment(gap + fit_cell(self._cell(row_index, column.key), cell_width), style)
            for column, cell_width in layout
        ]
        return Strip(segments).extend_cell_length(width, style).crop(0, width)

    def _header_strip(self, layout: list[tuple[Column, int]], width: int) -> Strip:
        style = self.get_component_rich_style("prospect-table--header")
        segments: list[Segment] = []
        for column, cell_width in layout:
            text_style: Style = style
            if column.key == self.sort_key and cell_width >= 3:
                text_style = self.get_component_rich_style("prospect-table--header-sorted")
                mark = SORT_MARKS[self.sort_descending]
                text = fit_cell(column.label, cell_width - 2).rstrip() + " " + mark
                text = fit_cell(text, cell_width)
            else:
                text = fit_cell(column.label, cell_width)
            segments.append(Segment(" " * GAP, style))
            segments.append(Segment(text, text_style))
        strip = Strip(segments).extend_cell_length(width, style).crop(0, width)
        # Arrows in the header's corners say that columns are hidden that way.
        if self.column_skip and width > 1:
            strip = Strip.join([Strip([Segment(SCROLL_MARKS[0], style)]), strip.crop(1, width)])
        if self._more_on_right() and width > 1:
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment(SCROLL_MARKS[1], style)])])
        return strip
