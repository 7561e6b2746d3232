"""The list screen, driven by key presses on a real app over a real file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.widgets import Static

from store.models import Prospect
from store.rules.store import Store
from tests.form_helpers import wait_until
from tests.seed import seed_prospects
from tui.app import ProspectsApp
from tui.widgets.letter_bar import LetterBar
from tui.widgets.prospect_table import ProspectTable

NAMES = ["Acme Widgets", "Beta Holdings", "Café Müller", "cafeteria plc", "42 Solutions",
         "Tom & Jerry [UK] Ltd", "Zebra Logistics"]


def add(store: Store, names: list[str]) -> None:
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=n, domain=f"d{i}.example.com",
                 sector="Retail", implementation_lead=1) for i, n in enumerate(names)])


def shown(app: ProspectsApp) -> list[str]:
    """The table's visible lines, as a person reads them."""
    table = app.screen.query_one(ProspectTable)
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def shown_names(app: ProspectsApp) -> list[str]:
    screen = app.screen
    table = screen.query_one(ProspectTable)
    return [screen.prospects.records[i]["company_name"] for i in table._order]


def status(app: ProspectsApp) -> str:
    return str(app.screen.query_one("#status-line", Static).render())


async def test_first_run_hint_and_empty_table(db_path: Path) -> None:
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)):
        assert app.screen.query_one("#prospects", ProspectTable).row_count == 0
        hint = app.screen.query_one("#first-run", Static)
        assert hint.display and "Press n to create one" in str(hint.render())
        assert "0 of 0 prospects" in status(app)


