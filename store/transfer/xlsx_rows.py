"""A worksheet's cell values, row by row, parsed lean with expat.

openpyxl's read-only sheet reader builds a dict and an element per cell: 100,000
rows of 10 cells take it 3-4 times as long as this loop, which keeps only what
an upload needs: each cell's value (cached, never the formula), in the columns
asked for. The workbook around the sheet (shared strings, styles and so which
number formats are dates, the 1900/1904 epoch) still comes from openpyxl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.parsers import expat

Row = list[Any]


def _column(ref: str) -> int:
    """'B7' -> 1: a cell reference's column, counted from 0."""
    number = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            number = number * 26 + ord(ch) - 64
        else:
            break
    return number - 1


class SheetRows:
    """Rows of a sheet's XML as lists of values, numbered from 1, blank rows as [].

    `width` (changeable between rows) is how many columns a row keeps; `value_of`
    turns (type, text, style) into a value. Parsing stops after row `last`.
    """

    def __init__(self, source: IO[bytes], value_of: Callable[[str, str, int], Any],
                 width: int, last: int) -> None:
        self.source = source
        self.value_of = value_of
        self.width = width
        self.last = last
        self.number = 0  # the row being read
        self._done: list[tuple[int, Row]] = []
        self._row: Row | None = None
        self._column = -1
        self._kind = "n"
        self._style = 0
        self._value: str | None = None
        self._text: list[str] | None = None  # collecting a <v> or an inline <t>
        self._inline: list[str] | None = None
        self._phonetic = False
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        self._parser = parser

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        """(row number, values) for every row up to `last`, gaps filled with []."""
        previous = 0
        while True:
            block = self.source.read(1 << 16)
            self._parser.Parse(block, not block)
            for number, row in self._done:
                if number <= previous:
                    raise ValueError(f"row {number} comes after row {previous}")
                for missing in range(previous + 1, min(number, self.last + 1)):
                    yield missing, [None] * self.width
                if number > self.last:
                    return
                previous = number
                width = self.width  # the header's width may have been set meanwhile
                if len(row) != width:
                    row = row[:width] if len(row) > width else row + [None] * (width - len(row))
                yield number, row
            self._done.clear()
            if not block:
                return

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "c":
            ref = attrs.get("r")
            self._column = _column(ref) if ref else self._column + 1
            self._kind = attrs.get("t", "n")
            self._style = int(attrs.get("s", 0))
            self._value = None
        elif tag == "v" or (tag == "t" and self._inline is not None and not self._phonetic):
            self._text = []
        elif tag == "is":
            self._inline = []
        elif tag == "rPh":
            self._phonetic = True
        elif tag == "row":
            ref = attrs.get("r")
            self.number = int(ref) if ref else self.number + 1
            self._row = []
            self._column = -1

    def _chars(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _end(self, name: str) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "v" and self._text is not None:
            self._value = "".join(self._text)
            self._text = None
        elif tag == "t" and self._text is not None and self._inline is not None:
            self._inline.append("".join(self._text))
            self._text = None
        elif tag == "rPh":
            self._phonetic = False
        elif tag == "is" and self._inline is not None:
            self._value = "".join(self._inline)
            self._kind = "inlineStr"
            self._inline = None
        elif tag == "c":
            row = self._row
            if row is not None and 0 <= self._column < self.width and self._value is not None:
                if len(row) < self._column:
                    row.extend([None] * (self._column - len(row)))
                value = self.value_of(self._kind, self._value, self._style)
                if len(row) == self._column:
                    row.append(value)
                else:
                    row[self._column] = value
        elif tag == "row" and self._row is not None:
            self._done.append((self.number, self._row))  # padded to the width when yielded
            self._row = None
