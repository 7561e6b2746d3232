"""Which table columns fit a terminal width, and cell text cut to fit a column.

Kept apart from the widget so the layout rules can be read and tested without
running an app. Widths are in terminal cells, measured by rich as Textual does,
so wide CJK characters and emoji never push a row past its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from store.text import ELLIPSIS, clean_for_display

GAP = 1  # blank cells before each column, so neighbouring cells never touch


@dataclass(frozen=True)
class Column:
    """A column of the table: which field it shows, its label and how much room it wants."""

    key: str
    label: str
    width: int
    min_width: int = 6
    priority: int = 0  # lower is more important: kept longest when the terminal is narrow


def fit_cell(text: str, width: int) -> str:
    """Return text made safe to show and exactly `width` cells wide, cut with an ellipsis."""
    if width <= 0:
        return ""
    text = clean_for_display(text)
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    # set_cell_size pads half of a split wide character with a space, so the
    # result is exact even for CJK and emoji.
    return set_cell_size(text, width - 1) + ELLIPSIS


def fit_columns(
    columns: Sequence[Column], width: int, *, keep: str | None = None, skip: int = 0
) -> list[tuple[Column, int]]:
    """Choose the columns that fit in `width` cells and their widths, in display order.

    Columns are taken most important first at their preferred width; the first one
    that does not fit is squeezed into the space left if its min_width allows, and
    it and every less important column are dropped otherwise. The last column shown
    takes any cells left over.

    `skip` scrolls sideways: the most important column stays, and the first `skip`
    of the others (in display order) are left out. The column keyed `keep` (the
    sorted one) is always shown: if it would be dropped, it takes the place of the
    least important columns it needs the room of.
    """
    if width <= 0 or not columns:
        return []
    ranked = sorted(range(len(columns)), key=lambda i: (columns[i].priority, i))
    others = [i for i in range(len(columns)) if i != ranked[0]]
    kept = next((i for i, column in enumerate(columns) if column.key == keep), None)
    hidden = set(others[:skip]) - {kept}
    ranked = [i for i in ranked if i not in hidden]
    chosen = _fit(columns, ranked, width)
    if kept is not None and kept not in chosen:
        rest = [i for i in ranked if i != kept]
        for place in range(len(chosen) - 1, 0, -1):
            chosen = _fit(columns, [*rest[:place], kept, *rest[place:]], width)
            if kept in chosen:
                break
    return [(columns[i], chosen[i]) for i in sorted(chosen)]


def _fit(columns: Sequence[Column], ranked: Sequence[int], width: int) -> dict[int, int]:
    """Widths of the columns that fit, taken in `ranked` order (see fit_columns)."""
    chosen: dict[int, int] = {}
    used = 0
    for i in ranked:
        column = columns[i]
        room = width - used - GAP
        if column.width <= room:
            chosen[i] = column.width
            used += column.width + GAP
        elif column.min_width <= room:
            chosen[i] = room
            used = width
        else:
            break
    if not chosen:
        # Even the most important column is wider than the terminal: show it cut.
        chosen[ranked[0]] = max(width - GAP, 1)
        used = width
    chosen[max(chosen)] += width - used
    return chosen
