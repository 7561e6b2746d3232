"""The list's columns: the chooser (c), driven by keys and the mouse on a real app over a real
file, and the choice kept in the user's config folder across restarts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.pilot import Pilot

from store.models import Prospect
from store.rules.store import Store
from store.user_config import columns_path, save_columns
from tests.seed import seed_prospects
from tui.app import ProspectsApp
from tui.modals.column_chooser import ALWAYS_SHOWN_NOTE, ColumnChooserModal, ColumnTicks
from tui.screens.prospect_list import ProspectListScreen
from tui.widgets.list_columns import TABLE_COLUMNS
from tui.widgets.prospect_table import ProspectTable

SIZE = (80, 24)


def add(store: Store) -> None:
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=name, domain=domain,
                 sector=sector, implementation_lead=1)
        for name, domain, sector in [("Beta Holdings", "a.example", "Retail"),
                                     ("Acme Widgets", "c.example", "Legal"),
                                     ("Tom & Jerry [UK] Ltd", "b.example", "Finance")]])


def header(app: ProspectsApp) -> str:
    """The table's header line, as painted."""
    return app.screen.query_one(ProspectTable).render_line(0).text


def shown_keys(app: ProspectsApp) -> list[str]:
    return [column.key for column in app.screen.query_one(ProspectTable).columns]


def ticks(app: ProspectsApp) -> list[tuple[str, bool]]:
    """The chooser's rows: (column key, ticked), top to bottom."""
    chooser = app.screen.query_one(ColumnTicks)
    return [(option.value, option.value in chooser.selected)
            for option in (chooser.get_option_at_index(i) for i in range(chooser.option_count))]


def notices(app: ProspectsApp) -> list[str]:
    return [notice.message for notice in app._notifications]


async def open_chooser(pilot: Pilot[int]) -> None:
    await pilot.press("c")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ColumnChooserModal)


