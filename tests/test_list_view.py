"""The list at 80x24: the sorted column is always shown, left/right scroll the columns, Other explained."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Footer, Static

from store.models import Prospect
from store.rules.store import Store
from tests.seed import seed_prospects
from tui.app import ProspectsApp
from tui.widgets.prospect_table import ProspectTable

SECTORS = ["Retail", "Agriculture", "Technology"]
NAMES = ["Company 0", "Company 1", "42 Solutions"]


def add(store: Store) -> None:
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=name, domain=f"c{n}.example.com",
                 sector=sector, implementation_lead=1)
        for n, (name, sector) in enumerate(zip(NAMES, SECTORS, strict=True))])


def header(app: ProspectsApp) -> str:
    return app.screen.query_one(ProspectTable).render_line(0).text


def status(app: ProspectsApp) -> str:
    return str(app.screen.query_one("#status-line", Static).render())


async def test_sorting_by_a_hidden_column_shows_it_at_80_columns(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Sector" not in header(app)  # too narrow for every column
        while "sorted by Sector" not in status(app):
            await pilot.press("s")
        shown = header(app)
        assert "Sector ▲" in shown
        assert "Company Name" in shown  # the most important column stays
        table = app.screen.query_one(ProspectTable)
        assert table.render_line(1).text.split()[-1] == "Agriculture"
        assert all(len(table.render_line(y).text) == len(shown) for y in range(1, 4))


async def test_left_and_right_scroll_the_columns_at_80_columns(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(ProspectTable)
        assert app.focused is table
        first = header(app)
        assert "Products" not in first and first.rstrip().endswith("▸")  # more on the right
        seen = {first}
        for _ in range(len(table.columns)):
            await pilot.press("right")
            seen.add(header(app))
        last = header(app)
        assert "Products" in last and "Company Name" in last  # the first column stays
        assert last.startswith("◂") and not last.rstrip().endswith("▸")
        for column in table.columns:  # every column can be reached
            assert any(column.label in line for line in seen), column.label
        for _ in range(len(table.columns)):
            await pilot.press("left")
        assert header(app) == first


async def test_other_letter_is_explained(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        other = app.screen.query_one("#letter-other")
        assert other.region.right <= 80
        assert other.tooltip.__rich__().plain == "Other: names not starting with A-Z (1 prospect)"
        await pilot.click("#letter-other")
        assert "1 of 3 prospects · Other: names not starting with A-Z · sorted by" in status(app)
        await pilot.click("#letter-c")
        assert "2 of 3 prospects · names starting with C · sorted by" in status(app)


async def test_a_first_sort_of_a_big_list_runs_off_the_event_loop(
        store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.screens import prospect_list

    add(store)
    monkeypatch.setattr(prospect_list, "THREADED_SORT_ROWS", 1)  # "big" from one row
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        screen = app.screen
        screen.prospects = screen._load()  # a fresh list: no order worked out yet
        screen.apply_filters()
        screen.sort_by("sector")
        assert screen.prospects.sort_key == "company_name"  # not sorted on the event loop
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Sector ▲" in header(app) and "sorted by Sector, A to Z" in status(app)
        table = app.screen.query_one(ProspectTable)
        assert table.render_line(1).text.split()[-1] == "Agriculture"
        await pilot.press("r")  # worked out in the background already, or in a thread now
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Sector ▼" in header(app) and table.render_line(1).text.split()[-1] == "Technology"


async def test_clearing_the_search_rebuilds_the_footer_once(
        store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each rebuild of the footer relayouts the whole screen.
    rebuilds: list[Footer] = []
    recompose = Footer.recompose

    async def counted(self: Footer) -> None:
        rebuilds.append(self)
        await recompose(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", "4")
        await pilot.pause(0.3)
        rebuilds.clear()
        app.screen.action_clear_filters()  # back to the table: "Open" shows again
        await pilot.pause()
        assert len(rebuilds) == 1  # the stock Footer rebuilds twice
