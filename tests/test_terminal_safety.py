"""No user data reaches the terminal as a control sequence.

Two layers: every edge (form, CLI `add`, import, users) refuses control and
text-direction characters in a single-line field, naming the field; whatever is
stored anyway (an older file, a hand edit) is shown with a visible symbol for
each control, editable inputs included, while the stored value stays exact.
"""

from __future__ import annotations

import html
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, SelectionList, Static

from store.catalog import Catalog, Product, load_catalog
from store.listing import ProspectList
from store.models import AS_STORED, User
from store.rules.store import Store
from store.rules.validation import ProspectInvalid, build_prospect
from store.text import clean_for_display, show_controls
from tests.cli import run_cli
from tests.form_helpers import FormSession, prospect, running_form, seed
from tests.upload_files import row, write_csv
from tui.app import ProspectsApp
from tui.screens.order_review import OrderReviewScreen
from tui.screens.users import UsersScreen


def _data_file(tmp_path: Path) -> Path:
    """A data file path in a private folder that exists (a chosen path's folder must)."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / "prospects.json"

OSC52 = "\x1b]52;c;SGFja2Vk\x07"  # write "Hacked" to the clipboard
TITLE = "\x1b]2;PWNED\x07"  # set the window title
CSI = "\x9b31m"  # C1 CSI: red
BIDI = "\u202eevil"
HOSTILE = [OSC52, TITLE, CSI, BIDI, "a\x00b", "a\x7fb", "a\tb", "a\nb", "\u2066x\u2069"]
LEADS = [User(id=1, name="Ada Lovelace", email="ada@example.com", implementation_lead=True),
         User(id=2, name="Grace Hopper", email="grace@example.com", implementation_lead=True)]
CATALOG = load_catalog()


def _has_control(text: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u202e\u2066\u2069" for c in text)


# -- shown: a visible symbol for each control, nothing removed ---------------------------


def test_each_control_is_shown_as_one_visible_symbol() -> None:
    assert show_controls(OSC52) == "␛]52;c;SGFja2Vk␇"
    assert show_controls(TITLE) == "␛]2;PWNED␇"
    assert show_controls("a\x7fb\x00") == "a␡b␀"
    assert show_controls(CSI) == "\ufffd31m"
    assert show_controls(BIDI) == "\ufffdevil"
    assert show_controls("a\tb\nc") == "a␉b␊c"
    for text in HOSTILE:
        shown = show_controls(text)
        assert len(shown) == len(text) and not _has_control(shown), repr(text)


def test_clean_for_display_shows_controls_and_keeps_a_line() -> None:
    assert clean_for_display("Acme" + TITLE + " Ltd") == "Acme␛]2;PWNED␇ Ltd"
    assert clean_for_display("two\nlines\r\nhere") == "two lines here"
    for text in [*HOSTILE, "Tom & Jerry [UK] Ltd", "👍🏽 Café", "x" * 10_000]:
        assert not _has_control(clean_for_display(text))
    assert clean_for_display("Tom & Jerry [UK] Ltd 👍🏽") == "Tom & Jerry [UK] Ltd 👍🏽"
    assert clean_for_display("x" * 10_000, 40) == "x" * 39 + "…"


def test_the_list_files_a_name_ignoring_a_leading_control() -> None:
    listed = ProspectList([(1, {"company_name": BIDI, "domain": "a.example"}),
                           (2, {"company_name": TITLE + "Zed", "domain": "b.example"})], {})
    assert listed.matching(letter="e") == [0]
    assert listed.matching(letter="other") == [1]  # "]2;PWNED" is what follows the ESC


# -- refused at the edge, naming the field -------------------------------------------------


def _values(**changes: object) -> dict[str, object]:
    return {"company_type": "End Customer", "company_name": "Example Ltd",
            "domain": "example.com", "sector": "Retail",
            "implementation_lead": "ada@example.com", **changes}


def _errors(**changes: object) -> dict[str, str]:
    with pytest.raises(ProspectInvalid) as info:
        build_prospect(_values(**changes), catalog=CATALOG, users=LEADS)
    return {e.field: str(e) for e in info.value.errors}


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("field", ["company_name", "website", "domain", "company_type", "sector",
                                   "implementation_lead", "secondary_contact", "products"])
def test_the_builder_refuses_controls_in_every_text_field(field: str, text: str) -> None:
    errors = _errors(**{field: f"Acme{text}.com"})
    assert list(errors) == [field]
    assert "control and text-direction characters are not allowed" in errors[field]
    assert not _has_control(errors[field])


def test_the_builder_names_the_character_and_where() -> None:
    message = _errors(company_name="Acme" + TITLE)["company_name"]
    assert message.startswith("Company Name: contains U+001B (escape) at character 5")


def test_the_builder_keeps_hostile_but_printable_names_exactly() -> None:
    for name in ["Tom & Jerry [UK] Ltd", "[bold]x[/]", "[/x]", "👍🏽 Café"]:
        built = build_prospect(_values(company_name=name), catalog=CATALOG, users=LEADS)
        assert built.company_name == name
    long = _errors(company_name="x" * 10_000)["company_name"]
    assert long == "Company Name: is 10000 characters long; at most 200"
    long = _errors(company_name="x" * 9_999 + TITLE)["company_name"]  # one error a field
    assert long.startswith("Company Name: contains U+001B (escape) at character 10000")


@pytest.mark.parametrize("field", ["name", "email"])
def test_a_user_with_a_control_is_refused_in_plain_words(field: str) -> None:
    values = {"name": "Ada", "email": "ada@example.com"}
    values[field] = values[field][:1] + TITLE + values[field][1:]
    with pytest.raises(ValidationError) as info:
        User(**values)
    (error,) = info.value.errors()
    assert error["loc"] == (field,)
    assert error["msg"].startswith("contains U+001B (escape) at character 2")


def _cli(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", db, *args, timeout=180)


def test_cli_add_users_add_and_import_refuse_controls(tmp_path: Path) -> None:
    db = _data_file(tmp_path)
    assert _cli(db, "users", "add", "Ada", "--email", "ada@example.com", "--lead").returncode == 0

    added = _cli(db, "users", "add", "Eve" + TITLE, "--email", "eve@example.com")
    assert added.returncode != 0 and "U+001B (escape)" in added.stderr
    assert "Value error" not in added.stderr and "\x1b" not in added.stderr

    added = _cli(db, "add", "--company-type", "End Customer", "--company-name", "Acme" + OSC52,
                 "--domain", "acme.example", "--sector", "Retail", "--lead", "ada@example.com")
    assert added.returncode == 1, added.stderr
    assert "Company Name: contains U+001B (escape)" in added.stderr
    assert "\x1b" not in added.stderr

    rows = [row("Fine Ltd", "fine.example"), row("Bad" + TITLE, "bad.example"),
            row("Worse Ltd", "worse.example", website="https://x.example/" + CSI)]
    imported = _cli(db, "import", write_csv(tmp_path / "hostile.csv", rows))
    assert imported.returncode == 1, imported.stderr
    assert "row 3, Company Name: contains U+001B (escape)" in imported.stderr
    assert "row 4, Website: contains U+009B" in imported.stderr
    assert "\x1b" not in imported.stderr and "\x9b" not in imported.stderr
    listed = _cli(db, "list", "--json")
    assert json.loads(listed.stdout) == []


# -- shown: the app on a file that holds them anyway -----------------------------------------

NAME = "Acme Ltd" + TITLE + OSC52  # at the end, an OSC 52 ends in padding and lands
WEBSITE = "https://acme.example/" + CSI + BIDI


def _seed_hostile(path: Path) -> None:
    """A file as an older version (or a hand edit) may have left it: controls stored."""
    seed(path, User(name="Ada", email="ada@example.com", implementation_lead=True),
         prospects=(prospect(company_name=NAME, website=WEBSITE, domain="acme.example"),))


def _screen_text(app: ProspectsApp) -> str:
    """The screen as text, as a person reads it (from the SVG screenshot)."""
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def _drawn(widget: Widget) -> str:
    return "".join(widget.render_line(y).text for y in range(widget.size.height))


async def test_an_input_shows_stored_controls_as_symbols_and_keeps_the_value(
        tmp_path: Path) -> None:
    path = _data_file(tmp_path)
    _seed_hostile(path)
    before = path.read_bytes()
    async with running_form(path, 1) as (app, pilot, session):
        name = app.screen.query_one("#company-name", Input)
        website = app.screen.query_one("#website", Input)
        assert name.value == NAME and website.value == WEBSITE  # exact
        assert "Acme Ltd␛]2;PWNED␇␛]52;c;SGFja2Vk␇" in _drawn(name)
        drawn = _drawn(website)
        assert "https://acme.example/\ufffd31m\ufffdevil" in drawn
        for widget in (name, website):
            assert not _has_control(_drawn(widget))
        # The cursor stays on the character it is on: End puts it after the last symbol.
        name.focus()
        await pilot.press("end")
        assert name.cursor_position == len(NAME)
        assert name._position_to_cell(len(NAME)) == len(show_controls(NAME))
        # An unedited save is refused by name, and the file is left as it was.
        await pilot.press("ctrl+s")
        await session.settle()
        assert session.error("company-name").startswith(
            "Company Name: contains U+001B (escape) at character 9")
        assert "Website: contains U+009B" in session.error("website")
        assert not _has_control(session.error("company-name"))
        assert app.screen is session.form
    assert path.read_bytes() == before


async def test_a_stored_product_name_shows_as_symbols_in_the_picker(tmp_path: Path) -> None:
    path = _data_file(tmp_path)
    seed(path, User(name="Ada", email="ada@example.com", implementation_lead=True))
    catalog = Catalog(company_types=("End Customer",), sectors=("Retail",),
                      products=(Product("Evil" + OSC52, needs_seats=True), Product("Fine")))
    app = ProspectsApp(db_path=path, catalog=catalog)
    async with app.run_test(size=(80, 24)) as pilot:
        session = FormSession(app, pilot)
        await session.open()
        picker = app.screen.query_one("#products", SelectionList)
        picker.select_all()
        await pilot.pause()
        shown = _drawn(picker)
        assert "Evil␛]52;c;SGFja2Vk␇" in shown
        assert "\x1b]52" not in shown
        assert str(app.screen.query_one(".seats-label", Label).render()).startswith(
            "Seats for Evil␛]52")


async def test_the_order_number_refuses_controls_and_is_kept_exact(tmp_path: Path) -> None:
    path = _data_file(tmp_path)
    seed(path, User(name="Ada", email="ada@example.com", implementation_lead=True),
         prospects=(prospect(),))
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(OrderReviewScreen(app.store, 1))
        await pilot.pause()
        number = app.screen.query_one("#order-number", Input)
        number.value = "PO-1" + TITLE
        await pilot.pause()
        assert "PO-1␛]2;PWNED␇" in _drawn(number)
        app.screen.query_one("#save-and-exit", Button).press()
        await pilot.pause()
        error = str(app.screen.query_one("#order-number-error", Static).render())
        assert error.startswith("Order number: contains U+001B (escape) at character 5")
        assert isinstance(app.screen, OrderReviewScreen)
        number.value = "PO-1 [UK]"
        app.screen.query_one("#save-and-exit", Button).press()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    (order,) = Store(path).orders_for(1)
    assert order.order_number == "PO-1 [UK]"


# -- markup: a search that looks like markup -------------------------------------------------


@pytest.mark.parametrize("search", ["[/x]", "[bold]Tom & Jerry [UK]"])
async def test_a_search_that_looks_like_markup_reaches_the_export_dialog_as_text(
        tmp_path: Path, search: str) -> None:
    path = _data_file(tmp_path)
    seed(path, User(name="Ada", email="ada@example.com", implementation_lead=True),
         prospects=(prospect(company_name="Tom & Jerry [UK] Ltd"),))
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#search").focus()
        await pilot.press(*search, "enter", "x")
        await pilot.pause()
        tick = app.screen.query_one("#export-shown", Checkbox)
        assert f"search '{search}'" in str(tick.label)
        assert f"search '{search}'" in _screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code in (None, 0)


# -- a real terminal ---------------------------------------------------------------------------


def test_a_real_terminal_never_receives_stored_controls(tmp_path: Path) -> None:
    """The app in tmux (80x24) over a file holding OSC 2, OSC 52 and C1 CSI in a prospect:
    opening it in the form changes no title, fills no paste buffer, and the pane holds
    the symbols, not the sequences. tmux is required (a Debian package), never skipped."""
    tmux = shutil.which("tmux")
    assert tmux, "this test needs tmux: apt-get install tmux"
    path = _data_file(tmp_path)
    _seed_hostile(path)
    config = tmp_path / "tmux.conf"
    # With set-clipboard on, an OSC 52 that reached tmux would land in a paste buffer.
    config.write_text("set -g set-clipboard on\nset -g allow-rename on\n", encoding="utf-8")
    socket = f"C-safety-{os.getpid()}"
    root = Path(__file__).resolve().parent.parent

    def run(*args: str) -> str:
        done = subprocess.run([tmux, "-L", socket, *args], capture_output=True, text=True,
                              timeout=60)
        return done.stdout

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 120  # a generous bound on a busy machine, not a speed test
        while time.monotonic() < deadline:
            screen = run("capture-pane", "-p", "-t", "C1")
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the pane shows:\n{screen}")

    command = (f"cd {shlex.quote(str(root))} && PYTHONPATH={shlex.quote(str(root))} "
               f"{shlex.quote(sys.executable)} -m tui --db {shlex.quote(str(path))}")
    run("-f", str(config), "new-session", "-d", "-s", "C1", "-x", "80", "-y", "24", command)
    try:
        wait_for("Acme")  # the list
        run("send-keys", "-t", "C1", "Enter")
        wait_for("Verify")  # the form, drawn below the company name (tmux reads in order)
        run("send-keys", "-t", "C1", "End")  # move the cursor: the field draws again
        wait_for("^s Save")
        assert "PWNED" not in run("display-message", "-p", "-t", "C1", "#{pane_title}")
        assert run("list-buffers") == ""  # no OSC 52 reached the clipboard
        raw = run("capture-pane", "-p", "-e", "-t", "C1")
        assert "\x1b]" not in raw and "\x9b" not in raw and "\u202e" not in raw
        screen = wait_for("Company Name")
        assert "Acme Ltd␛]2;PWNED␇␛]52;c;SGFja2Vk␇" in screen
    finally:
        run("kill-server")


def test_cli_list_shows_stored_controls_as_symbols(tmp_path: Path) -> None:
    path = _data_file(tmp_path)
    _seed_hostile(path)
    listed = _cli(path, "list")
    assert listed.returncode == 0, listed.stderr
    assert "Acme Ltd␛]2;PWNED␇" in listed.stdout
    assert not _has_control(listed.stdout.replace("\n", ""))
    assert json.loads(_cli(path, "list", "--json").stdout)[0]["company_name"] == NAME  # exact


async def test_a_click_lands_on_the_character_under_the_pointer(tmp_path: Path) -> None:
    path = _data_file(tmp_path)
    _seed_hostile(path)
    async with running_form(path, 1) as (app, pilot, _session):
        name = app.screen.query_one("#company-name", Input)
        drawn = _drawn(name)
        column = drawn.index("P")  # the P of PWNED, after three symbols (ESC ] 2 and ;)
        left, top = (name.content_region.x - name.region.x, name.content_region.y - name.region.y)
        await pilot.click(name, offset=(left + column, top))
        await pilot.pause()
        assert NAME[name.cursor_position] == "P"


async def test_a_stored_user_shows_symbols_and_an_unedited_save_is_refused(tmp_path: Path) -> None:
    path = _data_file(tmp_path)
    store = Store(path)
    store.add_user(User.model_validate(  # as an older file may hold it
        {"name": "Eve" + TITLE, "email": "eve@example.com"}, context=AS_STORED))
    store.close()
    before = path.read_bytes()
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = UsersScreen(app.store)
        await app.push_screen(screen)
        await pilot.pause()
        assert "Eve␛]2;PWNED␇" in _screen_text(app)  # in the table
        screen.query_one("#users").focus()
        await pilot.press("e")
        await pilot.pause()
        name = screen.query_one("#user-name", Input)
        assert name.value == "Eve" + TITLE and "Eve␛]2;PWNED␇" in _drawn(name)
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(screen.query_one("#user-error", Static).render())
        assert error.startswith("Name: contains U+001B (escape) at character 4")
    assert path.read_bytes() == before
