"""User data as plain text on screen: never Rich markup, never a control sequence.

Every string built from data reaches a widget through one of these, so that
`Tom & Jerry [UK] Ltd` keeps its brackets and a stored `ESC ] 2 ; title BEL`
shows as `␛]2;title␇` instead of retitling the terminal:

- `plain(s)` for Static, Label, Button and Checkbox labels, tooltips;
  `plain_parts(s, (s, style), ...)` for styled pieces;
- `plain_cell(s)` for DataTable cells, Select and OptionList prompts;
- `plain_line(s)` where a widget takes a str: title, sub_title, border_title,
  and `notify(plain_line(...), markup=False)`;
- `PlainInput` for every editable field: the value stays exact, what is drawn
  shows each control as a symbol.

tests/test_markup_ast.py fails when a widget gets a str built from data any other way.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Input

from store.text import ELLIPSIS, clean_for_display, show_controls


def plain_line(text: object, limit: int | None = None, *, lines: bool = False) -> str:
    """Text with each control as a visible symbol, cut to `limit` with an ellipsis.

    On one line, unless `lines`: then line breaks are kept (a message of several lines).
    """
    text = str(text)
    if not lines:
        return clean_for_display(text, limit)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return "\n".join(clean_for_display(line) for line in text.split("\n"))


def plain(text: object, limit: int | None = None) -> Content:
    """Content for a Static, Label, Button or tooltip: `[UK]` stays text, ESC shows as ␛.

    Line breaks are kept (a message may have several lines); cut to `limit` characters.
    """
    return Content(plain_line(text, limit, lines=True))


def plain_parts(*parts: str | tuple[str, str]) -> Content:
    """One Content from pieces, each a str or (str, style), each made plain as `plain` does."""
    return Content.assemble(*(plain(part) if isinstance(part, str) else plain(part[0]).stylize(part[1])
                              for part in parts))


def plain_cell(text: object, limit: int | None = None, *, style: str = "") -> Text:
    """A rich Text for a DataTable cell or a Select / OptionList prompt, never read as markup."""
    return Text(plain_line(text, limit), style=style)


class _PlainLater:
    """Text worked out only when Textual renders it (anything with __rich__ renders)."""

    def __init__(self, describe: Callable[[], str]) -> None:
        self.describe = describe

    def __rich__(self) -> Content:
        return plain(self.describe())


def plain_later(describe: Callable[[], str]) -> _PlainLater:
    """A tooltip that calls `describe` when shown, not each time what it describes changes."""
    return _PlainLater(describe)


class PlainInput(Input):
    """An Input that draws each control or bidi character of its value as a visible symbol.

    `.value` stays exactly what is stored or typed, so an unedited save writes back what
    was there (and validation names the field if that is refused); only what is drawn
    changes, one symbol for one character, so cursor and selection indexes still agree.
    """

    # Textual 8.2.8 draws the value through the private `_value` property, places the
    # cursor with the private `_position_to_cell` and maps a click with the private
    # `_cell_offset_to_index`; all three are overridden to measure the shown text (a
    # raw control measures 0 cells, its symbol 1). Recheck them when upgrading Textual.
    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(show_controls(self.value), no_wrap=True, overflow="ignore", end="")
        return text if self.highlighter is None else self.highlighter(text)

    def _watch_value(self, value: str) -> None:
        # Textual's watcher sets `virtual_size` (the text's width), a reactive that lays out
        # the whole screen again on every key: about 20 ms a key in the form. The Input's
        # own size never follows its text, so the width is set first without that pass.
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    def _position_to_cell(self, position: int) -> int:
        return cell_len(show_controls(self.value[:position]))

    def _cell_offset_to_index(self, offset: int) -> int:
        offset += self.scroll_offset.x
        cells = 0
        for index, char in enumerate(show_controls(self.value)):
            width = get_character_cell_size(char)
            if cells <= offset < cells + width:
                return index
            cells += width
        return max(0, min(offset, len(self.value)))
