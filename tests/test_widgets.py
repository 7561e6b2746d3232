"""Pilot tests for the ProspectTable, LetterBar, DateInput and TickBox widgets, on tiny apps of their own."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.style import Style
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Button, Input

from tui.widgets.date_input import DateInput
from tui.widgets.letter_bar import LETTERS, LetterBar, LetterBarItem, short_count
from tui.widgets.prospect_table import Column, ProspectTable
from tui.widgets.table_columns import fit_columns
from tui.widgets.tick_box import TickBox

BIG = 100_000
COLUMNS = [
    Column("company_name", "Company Name", 30, priority=0),
    Column("domain", "Domain", 22, priority=1),
    Column("sector", "Sector", 16, priority=3),
    Column("lead", "Implementation Lead", 20, priority=2),
    Column("status", "Status", 9, priority=4),
]
HOSTILE = [
    "[bold]x[/bold]",
    "[/]",
    "[red]x[/red]",
    "Tom & Jerry [UK] Ltd",
    "\x1b[31mred",
    "\u202eevil",
    "two\nlines",
    "👍🏽 thumbs 👨‍👩‍👧 family",
    "漢字" * 40,
    "N" * 5000,
]


class TableApp(App[None]):
    """One ProspectTable over generated rows; records the cells asked for and the messages."""

    def __init__(self, rows: int, names: list[str] | None = None) -> None:
        super().__init__()
        self.names = names or [f"Company {i:06d}" for i in range(rows)]
        self.cell_rows: list[int] = []
        self.messages: list[Message] = []

    def cell(self, row: int, key: str) -> str:
        self.cell_rows.append(row)
        return self.names[row] if key == "company_name" else f"{key}-{row}"

    def compose(self) -> ComposeResult:
        yield ProspectTable(COLUMNS, self.cell, id="prospects")

    # The selector proves the messages carry `control`, as the list screen relies on.
    @on(ProspectTable.RowActivated, "#prospects")
    @on(ProspectTable.HeaderClicked, "#prospects")
    @on(ProspectTable.CursorMoved, "#prospects")
    def record(self, message: Message) -> None:
        self.messages.append(message)


def first_style(strip: Strip) -> Style:
    style = next(iter(strip)).style
    assert style is not None
    return style


def of_type(app: TableApp, kind: type[Message]) -> list:
    return [m for m in app.messages if isinstance(m, kind)]


async def test_show_100k_rows_only_asks_for_visible_cells() -> None:
    # Speed is measured by bench/bench_list.py; this holds the reason for it: laziness.
    app = TableApp(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(range(BIG))
        await pilot.pause()
        assert table.row_count == BIG
        # 24 lines = header + 23 rows; nothing beyond the screen is asked for.
        assert app.cell_rows and max(app.cell_rows) < 23
        assert len(app.cell_rows) <= 2 * 23 * len(COLUMNS)

        app.cell_rows.clear()
        lines = [table.render_line(y) for y in range(table.size.height)]
        assert lines[1].text.strip().startswith("Company 000000")
        assert set(app.cell_rows) == set(range(23))


async def test_new_order_keeps_cursor_row_and_stays_lazy() -> None:
    app = TableApp(BIG)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(range(BIG))
        table.move_cursor_to_index(5)
        await pilot.pause()
        app.cell_rows.clear()

        table.show(list(range(BIG - 1, -1, -1)))  # a new sort: same rows, reversed
        await pilot.pause()
        assert table.cursor_index == 5
        assert table.cursor_row == BIG - 6
        assert max(app.cell_rows) < 30  # reversed: only the rows now on screen, near index 5

        table.show([7, 8, 9])  # a filter that drops the cursor row: clamp
        await pilot.pause()
        assert table.cursor_row == 2 and table.cursor_index == 9
        assert table.scroll_y == 0 and table.render_line(1).text.strip().startswith("Company 000007")

        table.show(range(100), keep_cursor=False)
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_y == 0
        assert of_type(app, ProspectTable.CursorMoved)[-1].row_index == 0


async def test_cursor_keys_at_100k_cost_what_they_cost_at_1k() -> None:
    cells_per_move = []
    for rows in (1_000, BIG):
        app = TableApp(rows)
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.query_one(ProspectTable)
            table.show(range(rows))
            table.focus()
            await pilot.pause()
            app.cell_rows.clear()
            await pilot.press("down")
            assert table.cursor_row == 1
            cells_per_move.append(len(app.cell_rows))

            await pilot.press("pagedown")
            assert table.cursor_row == 1 + 23  # header + 23 rows on 24 lines
            await pilot.press("end")
            assert table.cursor_index == rows - 1
            assert table.scroll_y == table.max_scroll_y
            assert table.render_line(23).text.strip().startswith(f"Company {rows - 1:06d}")
            await pilot.press("pageup")
            assert table.cursor_row == rows - 1 - 23
            await pilot.press("ctrl+home")
            assert table.cursor_row == 0 and table.scroll_y == 0
            await pilot.press("up")
            assert table.cursor_row == 0
    # A move repaints the two changed lines, whatever the row count.
    assert cells_per_move[0] == cells_per_move[1] <= 2 * len(COLUMNS)


async def test_enter_and_clicks_activate_the_right_row() -> None:
    app = TableApp(1_000)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(list(range(500, 1_000)))
        table.focus()
        await pilot.press("down", "down", "enter")
        activated = of_type(app, ProspectTable.RowActivated)
        assert [m.row_index for m in activated] == [502]

        await pilot.click(table, offset=(5, 5))  # line 5 = display position 4
        assert table.cursor_index == 504
        assert len(of_type(app, ProspectTable.RowActivated)) == 1
        await pilot.click(table, offset=(5, 5))  # a second click on the cursor row opens it
        assert of_type(app, ProspectTable.RowActivated)[-1].row_index == 504

        await pilot.click(table, offset=(5, 8), times=2)  # double click: opens once
        assert [m.row_index for m in of_type(app, ProspectTable.RowActivated)] == [502, 504, 507]
        assert of_type(app, ProspectTable.CursorMoved)[-1].row_index == 507


async def test_cursor_row_is_highlighted_and_dimmer_without_focus() -> None:
    app = BarApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(range(10))
        table.focus()
        await pilot.pause()
        focused = first_style(table.render_line(1))
        plain = first_style(table.render_line(2))
        app.query_one(LetterBar).focus()
        await pilot.pause()
        blurred = first_style(table.render_line(1))
        assert focused.bgcolor != plain.bgcolor and focused.bold
        assert blurred.bgcolor not in (focused.bgcolor, plain.bgcolor)


async def test_header_click_and_sort_marks() -> None:
    app = TableApp(10)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(range(10))
        await pilot.click(table, offset=(3, 0))
        await pilot.click(table, offset=(40, 0))
        keys = [m.column_key for m in of_type(app, ProspectTable.HeaderClicked)]
        assert keys == ["company_name", "domain"]
        assert table.cursor_row == 0

        table.set_sort("company_name", False)
        assert "Company Name ▲" in table.render_line(0).text
        table.set_sort("domain", True)
        header = table.render_line(0).text
        assert "Domain ▼" in header and "▲" not in header
        table.set_sort(None, False)
        assert "▲" not in table.render_line(0).text and "▼" not in table.render_line(0).text


async def test_hostile_cells_render_literally_and_fit_their_column() -> None:
    app = TableApp(len(HOSTILE), names=HOSTILE)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(range(len(HOSTILE)))
        await pilot.pause()
        width = table.scrollable_content_region.width
        company_width = dict((c.key, w) for c, w in fit_columns(COLUMNS, width))["company_name"]
        for position, name in enumerate(HOSTILE):
            strip = table.render_line(position + 1)
            assert strip.cell_length == width
            text = strip.text
            assert not any(ch in text for ch in "\x1b\u202e\n")
            company = strip.crop(1, 1 + company_width).text  # skip the gap before the cell
            assert cell_len(company) == company_width
            if cell_len(name) > company_width:
                assert company.rstrip().endswith("…")
        rendered = [table.render_line(y).text for y in range(1, len(HOSTILE) + 1)]
        for literal in ("[bold]x[/bold]", "[/]", "[red]x[/red]", "Tom & Jerry [UK] Ltd"):
            assert any(literal in line for line in rendered)
        assert "[31mred" in rendered[4] and "evil" in rendered[5] and "two lines" in rendered[6]
        assert "👍🏽 thumbs" in rendered[7]


async def test_columns_that_fit_at_80_and_refit_on_resize() -> None:
    app = TableApp(5)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show(range(5))
        await pilot.pause()
        header = table.render_line(0).text
        assert "Company Name" in header and "Domain" in header
        assert "Implementation Lead" in header
        assert "Sector" not in header and "Status" not in header  # least important go first
        assert cell_len(header) == table.scrollable_content_region.width

        await pilot.resize_terminal(140, 24)
        await pilot.pause()
        header = table.render_line(0).text
        assert all(column.label in header for column in COLUMNS)
        assert header.index("Sector") < header.index("Implementation Lead")  # display order


def test_fit_columns_squeezes_then_drops_by_priority() -> None:
    fitted = fit_columns(COLUMNS, 60)
    assert [c.key for c, _ in fitted] == ["company_name", "domain"]
    assert sum(w + 1 for _, w in fitted) == 60
    squeezed = fit_columns(COLUMNS, 62)  # 7 cells left: Implementation Lead at min width
    assert [c.key for c, _ in squeezed] == ["company_name", "domain", "lead"]
    assert fit_columns(COLUMNS, 10) == [(COLUMNS[0], 9)]


def test_fit_columns_keeps_the_sorted_column_and_scrolls_sideways() -> None:
    kept = fit_columns(COLUMNS, 60, keep="status")  # status alone would be dropped at 60
    assert [c.key for c, _ in kept] == ["company_name", "domain", "status"]
    assert dict((c.key, w) for c, w in kept)["status"] >= 9 and sum(w + 1 for _, w in kept) == 60
    skipped = fit_columns(COLUMNS, 60, skip=1)  # the first column stays, domain makes room
    assert [c.key for c, _ in skipped] == ["company_name", "sector", "lead"]
    assert [c.key for c, _ in fit_columns(COLUMNS, 60, keep="domain", skip=1)][:2] == [
        "company_name", "domain"]  # the sorted column is never scrolled away


async def test_empty_table() -> None:
    app = TableApp(0)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ProspectTable)
        table.show([])
        table.focus()
        await pilot.press("down", "end", "enter")
        assert table.row_count == 0 and table.cursor_index is None
        assert not of_type(app, ProspectTable.RowActivated)
        assert "Company Name" in table.render_line(0).text


class BarApp(App[None]):
    """A LetterBar above a focusable table, recording Changed messages."""

    def __init__(self) -> None:
        super().__init__()
        self.picked: list[str] = []

    def compose(self) -> ComposeResult:
        yield LetterBar(id="letters")
        yield ProspectTable(COLUMNS, lambda row, key: "", id="prospects")

    def on_letter_bar_changed(self, message: LetterBar.Changed) -> None:
        self.picked.append(message.letter)


async def test_letter_bar_click_marks_and_posts() -> None:
    app = BarApp()
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.query_one(LetterBar)
        bar.set_counts({"a": 1234, "b": 45_000, "z": 7}, 100_000)
        await pilot.pause()
        assert bar.outer_size.height <= 2
        for letter in LETTERS:  # every choice is on screen at 80 columns
            region = app.query_one(f"#letter-{letter}").region
            assert region.width and region.right <= 80, letter
        shown = {letter: app.query_one(f"#letter-{letter}", LetterBarItem).render_line(0)
                 for letter in LETTERS}
        assert shown["all"].text.rstrip() == "All 100k"
        assert shown["other"].text.rstrip() == "Other"  # no prospects: no "#0"
        # A letter is bold and its count dim; an empty letter shows no "C0", only a dim C.
        letter, count = list(shown["a"])[:2]
        assert (letter.text, count.text) == ("A", "1k")
        assert letter.style is not None and letter.style.bold and not letter.style.dim
        assert count.style is not None and count.style.dim
        assert shown["c"].text.rstrip() == "C" and first_style(shown["c"]).dim
        other = app.query_one("#letter-other", LetterBarItem)
        assert "Other: names not starting with A-Z" in other.tooltip.__rich__().plain
        assert app.query_one("#letter-a", LetterBarItem).tooltip.__rich__().plain == "A (1,234 prospects)"

        await pilot.click("#letter-b")
        assert app.picked == ["b"] and bar.selected == "b"
        assert app.query_one("#letter-b").has_class("-selected")
        assert not app.query_one("#letter-all").has_class("-selected")
        assert app.focused is bar
        await pilot.click("#letter-other")
        assert app.picked == ["b", "other"]


async def test_letter_bar_keyboard_is_one_tab_stop() -> None:
    app = BarApp()
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.query_one(LetterBar)
        bar.set_counts({"b": 3}, 3)
        await pilot.pause()
        assert app.focused is bar  # the first focusable widget
        await pilot.press("right", "right", "right", "left", "enter")
        assert app.picked == ["b"] and bar.selected == "b"
        await pilot.press("down", "space")  # two rows of 14 (All, A-M / N-Z, #): B is above P
        assert app.picked[-1] == "p"
        await pilot.press("end", "enter", "home", "enter")
        assert app.picked[-2:] == ["other", "all"]
        await pilot.press("tab")  # one tab stop for all 28 choices
        assert app.focused is app.query_one(ProspectTable)
        await pilot.press("shift+tab")
        assert app.focused is bar


async def test_letter_bar_goes_to_one_line_when_wide() -> None:
    app = BarApp()
    async with app.run_test(size=(200, 24)) as pilot:
        bar = app.query_one(LetterBar)
        bar.set_counts({}, 3)
        await pilot.pause()
        assert bar.outer_size.height == 1
        assert {app.query_one(f"#letter-{x}").region.y for x in LETTERS} == {bar.region.y}


def test_short_count() -> None:
    assert [short_count(n) for n in (0, 999, 1_000, 45_678, 100_000, 2_500_000)] == [
        "0",
        "999",
        "1k",
        "45k",
        "100k",
        "2M",
    ]


class DateApp(App[None]):
    """A DateInput and a button to leave it to; records what the field asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[DateInput.CalendarRequested] = []
        self.blurs: list[Input.Blurred] = []

    def compose(self) -> ComposeResult:
        yield DateInput(date(2027, 3, 15), id="when")
        yield Button("next")

    @on(DateInput.CalendarRequested, "#when")
    def record(self, message: DateInput.CalendarRequested) -> None:
        self.requests.append(message)

    @on(Input.Blurred, "#when")
    def left(self, message: Input.Blurred) -> None:
        self.blurs.append(message)