async def test_hide_a_column_and_its_header_is_gone_and_the_choice_saved(
        store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        assert "Mail" in header(app)
        await open_chooser(pilot)
        assert ticks(app)[:3] == [("company_name", True), ("domain", True), ("mail", True)]
        await pilot.press("down", "down", "space")  # Mail
        assert ("mail", False) in ticks(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProspectListScreen)
        assert "Mail" not in header(app)
        assert "Domain" in header(app)
        assert "mail" not in shown_keys(app)
        await app.workers.wait_for_complete()
    saved = json.loads(columns_path().read_text())
    assert saved["columns"][:3] == ["company_name", "domain", "dmarc"]
    assert "mail" not in saved["columns"]
    assert os.stat(columns_path().parent).st_mode & 0o777 == 0o700
    assert [p.name for p in columns_path().parent.iterdir()] == ["columns.json"]  # no temp file


async def test_reorder_with_keys_and_the_choice_survives_a_restart(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_chooser(pilot)
        await pilot.press("down", "down", "shift+up")  # Mail above Domain
        await pilot.press("down", "down", "down", "ctrl+down")  # Status below Implementation Lead
        assert [key for key, _ in ticks(app)][:6] == [
            "company_name", "mail", "domain", "dmarc", "implementation_lead", "status"]
        await pilot.press("enter")
        await pilot.pause()
        assert header(app).index("Mail") < header(app).index("Domain")
        first = shown_keys(app)
        await app.workers.wait_for_complete()
    again = ProspectsApp(db_path=db_path)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown_keys(again) == first
        assert header(again).index("Mail") < header(again).index("Domain")


async def test_defaults_bring_back_every_column_in_the_apps_order(
        store: Store, db_path: Path) -> None:
    add(store)
    save_columns(["status", "company_name"])
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown_keys(app) == ["status", "company_name"]
        await open_chooser(pilot)
        await pilot.press("d")
        assert ticks(app) == [(column.key, True) for column in TABLE_COLUMNS]
        await pilot.press("escape")  # Cancel: nothing changes
        await pilot.pause()
        assert shown_keys(app) == ["status", "company_name"]
        await open_chooser(pilot)
        await pilot.click("#column-chooser-defaults")
        await pilot.press("enter")
        await pilot.pause()
        assert shown_keys(app) == [column.key for column in TABLE_COLUMNS]
        await app.workers.wait_for_complete()
    assert json.loads(columns_path().read_text())["columns"] == [c.key for c in TABLE_COLUMNS]


async def test_the_mouse_ticks_and_moves_columns(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_chooser(pilot)
        chooser = app.screen.query_one(ColumnTicks)
        await pilot.click(ColumnTicks, offset=(8, 2))  # the Domain row (the list has a border)
        await pilot.pause()
        assert chooser.highlighted == 1
        assert ("domain", False) in ticks(app)
        await pilot.click("#column-chooser-down")
        await pilot.pause()
        assert [key for key, _ in ticks(app)][:3] == ["company_name", "mail", "domain"]
        await pilot.click("#column-chooser-apply")
        await pilot.pause()
        assert "Domain" not in header(app)
        assert shown_keys(app)[:2] == ["company_name", "mail"]


async def test_escape_and_cancel_change_nothing(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        before = shown_keys(app)
        await open_chooser(pilot)
        await pilot.press("down", "space", "down", "shift+up", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ProspectListScreen)
        assert shown_keys(app) == before
        await open_chooser(pilot)
        await pilot.press("down", "space")
        await pilot.click("#column-chooser-cancel")
        await pilot.pause()
        assert shown_keys(app) == before
    assert not columns_path().exists()


async def test_the_company_name_cannot_be_hidden(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_chooser(pilot)
        await pilot.press("space")
        await pilot.pause()
        assert ticks(app)[0] == ("company_name", True)
        assert ALWAYS_SHOWN_NOTE in notices(app)
        await pilot.press("enter")
        await pilot.pause()
        assert shown_keys(app)[0] == "company_name"


async def test_hiding_the_sorted_column_keeps_the_sort(store: Store, db_path: Path) -> None:
    add(store)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ProspectListScreen)
        screen.sort_by("domain")
        await pilot.pause()
        await open_chooser(pilot)
        await pilot.press("down", "space", "enter")  # hide Domain
        await pilot.pause()
        table = screen.query_one(ProspectTable)
        names = [screen.prospects.records[i]["company_name"] for i in table._order]
        assert names == ["Beta Holdings", "Tom & Jerry [UK] Ltd", "Acme Widgets"]  # a, b, c
        assert "Domain" not in header(app)
        assert "sorted by Domain, A to Z" in str(screen.query_one("#status-line").render())
        await pilot.press("s")  # the next sort is among the columns shown
        await pilot.pause()
        assert screen.prospects.sort_key == "company_name"


async def test_a_views_columns_are_shown_but_not_saved(store: Store, db_path: Path) -> None:
    add(store)
    columns_path().parent.mkdir(mode=0o700)
    columns_path().write_text(json.dumps({"columns": ["company_name", "sector"]}))
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ProspectListScreen)
        assert shown_keys(app) == ["company_name", "sector"]
        screen.show_columns(["status", "nonsense", "domain"])
        await pilot.pause()
        assert shown_keys(app) == ["company_name", "status", "domain"]  # the name always shown
        assert "Status" in header(app) and "Sector" not in header(app)
        screen.show_columns([])
        await pilot.pause()
        assert shown_keys(app) == ["company_name", "sector"]
    assert json.loads(columns_path().read_text())["columns"] == ["company_name", "sector"]


async def test_a_broken_columns_file_shows_the_defaults_with_a_warning(
        store: Store, db_path: Path) -> None:
    add(store)
    columns_path().parent.mkdir(mode=0o700)
    columns_path().write_bytes(b'{"columns": ["domain",\n\xff\x00 [bold]')
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert shown_keys(app)[:3] == ["company_name", "domain", "mail"]  # every column
        assert any(str(columns_path()) in notice and "the default columns are shown" in notice
                   for notice in notices(app)), notices(app)


async def test_a_columns_file_that_cannot_be_saved_is_said_and_kept_for_the_session(
        store: Store, db_path: Path) -> None:
    add(store)
    columns_path().parent.mkdir(mode=0o700)
    columns_path().mkdir()  # a folder where the file should be: the rename fails
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_chooser(pilot)
        await pilot.press("down", "space", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "domain" not in shown_keys(app)
        assert any("cannot save the columns" in notice for notice in notices(app)), notices(app)


async def test_a_broken_config_file_warns_at_start_up(store: Store, db_path: Path) -> None:
    from store.user_config import config_path

    config_path().parent.mkdir(mode=0o700)
    config_path().write_text('# mine\nname = "Ada\n')
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert any(str(config_path()) in notice and "line 2" in notice
                   for notice in notices(app)), notices(app)
