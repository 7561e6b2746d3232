"""Snapshot tests of every screen and modal at a default SSH window (80x24), hostile names in them.

Each picture is reached with key presses as a person would (long text pasted, not typed),
after the file reads in threads are done. What would differ from run to run is pinned:
the title's path, the folders shown (the tests run in tmp_path and name folders relatively),
dates (a provision date far from today's month). Review the SVGs before --snapshot-update:
names verbatim ('[UK]', '&', '[bold]' kept, ESC shown as ␛), nothing cut, the footer keys.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, DirectoryTree, Input

from store.models import (
    AS_STORED,
    DmarcCheck,
    DomainCheck,
    ProductLine,
    Prospect,
    SpfCheck,
    User,
    View,
)
from store.rules.store import Store
from tests.form_helpers import wait_until
from tests.seed import seed_prospects
from tests.upload_files import row, write_csv
from tui.app import ProspectsApp
from tui.modals.choose_lead import ChooseLeadModal
from tui.modals.confirm import ConfirmModal
from tui.screens.upload import UploadScreen

SIZE = (80, 24)
HOSTILE_COMPANY = "Tom & Jerry [UK] Ltd"
PRODUCTS = [ProductLine(product="Email Security Cloud Gateway"),
            ProductLine(product="Mimecast for Mac", seats=25)]
# As stored: an older file may hold an ESC and a right-to-left override in a name.
CONTROL_NAME = "\x1b[31mRed\u202eEvil Ops"
HOSTILE_USERS = [("Tom & Jerry [UK] Ltd", "tom@example.com", True),
                 ("[bold]x[/]", "markup@example.com", False),
                 ("Zoë Ångström 🚀", "zoe@example.com", True),
                 (CONTROL_NAME, "ctrl@example.com", False)]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in tmp_path, so that folders shown relative to it read the same every run."""
    monkeypatch.chdir(tmp_path)


def add_users(store: Store) -> None:
    for name, email, lead in HOSTILE_USERS:
        store.add_user(User.model_validate(
            {"name": name, "email": email, "implementation_lead": lead}, context=AS_STORED))


def add_prospects(store: Store) -> None:
    """Three prospects led by Ada (user 1); the hostile one sorts first."""
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=name, domain=domain, sector="Retail",
                 implementation_lead=1, permitted_users=50, products=PRODUCTS,
                 expected_provision_date=date(2031, 3, 14))
        for name, domain in [(HOSTILE_COMPANY, "tomandjerry.example"),
                             ("[/x] Café Müller", "cafe.example"),
                             ("🚀 Rocket Co", "rocket.example")]])


async def settle(pilot: Pilot[int]) -> None:
    """Wait for the file reads in threads, then for the screen to paint."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def steady(pilot: Pilot[int]) -> None:
    """The first screen loaded, the title's path pinned."""
    pilot.app.sub_title = "prospects.json"
    await settle(pilot)


async def paste(pilot: Pilot[int], text: str) -> None:
    """Paste `text` into the focused widget, as a terminal's bracketed paste does."""
    focused = pilot.app.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def select_prospect(pilot: Pilot[int], name: str) -> None:
    """Search the list for `name` (pasted) and go back to the table, that one selected."""
    await pilot.press("slash")
    await paste(pilot, name)
    await pilot.press("enter")
    await settle(pilot)


def test_users_screen_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_users(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await pilot.press("U")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")  # sorted by name: Tom & Jerry [UK] Ltd

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_choose_lead_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Ada leads prospects: taking her lead flag away asks who takes over, hostile names offered.
    add_users(store)
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await pilot.press("U")
        await settle(pilot)
        await pilot.press("down", "down", "l")  # Ada, third by name; the change waits on the question
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ChooseLeadModal))
        await pilot.pause()

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_order_review_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await select_prospect(pilot, HOSTILE_COMPANY)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_confirm_delete_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await select_prospect(pilot, HOSTILE_COMPANY)
        await pilot.press("d")  # the delete waits on the question: no settle()
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
        await pilot.pause()

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_export_dialog_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await select_prospect(pilot, "[/x]")
        await pilot.press("x")
        await settle(pilot)
        # The file name is offered in the current folder (tmp_path): pin it to a relative one.
        path = pilot.app.screen.query_one("#export-path", Input)
        assert path.value == str(Path.cwd() / "prospects-export.csv")
        path.value = "prospects-export.csv"
        await pilot.pause()

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_date_picker_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The prospect's provision date (2031-03-14) is where the calendar opens: never today's month.
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await select_prospect(pilot, HOSTILE_COMPANY)
        await pilot.press("e")
        await settle(pilot)
        pilot.app.screen.query_one("#provision-date").focus()
        await pilot.pause()
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_key_help_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_column_chooser_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await pilot.press("c", "down", "down", "space", "shift+down")  # Mail hidden, moved down
        await settle(pilot)

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_saved_views_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_prospects(store)
    store.save_view(View(name="Finance, not customers", filter="sector:fin -status:customer",
                         shared=True))
    store.save_view(View(name="Big [Z-A] \u05e9\u05dc\u05d5\u05dd", filter="users:>=500",
                         letter="b", sort="permitted_users", descending=True))

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: pilot.app.screen.__class__.__name__ == "ViewsModal")
        await pilot.pause()  # not settle(): the worker that opened the modal waits on it

    assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)


