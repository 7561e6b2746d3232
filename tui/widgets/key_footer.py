"""A Footer that wraps its keys onto a second line instead of cutting them off (and, being a
SteadyFooter, is rebuilt only when its keys change)."""

from __future__ import annotations

from textual.app import ComposeResult

from tui.widgets.steady_footer import SteadyFooter


class KeyFooter(SteadyFooter):
    """The list's many keys, `columns` a line: at 80 columns the stock Footer cut off
    Export, Delete and Quit."""

    DEFAULT_CSS = """
    KeyFooter { height: auto; max-height: 3; layout: grid; grid-columns: 1fr; }
    """

    def __init__(self, columns: int, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.columns = columns

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # Footer.compose sets one grid column per key; a fixed number lets the keys wrap.
        self.styles.grid_size_columns = self.columns
