"""A bar of A-Z filters with the number of prospects under each letter.

All 28 choices (All, A-Z, Other) must be visible and clickable at 80 columns,
counts included, in at most two lines. A letter is bold and its count dim
("A12k"); a letter with no prospects shows no count and is dimmed, so no "A0"
reads like a cell reference. Two rows of 14 (All, A-M / N-Z, Other) take 78
cells, so that is the narrow layout; a terminal wide enough for one row gets
one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from store import listing
from store.text import quoted
from tui.widgets.plain import plain_later

LETTERS: tuple[str, ...] = ("all", *listing.LETTERS)
PER_ROW = 14  # two rows: All, A-M / N-Z, Other
# Fixed widths ("A12k", "All 100k", "Other 12k"), so a new count needs no relayout.
ITEM_WIDTH, ALL_WIDTH, OTHER_WIDTH = 4, 8, 9
ONE_LINE_WIDTH = ALL_WIDTH + OTHER_WIDTH + (len(LETTERS) - 2) * ITEM_WIDTH + len(LETTERS) - 1
OTHER_MEANING = "Other: names not starting with A-Z"
LABEL, DIM = Style(bold=True), Style(dim=True)  # a letter; its count, or an empty letter


def list_status(shown: int, total: int, letter: str, sort_label: str, descending: bool,
                view: str | None = None) -> str:
    """The list's status line: how many rows show, under which view, letter and sort."""
    parts = [f"{shown:,} of {total:,} prospects"]
    if view is not None:
        parts.insert(0, f"view {quoted(view, 40)}")
    if letter == "other":
        parts.append(OTHER_MEANING)
    elif letter != "all":
        parts.append(f"names starting with {letter.upper()}")
    parts.append(f"sorted by {sort_label}, {'Z to A' if descending else 'A to Z'}")
    return " · ".join(parts)


def letter_label(letter: str) -> str:
    """Return what the bar shows for a letter key: 'All', 'A'..'Z' or 'Other'."""
    return {"all": "All", "other": "Other"}.get(letter, letter.upper())