async def test_date_input_asks_its_screen_for_the_calendar_and_takes_the_pick() -> None:
    app = DateApp()
    async with app.run_test() as pilot:
        field = app.query_one(DateInput)
        field.focus()
        await pilot.press("f4")
        # The widget opens no screen itself: it asks, naming itself and the typed date.
        assert len(app.screen_stack) == 1
        [asked] = app.requests
        assert asked.control is field and asked.day == date(2027, 3, 15)
        app.query_one(Button).focus()
        field.picked(None)  # cancelled: the text stays, the field has the focus again
        await pilot.pause()
        assert field.value == "2027-03-15" and app.focused is field
        field.picked(date(2028, 2, 29))
        assert field.value == "2028-02-29" and field.cursor_position == 10


async def test_date_input_tidies_eight_digits_before_it_validates_on_leaving() -> None:
    app = DateApp()
    async with app.run_test() as pilot:
        field = app.query_one(DateInput)
        field.value = ""
        field.focus()
        await pilot.press(*"20270315", "tab")
        assert field.value == "2027-03-15"
        [left] = app.blurs
        assert left.validation_result is not None and left.validation_result.is_valid


class TickApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TickBox("on", True, id="on")
        yield TickBox("off", id="off")


async def test_tick_box_shows_a_tick_or_a_blank_not_only_a_colour() -> None:
    app = TickApp()
    async with app.run_test() as pilot:
        on_box, off_box = app.query_one("#on", TickBox), app.query_one("#off", TickBox)
        assert on_box.render().plain.startswith("▐✔▌")
        assert off_box.render().plain.startswith("▐ ▌")
        on_box.focus()
        await pilot.press("space")
        off_box.focus()
        await pilot.press("enter")
        assert on_box.render().plain.startswith("▐ ▌") and not on_box.value
        assert off_box.render().plain.startswith("▐✔▌") and off_box.value