async def test_search_as_you_type_is_case_and_accent_insensitive(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#prospects", ProspectTable)
        assert table.row_count == 7
        await pilot.press("slash", "C", "A", "F", "E")
        await pilot.pause(0.3)  # the debounce
        assert shown_names(app) == ["Café Müller", "cafeteria plc"]
        assert "2 of 7 prospects" in status(app)
        await pilot.press("backspace", "backspace", "backspace", "backspace", "m", "u", "l")
        await pilot.press("enter")  # Enter searches at once and returns to the table
        assert shown_names(app) == ["Café Müller"]
        assert table.has_focus
        await pilot.press("escape")
        assert table.row_count == 7


async def test_go_button_and_domain_search(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#search").value = "D6.EXAMPLE"
        await pilot.click("#go")
        assert shown_names(app) == ["Zebra Logistics"]


async def test_letters_filter_and_combine_with_search(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#letter-c")
        assert shown_names(app) == ["Café Müller", "cafeteria plc"]
        assert app.screen.query_one(LetterBar).selected == "c"
        await pilot.click("#letter-other")
        assert shown_names(app) == ["42 Solutions"]
        await pilot.click("#letter-all")
        assert len(shown_names(app)) == 7
        app.screen.query_one("#search").value = "holdings"
        await pilot.click("#go")
        counts = app.screen.prospects.letter_counts("holdings")
        assert counts["b"] == 1 and counts["c"] == 0
        await pilot.click("#letter-c")
        assert shown_names(app) == []


async def test_sort_keys_header_click_and_arrow(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert shown_names(app)[0] == "42 Solutions"
        assert "Company Name ▲" in shown(app)[0]
        await pilot.press("r")
        assert shown_names(app)[0] == "Zebra Logistics"
        assert "Company Name ▼" in shown(app)[0]
        assert "sorted by Company Name, Z to A" in status(app)
        await pilot.press("s")  # next column: Domain, A to Z
        assert "Domain ▲" in shown(app)[0]
        assert shown_names(app)[0] == "Acme Widgets"
        table = app.screen.query_one(ProspectTable)
        x = shown(app)[0].index("Company Name") + 2
        await pilot.click(table, offset=(x, 0))
        assert "Company Name ▲" in shown(app)[0]
        await pilot.click(table, offset=(x, 0))
        assert "Company Name ▼" in shown(app)[0]


async def test_hostile_names_shown_verbatim_without_control_characters(
    store: Store, db_path: Path
) -> None:
    hostile = ["[bold]x[/bold]", "[/]", "Tom & Jerry [UK] Ltd", "\x1b[31mred\x1b[0m",
               "\u202eevil", "two\nlines", "🚀 Rocket", "N" * 5000]
    add(store, hostile)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)):
        text = "\n".join(shown(app))
        for needle in ["[bold]x[/bold]", "[/]", "Tom & Jerry [UK] Ltd", "two lines",
                       "🚀 Rocket", "N…"]:
            assert needle in text
        assert "\x1b" not in text and "\u202e" not in text and "\n" not in text.replace(
            "\n", "")


async def test_live_refresh_from_another_process_keeps_cursor_search_sort(
    store: Store, db_path: Path
) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path, poll_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")  # Z to A
        await pilot.press("down", "down")
        table = app.screen.query_one(ProspectTable)
        before = app.screen.prospects.ids[table.cursor_index]
        code = (
            "import sys\n"
            "from store.rules.store import Store\n"
            "from store.models import Prospect\n"
            "s = Store(sys.argv[1])\n"
            "s.create_prospect(Prospect(company_type='End Customer', company_name='Aardvark',"
            " domain='new.example.com', sector='Retail', implementation_lead=1))\n"
        )
        subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)
        await wait_until(pilot, lambda: table.row_count == 8)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown_names(app)[-2:] == ["Aardvark", "42 Solutions"]  # still Z to A
        assert app.screen.prospects.ids[table.cursor_index] == before


async def test_delete_asks_first(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")  # cursor on "42 Solutions"
        await pilot.pause()
        assert "42 Solutions" in str(app.screen.query_one("#question").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(Store(db_path).prospect_rows()) == 7
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "42 Solutions" not in [r["company_name"] for _, r in
                                      Store(db_path).prospect_rows()]
        assert app.screen.query_one(ProspectTable).row_count == 6


async def test_keys_open_users_and_order_review_and_palette(store: Store, db_path: Path) -> None:
    from tui.screens.order_review import OrderReviewScreen
    from tui.screens.users import UsersScreen

    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OrderReviewScreen)
        await pilot.press("escape")
        await pilot.pause()
        titles = " | ".join(c.title for c in app.get_system_commands(app.screen)).casefold()
        for word in ["new", "edit", "order", "upload", "users", "search", "sort by domain"]:
            assert word in titles


async def palette_hits(app: ProspectsApp, pilot, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the command palette, type `query`, and read the commands it offers."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    await pilot.pause()

    def searching() -> bool:  # the palette searches its providers in a worker
        return any(w.group == CommandPalette._GATHER_COMMANDS_GROUP and not w.is_finished
                   for w in app.workers)

    await wait_until(pilot, lambda: not searching())
    await pilot.pause()
    options = app.screen.query_one(CommandList)
    hits = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    await pilot.pause()
    return hits


async def test_every_list_action_is_found_in_the_palette_by_its_word(
    store: Store, db_path: Path
) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        expected = {"template": "upload", "import": "upload", "verify": "verify",
                    "export": "export", "delete": "delete", "reverse": "reverse",
                    "keys": "keys", "other": "letter other", "columns": "columns",
                    "hide": "columns", "views": "saved views"}
        for word, found in expected.items():
            hits = await palette_hits(app, pilot, word)
            assert any(found in hit.casefold() for hit in hits), (word, hits)
        quits = [hit for hit in await palette_hits(app, pilot, "quit")
                 if hit.casefold().startswith("quit")]
        assert len(quits) == 1, quits


def footer_problems(app: ProspectsApp) -> list[str]:
    """Keys of the Footer that are not shown whole ("^e Save errors") on the bottom lines."""
    from textual.widgets._footer import FooterKey

    bottom = "\n".join(screen_lines(app)[-2:])
    return [f"{k.key_display} {k.description}" for k in app.screen.query(FooterKey)
            if f"{k.key_display} {k.description}" not in bottom]


def screen_lines(app: ProspectsApp) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


async def test_every_footer_shows_all_its_keys_at_80_columns(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        descriptions = {k.description for k in app.screen.query("FooterKey").results()}
        assert {"Reverse", "Export", "Delete", "Quit", "Keys"} <= descriptions  # type: ignore[attr-defined]
        assert footer_problems(app) == []
        for key in ["u", "o", "U", "n", "e"]:  # upload, order, users, new, edit
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert footer_problems(app) == [], (key, footer_problems(app))
            await pilot.press("escape")
            await pilot.pause()


async def test_f1_lists_every_key_of_the_screen(store: Store, db_path: Path) -> None:
    from tui.modals.key_help import KeyHelpModal

    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, KeyHelpModal)
        shown = dict(app.screen.rows)
        for key in ["n", "e", "o", "v", "u", "U", "/", "s", "r", "c", "x", "d", "esc", "^q"]:
            assert key in shown, key
        assert any("and Other (names that start with a digit" in note for note in app.screen.notes)
        palette_rows = [what for key, what in app.screen.rows if key == "^p"]
        assert len(palette_rows) == 1, palette_rows  # Textual's own ctrl+p row, or ours: once
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeyHelpModal)


async def test_export_the_shown_prospects_from_the_list(store: Store, db_path: Path,
                                                        tmp_path: Path) -> None:
    import csv

    add(store, NAMES)
    out = tmp_path / "out" / "cafes.csv"
    out.parent.mkdir()
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#search").value = "caf"
        await pilot.click("#go")
        await pilot.press("x")
        await pilot.pause()
        path_input = app.screen.query_one("#export-path")
        path_input.value = str(out)
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if out.exists():
                break
        await app.workers.wait_for_complete()
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["Company Type", "Company Name", "Domain"]
    assert sorted(r[1] for r in rows[1:]) == ["Café Müller", "cafeteria plc"]


async def test_keys_open_the_form_and_upload(store: Store, db_path: Path) -> None:
    from tui.screens.prospect_form import ProspectFormScreen
    from tui.screens.upload import UploadScreen

    add(store, NAMES)
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ProspectFormScreen) and app.screen.base is None
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # edit the row under the cursor
        await pilot.pause()
        assert isinstance(app.screen, ProspectFormScreen)
        assert app.screen.base is not None and app.screen.base.company_name == "42 Solutions"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UploadScreen)