def short_count(count: int) -> str:
    """Return a count in at most four characters: 999, 12k, 100k, 2M."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count // 1_000_000}M"


class LetterBarItem(Widget):
    """One choice of the bar; not focusable, so that the bar is one tab stop.

    Painted with the line API from a label and a count, so that the 28 new counts
    of a search keystroke cost little, and an item whose text did not change
    (most of them at 100k, where counts read "4k") is not repainted at all.
    """

    def __init__(self, letter: str) -> None:
        super().__init__(id=f"letter-{letter}")
        self.letter = letter
        self.letter_text = letter_label(letter)
        self.count: int | None = None
        self.count_text = ""
        self.cell_width = {"all": ALL_WIDTH, "other": OTHER_WIDTH}.get(letter, ITEM_WIDTH)
        # Worked out when shown: setting 28 tooltips per search keystroke was 1.4 ms at 1k rows.
        self.tooltip = plain_later(self.describe)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.cell_width  # fixed, whatever the count: a new count needs no relayout

    def set_count(self, count: int) -> None:
        """Show this count: a zero shows no number and dims the label."""
        if count == self.count:
            return
        was_empty, self.count = self.count == 0, count
        text = short_count(count) if count else ""
        if text != self.count_text or was_empty != (count == 0):
            self.count_text = text
            self.refresh()

    def describe(self) -> str:
        """The tooltip: 'A (1,234 prospects)', 'Other: names not starting with A-Z (no prospects)'."""
        count = self.count or 0
        what = f"{count:,} prospect{'' if count == 1 else 's'}" if count else "no prospects"
        meaning = OTHER_MEANING if self.letter == "other" else self.letter_text
        return f"{meaning} ({what})"

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        if not self.count_text:
            label = Segment(self.letter_text, base + (DIM if self.count == 0 else LABEL))
            return Strip([label]).extend_cell_length(self.size.width, base)
        gap = " " if len(self.letter_text) > 1 else ""
        segments = [Segment(self.letter_text, base + LABEL), Segment(gap + self.count_text, base + DIM)]
        return Strip(segments).extend_cell_length(self.size.width, base)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        if isinstance(self.parent, LetterBar):
            self.parent.pick(self.letter)


class LetterBar(Widget, can_focus=True):
    """Filter by first letter: All, A-Z and Other (digits, symbols, other scripts), with counts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "pick", "Pick letter", id="letter_bar.pick"),
        Binding("left", "move(-1)", "Previous letter", show=False, id="letter_bar.previous"),
        Binding("right", "move(1)", "Next letter", show=False, id="letter_bar.next"),
        Binding("up", "move_row(-1)", "Row above", show=False, id="letter_bar.row_above"),
        Binding("down", "move_row(1)", "Row below", show=False, id="letter_bar.row_below"),
        Binding("home", "move_to(0)", "All", show=False, id="letter_bar.first"),
        Binding("end", "move_to(-1)", "Other", show=False, id="letter_bar.last"),
    ]

    DEFAULT_CSS = """
    LetterBar {
        layout: grid;
        grid-size: 14 2;
        grid-columns: auto;
        grid-gutter: 0 1;
        width: 1fr;
        height: 2;
        &.-one-line {
            grid-size: 28 1;
            height: 1;
        }
        & > LetterBarItem {
            width: auto;  /* its cell_width */
            height: 1;
        }
        & > LetterBarItem:hover {
            background: $block-hover-background;
        }
        /* Selected and highlighted differ by reverse and underline, not colour
           alone, so they stay clear under NO_COLOR. */
        & > LetterBarItem.-selected {
            text-style: bold reverse;
        }
        &:focus > LetterBarItem.-highlight {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold underline;
        }
        &:focus > LetterBarItem.-highlight.-selected {
            text-style: bold reverse underline;
        }
    }
    """

    selected: reactive[str] = reactive("all", init=False)
    """The letter filtering the list: "all", "a".."z" or "other"."""

    class Changed(Message):
        """The user picked a letter (click, or Enter/space on the highlighted one)."""

        def __init__(self, letter_bar: LetterBar, letter: str) -> None:
            super().__init__()
            self.letter_bar = letter_bar
            self.letter = letter

        @property
        def control(self) -> LetterBar:
            return self.letter_bar

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._items = [LetterBarItem(letter) for letter in LETTERS]
        self._highlight = 0

    def compose(self) -> ComposeResult:
        yield from self._items

    def on_mount(self) -> None:
        self._mark()

    @property
    def highlighted(self) -> str:
        """The letter the keyboard is on (picked with Enter or space)."""
        return LETTERS[self._highlight]

    def set_counts(self, counts: Mapping[str, int], total: int) -> None:
        """Show how many prospects each letter holds; "all" shows total."""
        for item in self._items:
            item.set_count(total if item.letter == "all" else counts.get(item.letter, 0))

    def pick(self, letter: str) -> None:
        """Select a letter as the user would, posting Changed."""
        self.selected = letter
        self.post_message(self.Changed(self, letter))

    def validate_selected(self, letter: str) -> str:
        if letter not in LETTERS:
            raise ValueError(f"unknown letter {letter!r}")
        return letter

    def watch_selected(self, letter: str) -> None:
        self._highlight = LETTERS.index(letter)
        self._mark()

    def _mark(self) -> None:
        for position, item in enumerate(self._items):
            item.set_class(item.letter == self.selected, "-selected")
            item.set_class(position == self._highlight, "-highlight")

    def on_resize(self) -> None:
        self._fit_rows()

    def _fit_rows(self) -> None:
        self.set_class(self.size.width >= ONE_LINE_WIDTH, "-one-line")

    def action_move(self, step: int) -> None:
        self.action_move_to(max(0, min(self._highlight + step, len(LETTERS) - 1)))

    def action_move_row(self, step: int) -> None:
        if not self.has_class("-one-line"):
            self.action_move(step * PER_ROW)

    def action_move_to(self, position: int) -> None:
        self._highlight = position % len(LETTERS)
        self._mark()

    def action_pick(self) -> None:
        self.pick(self.highlighted)