def test_storage_banner_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Someone deletes the file while the list is open: the next poll raises the banner.
    add_prospects(store)

    async def journey(pilot: Pilot[int]) -> None:
        app = pilot.app
        await steady(pilot)
        db_path.unlink()
        await wait_until(pilot, lambda: bool(app.storage_problem))  # type: ignore[attr-defined]
        for timer in list(app.screen._timers):  # no more polls: the message stays as pinned
            timer.pause()
        await settle(pilot)
        # The message names the file by its full path, different each run: pin the folder.
        problem = app.storage_problem  # type: ignore[attr-defined]
        assert str(db_path) in problem
        app.storage_problem = problem.replace(str(db_path.parent), "/srv/msp")  # type: ignore[attr-defined]
        await pilot.pause()

    app = ProspectsApp(db_path=db_path, poll_seconds=0.1)
    assert snap_compare(app, terminal_size=SIZE, run_before=journey)


def upload_app(store: Store) -> ProspectsApp:
    """Ada and Bob, one prospect already there (for a duplicate), a folder 'uploads'."""
    seed_prospects(store, [Prospect(company_type="End Customer", company_name="Acme Ltd",
                                    domain="acme.example", sector="Retail", implementation_lead=1)])
    Path("uploads").mkdir()
    write_csv(Path("uploads") / "prospects & [UK].csv", [
        row(HOSTILE_COMPANY, "tomandjerry.example"),
        row("[bold]x[/]", "not a domain"),
        row("Acme Again", "acme.example"),
        row("Zoë Ångström 🚀", "zoe.example", implementation_lead="nobody@example.com"),
        row("Rocket Co", "rocket.example", permitted_users="many"),
    ])
    (Path("uploads") / "notes.pdf").write_bytes(b"%PDF")
    return ProspectsApp(store=store)


async def open_upload(pilot: Pilot[int]) -> None:
    # Pressing u opens it on the current folder's full path: open it on 'uploads' instead.
    await steady(pilot)
    await pilot.app.push_screen(UploadScreen(pilot.app.store, folder=Path("uploads")))  # type: ignore[attr-defined]
    await pilot.pause()


def test_upload_report_at_80x24(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    async def journey(pilot: Pilot[int]) -> None:
        await open_upload(pilot)
        await paste(pilot, str(Path("uploads") / "prospects & [UK].csv"))
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.screen.query_one("#import-report", DataTable).focus()
        await pilot.press("down")  # the second report line, spelled out below the table
        await pilot.pause()

    assert snap_compare(upload_app(store), terminal_size=SIZE, run_before=journey)


def test_file_picker_at_80x24(snap_compare, store: Store) -> None:  # type: ignore[no-untyped-def]
    async def journey(pilot: Pilot[int]) -> None:
        await open_upload(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        tree = pilot.app.screen.query_one(DirectoryTree)
        await wait_until(pilot, lambda: bool(tree.root.children))  # its loader never ends
        await pilot.pause()

    assert snap_compare(upload_app(store), terminal_size=SIZE, run_before=journey)


def test_verify_details_at_80x24(snap_compare, store: Store, db_path: Path,  # type: ignore[no-untyped-def]
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    check = DomainCheck(
        verdict="mail", message="receives mail (Mimecast: eu-smtp-inbound-1.mimecast.com)",
        mail_host="Mimecast", checked_at=datetime(2031, 3, 14, 9, 30, tzinfo=UTC),
        mail_provider="Microsoft 365", gateway="Mimecast",
        spf=SpfCheck(record="v=spf1 include:spf.protection.outlook.com [b]x[/b] \x1b[31m -all",
                     vendors=["Microsoft 365"], lookups=1, error="syntax error at '[b]x[/b]'"),
        dmarc=DmarcCheck(record="v=DMARC1; p=none; pct=50", policy="none", pct=50),
        mta_sts=False, tls_rpt=None,
        signals=["already a Mimecast customer", "DMARC p=none: spoofable"])
    seed_prospects(store, [Prospect(company_type="End Customer", company_name=HOSTILE_COMPANY,
                                    domain="tomandjerry.example", sector="Retail",
                                    implementation_lead=1, domain_check=check)])

    async def journey(pilot: Pilot[int]) -> None:
        await steady(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)

    try:  # the check's time is shown in local time: pinned to UTC
        assert snap_compare(ProspectsApp(db_path=db_path), terminal_size=SIZE, run_before=journey)
    finally:
        monkeypatch.undo()
        time.tzset()
