"""The list shows changes in place: another session's saves, creates and deletes, and this
session's own saves in the form and the Users screen, without building the list again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from store.models import Prospect, User
from store.rules.store import Store
from tests.form_helpers import FormSession, wait_until
from tests.seed import seed_prospects
from tests.test_list_screen import NAMES, add, shown_names, status
from tui.app import ProspectsApp
from tui.screens.prospect_list import ProspectListScreen
from tui.widgets.prospect_table import ProspectTable

SIZE = (80, 24)


def list_screen(app: ProspectsApp) -> ProspectListScreen:
    screen = app.screen
    assert isinstance(screen, ProspectListScreen), screen
    return screen


def cursor_id(app: ProspectsApp) -> int:
    screen = list_screen(app)
    row = screen.query_one(ProspectTable).cursor_index
    assert row is not None
    return screen.prospects.ids[row]


def id_of(store: Store, name: str) -> int:
    return next(i for i, row in store.prospect_rows() if row["company_name"] == name)


async def put_cursor_on(app: ProspectsApp, pilot, name: str) -> int:  # type: ignore[no-untyped-def]
    """Press down until the cursor is on `name`; its id."""
    screen = list_screen(app)
    for _ in range(len(screen.prospects)):
        if screen.prospects.records[screen.query_one(ProspectTable).cursor_index]["company_name"] == name:
            return cursor_id(app)
        await pilot.press("down")
    raise AssertionError(f"{name} is not shown")


async def test_a_save_in_another_process_changes_the_row_in_place(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    beta = id_of(store, "Beta Holdings")
    app = ProspectsApp(db_path=db_path, poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = list_screen(app)
        listing = screen.prospects
        row = listing.row_of(beta)
        on = await put_cursor_on(app, pilot, "Café Müller")
        code = (
            "import sys\n"
            "from store.rules.store import Store\n"
            "s = Store(sys.argv[1])\n"
            "p = s.get_prospect(int(sys.argv[2]))\n"
            "s.update_prospect(p.model_copy(update={'company_name': 'Yak [Beta] & Co'}))\n"
        )
        subprocess.run([sys.executable, "-c", code, str(db_path), str(beta)], check=True)
        await wait_until(pilot, lambda: "Yak [Beta] & Co" in shown_names(app))
        assert screen.prospects is listing  # changed in place, not built again
        assert listing.row_of(beta) == row and listing.records[row]["company_name"] == "Yak [Beta] & Co"
        assert shown_names(app) == ["42 Solutions", "Acme Widgets", "Café Müller", "cafeteria plc",
                                    "Tom & Jerry [UK] Ltd", "Yak [Beta] & Co", "Zebra Logistics"]
        assert cursor_id(app) == on


async def test_creates_and_deletes_by_another_session_keep_sort_search_and_cursor(
        store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path, poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = list_screen(app)
        listing = screen.prospects
        await pilot.press("r")  # Z to A
        await pilot.press("slash", *"ca", "enter")  # Café Müller, cafeteria plc
        assert shown_names(app) == ["cafeteria plc", "Café Müller"]
        on = await put_cursor_on(app, pilot, "Café Müller")
        other = Store(db_path)
        other.create_prospect(Prospect(company_type="End Customer", company_name="Cabal Ltd",
                                       domain="cabal.example.com", sector="Retail",
                                       implementation_lead=1))
        cafeteria = id_of(other, "cafeteria plc")
        other.delete_prospect(cafeteria, other.get_prospect(cafeteria).version)
        other.create_prospect(Prospect(company_type="End Customer", company_name="Nothing To See",
                                       domain="nothing.example.com", sector="Retail",
                                       implementation_lead=1))
        await wait_until(pilot, lambda: "Cabal Ltd" in shown_names(app))
        assert screen.prospects is listing
        assert shown_names(app) == ["Café Müller", "Cabal Ltd"]  # still searched, still Z to A
        assert cursor_id(app) == on
        assert listing.row_of(cafeteria) is None and len(listing) == 8
        assert "2 of 8 prospects" in status(app)
        # The prospect under the cursor deleted: the cursor stays where it was, on another.
        other.delete_prospect(on, other.get_prospect(on).version)
        await wait_until(pilot, lambda: shown_names(app) == ["Cabal Ltd"])
        assert cursor_id(app) == id_of(other, "Cabal Ltd")
        await pilot.press("escape")  # the search cleared: every prospect, Z to A
        assert shown_names(app) == ["Zebra Logistics", "Tom & Jerry [UK] Ltd", "Nothing To See",
                                    "Cabal Ltd", "Beta Holdings", "Acme Widgets", "42 Solutions"]
        other.close()


async def test_a_save_in_the_form_shows_in_the_list_through_the_same_poll(
        store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path, poll_seconds=3600)  # only the form's show_latest polls
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = list_screen(app)
        listing = screen.prospects
        acme = await put_cursor_on(app, pilot, "Acme Widgets")
        await pilot.press("e")
        await pilot.pause()
        form = FormSession(app, pilot)
        await form.paste("#company-name", "Zulu Widgets")
        await form.save()
        await wait_until(pilot, lambda: app.screen is screen and "Zulu Widgets" in shown_names(app))
        assert screen.prospects is listing
        assert shown_names(app)[-1] == "Zulu Widgets" and cursor_id(app) == acme


async def test_a_lead_renamed_in_the_users_screen_shows_and_sorts_in_the_lead_column(
        store: Store, db_path: Path) -> None:
    zed = store.add_user(User(name="Zed Lead", email="zed@example.com", implementation_lead=True))
    store.create_prospect(Prospect(company_type="End Customer", company_name="Led By Zed",
                                   domain="zed.example.com", sector="Retail", implementation_lead=zed.id))
    store.create_prospect(Prospect(company_type="End Customer", company_name="Led By Ada",
                                   domain="ada.example.com", sector="Retail", implementation_lead=1))
    app = ProspectsApp(db_path=db_path, poll_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = list_screen(app)
        listing = screen.prospects
        screen.sort_by("implementation_lead")
        await app.workers.wait_for_complete()
        assert shown_names(app) == ["Led By Ada", "Led By Zed"]
        await pilot.press("U")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # edit the first user: Ada Lovelace
        await pilot.pause()
        await pilot.press("home", *"Zz ", "ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen and shown_names(app) == ["Led By Zed",
                                                                                      "Led By Ada"])
        assert screen.prospects is listing
        row = listing.row_of(id_of(store, "Led By Ada"))
        assert row is not None and listing.cell(row, "implementation_lead") == "Zz Ada Lovelace"


async def test_too_many_changes_at_once_build_the_list_again_in_a_worker(
        store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from store.listing import prospect_list as listing_module

    monkeypatch.setattr(listing_module, "APPLY_LIMIT", 1)
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path, poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = list_screen(app)
        listing = screen.prospects
        on = await put_cursor_on(app, pilot, "Beta Holdings")
        other = Store(db_path)
        seed_prospects(other, [  # one import: two changes in one poll
            Prospect(company_type="End Customer", company_name=name, domain=f"{i}.new.example.com",
                     sector="Retail", implementation_lead=1)
            for i, name in enumerate(["New One", "New Two"])], sha256="second")
        await wait_until(pilot, lambda: "New Two" in shown_names(app))
        assert screen.prospects is not listing and len(screen.prospects) == 9
        assert cursor_id(app) == on
        other.close()