async def test_the_title_keeps_the_database_file_name_at_80_columns(tmp_path: Path) -> None:
    from tui.app import LOCATION_SHOWN

    deep = tmp_path / ("client-data-" * 4) / ("shared-team-folder-" * 3) / "north-prospects.json"
    deep.parent.mkdir(parents=True)
    app = ProspectsApp(db_path=deep)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = "".join(s.text for s in app.screen._compositor.render_strips()[0])
        assert header.rstrip().endswith("north-prospects.json")
        assert len(app.sub_title) <= LOCATION_SHOWN and app.sub_title.startswith("…/")


def test_the_title_shortens_a_server_url_to_its_host_and_database() -> None:
    from tui.app import LOCATION_SHOWN, shortened_location

    def shown(location: str) -> str:
        return shortened_location(location, LOCATION_SHOWN, server=True)

    short = "postgresql://ada:***@db.example/prospects"
    assert shown(short) == short
    assert shown(f"{short}?sslmode=verify-full&sslrootcert=/etc/ssl/team/root.crt") == f"{short}?…"
    long = "postgresql://prospects-app:***@db-primary.eu-west-2.example.internal:6432/prospects"
    assert len(shown(long)) == LOCATION_SHOWN and shown(long).startswith("…")
    assert shown(long).endswith("example.internal:6432/prospects")
    assert len(shown(f"{long}?sslmode=require")) == LOCATION_SHOWN
    assert shown(f"{long}?sslmode=require").endswith("internal:6432/prospects?…")
    bare = "postgresql: (the PG* variables and service file)"
    assert shown(bare) == f"{bare[:LOCATION_SHOWN - 1]}…"


async def test_the_banner_comes_and_goes_with_the_file(store: Store, db_path: Path) -> None:
    add(store, NAMES)
    saved = db_path.read_bytes()
    app = ProspectsApp(db_path=db_path, poll_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one("#banner", Static)
        assert not banner.display
        rows = app.screen.query_one(ProspectTable).row_count
        db_path.unlink()
        await wait_until(pilot, lambda: banner.display)
        assert "was removed or renamed" in str(banner.visual)
        assert app.screen.query_one(ProspectTable).row_count == rows  # still shown
        await pilot.press("n")  # the app keeps working
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        db_path.write_bytes(saved)  # someone puts it back
        await wait_until(pilot, lambda: not banner.display)


async def test_the_banner_goes_when_the_same_file_is_renamed_back(store: Store, db_path: Path) -> None:
    # Renamed away and back: the same inode, size and mtime as before it went, so only a
    # re-read (not a changed signature) can tell the banner to go.
    add(store, NAMES)
    app = ProspectsApp(db_path=db_path, poll_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        banner = app.screen.query_one("#banner", Static)
        aside = db_path.with_name("aside.json")
        db_path.rename(aside)
        await wait_until(pilot, lambda: banner.display)
        aside.rename(db_path)
        await wait_until(pilot, lambda: not banner.display)
