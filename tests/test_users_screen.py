"""Pilot tests for the Users screen: keys pressed like a person, then the file read afresh."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from store.models import AS_STORED, Prospect, User
from store.rules.store import Store
from tests.form_helpers import record_threads
from tui.app import ProspectsApp
from tui.modals.choose_lead import ChooseLeadModal
from tui.modals.confirm import ConfirmModal
from tui.screens.users import UsersScreen

SIZE = (80, 24)
HOSTILE = ["[/]", "[bold]x", "\x1b[31mred", "\u202eevil", "N" * 5000]


def screen_text(app: ProspectsApp) -> str:
    """What the terminal shows now, as plain text (toasts included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def record_notifications(app: ProspectsApp) -> list[tuple[str, dict[str, object]]]:
    """Keep every notify() call, to check that none reads user data as markup."""
    calls: list[tuple[str, dict[str, object]]] = []
    original = app.notify

    def notify(message: str, **kwargs: object) -> None:
        calls.append((message, kwargs))
        original(message, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return calls


def make_prospect(store: Store, lead: int, secondary: int | None = None, name: str = "Acme Ltd",
                  domain: str = "acme.example") -> Prospect:
    return store.create_prospect(Prospect(
        company_type="End Customer", company_name=name, domain=domain, sector="Retail",
        implementation_lead=lead, secondary_contact=secondary,
    ))


async def open_users(app: ProspectsApp, pilot) -> UsersScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    screen = UsersScreen(app.store)
    await app.push_screen(screen)
    await pilot.pause()  # the count starts once the screen has painted
    await app.workers.wait_for_complete()  # the file is read in a thread
    await pilot.pause()
    return screen


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "p.json"


async def test_add_a_lead_with_the_keyboard(path: Path) -> None:
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        assert app.focused is screen.query_one("#user-name")  # no users yet: type straight away
        await pilot.press(*"Ada Lovelace", "tab", *"ada@example.com", "tab", "space", "tab", "enter")
        await pilot.pause()
        assert screen.query_one("#users", DataTable).row_count == 1
        assert screen.query_one("#user-name", Input).value == ""  # ready for the next one
    users = Store(path).users()
    assert [(u.name, u.email, u.implementation_lead) for u in users] == [
        ("Ada Lovelace", "ada@example.com", True)
    ]


async def test_bad_and_duplicate_email_are_shown_inline_naming_the_field(path: Path) -> None:
    Store(path).add_user(User(name="Ada Lovelace", email="ada@example.com"))
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        await pilot.press("ctrl+n", *"Bob", "tab", *"not-an-email", "enter")
        await pilot.pause()
        error = str(screen.query_one("#user-error", Static).render())
        assert error.startswith("E-mail:") and "not an e-mail address" in error
        assert app.focused is screen.query_one("#user-email")
        assert screen.query_one("#user-email").has_class("-invalid")

        email = screen.query_one("#user-email", Input)
        email.value = ""
        await pilot.press(*"ADA@Example.com", "enter")
        await pilot.pause()
        error = str(screen.query_one("#user-error", Static).render())
        assert error.startswith("E-mail:") and "already belongs to 'Ada Lovelace'" in error
        assert screen.query_one("#user-name", Input).value == "Bob"  # nothing typed is lost
    assert [u.name for u in Store(path).users()] == ["Ada Lovelace"]


async def test_duplicate_added_by_another_session_meanwhile(path: Path) -> None:
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        Store(path).add_user(User(name="Other Session", email="same@example.com"))
        await pilot.press(*"Mine", "tab", *"same@example.com", "enter")
        await pilot.pause()
        error = str(screen.query_one("#user-error", Static).render())
        assert error.startswith("E-mail:") and "Other Session" in error
    assert [u.name for u in Store(path).users()] == ["Other Session"]


async def test_edit_a_user_from_the_table(path: Path) -> None:
    store = Store(path)
    store.add_user(User(name="Ada Lovelace", email="ada@example.com"))
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        await pilot.press("enter")  # the table has focus: edit the highlighted user
        await pilot.pause()
        assert screen.has_class("-editing")
        assert screen.query_one("#user-email", Input).value == "ada@example.com"
        await pilot.press("end", *" King", "tab", "tab", "space", "ctrl+s")
        await pilot.pause()
        assert not screen.has_class("-editing")
    [user] = Store(path).users()
    assert (user.name, user.implementation_lead) == ("Ada Lovelace King", True)


async def test_unflag_a_named_lead_needs_a_replacement(path: Path) -> None:
    store = Store(path)
    ada = store.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    bob = store.add_user(User(name="Bob", email="bob@example.com", implementation_lead=True))
    assert ada.id is not None and bob.id is not None
    prospect = make_prospect(store, ada.id)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        # Ada is the first row. First try: cancel the choice; nothing changes.
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ChooseLeadModal)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert Store(path).get_prospect(prospect.id or 0).implementation_lead == ada.id
        # Second try, through the form: untick the lead box, save, choose Bob.
        await pilot.press("enter", "tab", "tab", "space", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChooseLeadModal)
        assert app.screen.query_one(OptionList).option_count == 1  # only Bob, never Ada
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
    fresh = Store(path)
    assert fresh.get_prospect(prospect.id or 0).implementation_lead == bob.id
    assert [u.name for u in fresh.leads()] == ["Bob"]


async def test_no_other_lead_means_no_unflag(path: Path) -> None:
    store = Store(path)
    ada = store.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    assert ada.id is not None
    make_prospect(store, ada.id)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await open_users(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ChooseLeadModal)
        assert "no other implementation lead" in screen_text(app)
        await pilot.press("enter")  # the only button: Cancel
        await pilot.pause()
    assert [u.name for u in Store(path).leads()] == ["Ada"]


async def test_remove_a_named_user_hands_prospects_over(path: Path) -> None:
    store = Store(path)
    ada = store.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    bob = store.add_user(User(name="Bob", email="bob@example.com", implementation_lead=True))
    cy = store.add_user(User(name="Cy", email="cy@example.com", implementation_lead=True))
    assert ada.id and bob.id and cy.id
    led = make_prospect(store, ada.id, bob.id)
    seconded = make_prospect(store, cy.id, ada.id, name="Beta", domain="beta.example")
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await open_users(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ChooseLeadModal)
        await pilot.press("down", "enter")  # Bob, Cy: choose Cy
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await pilot.pause()
    fresh = Store(path)
    assert [u.name for u in fresh.users()] == ["Bob", "Cy"]
    assert fresh.get_prospect(led.id or 0).implementation_lead == cy.id
    assert fresh.get_prospect(seconded.id or 0).secondary_contact is None


async def test_remove_asks_first(path: Path) -> None:
    Store(path).add_user(User(name="Ada", email="ada@example.com"))
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await pilot.pause()
        assert Store(path).users()
        await pilot.press("d", "y")
        await pilot.pause()
        assert screen.query_one("#users", DataTable).row_count == 0
        await pilot.press("escape")  # back to the list
        await pilot.pause()
        assert app.screen is not screen
    assert Store(path).users() == []


async def test_hostile_names_render_literally(path: Path) -> None:
    store = Store(path)
    for n, name in enumerate(HOSTILE):
        # Controls are refused at the edge; an older file may hold them anyway.
        store.add_user(User.model_validate(
            {"name": name, "email": f"u{n}@example.com", "implementation_lead": True},
            context=AS_STORED))
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        calls = record_notifications(app)
        screen = await open_users(app, pilot)
        shown = screen_text(app)
        for literal in ("[/]", "[bold]x", "[31mred", "evil", "NNNN"):
            assert literal in shown
        assert "\x1b" not in shown and "\u202e" not in shown
        # Flag each one off and on again: every notification names them.
        for row in range(len(HOSTILE)):
            screen.query_one("#users", DataTable).move_cursor(row=row)
            await pilot.press("l")
            await pilot.pause()
        shown = screen_text(app)
        assert "[bold]x" in shown or "[/]" in shown  # in a toast, literally
        assert calls and all(kwargs.get("markup") is False for _, kwargs in calls)
        assert not any("\x1b" in message or "\u202e" in message for message, _ in calls)
        # Edit the 5,000-character name: the form refuses to keep it, naming the field.
        long_row = next(i for i, u in enumerate(screen.user_list) if u.name.startswith("NNN"))
        screen.query_one("#users", DataTable).move_cursor(row=long_row)
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
        assert str(screen.query_one("#user-error", Static).render()).startswith("Name:")
    assert len(Store(path).users()) == len(HOSTILE)


def _app_with_a_lead_and_a_prospect(path: Path) -> ProspectsApp:
    """The app on a file where Ada leads one prospect (what the count tests count)."""
    store = Store(path)
    ada = store.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    make_prospect(store, ada.id or 0)
    store.close()
    return ProspectsApp(db_path=path)


async def test_prospects_are_counted_off_the_event_loop(path: Path) -> None:
    app = _app_with_a_lead_and_a_prospect(path)
    async with app.run_test(size=SIZE) as pilot:
        threads = record_threads(app.store, "named_counts")
        screen = await open_users(app, pilot)
        assert screen.query_one("#users", DataTable).get_row_at(0)[3].plain == "1"
    # The count scans every prospect (200 ms at 100k): never on the event loop.
    assert threads["named_counts"] is not threading.main_thread()


async def test_prospects_are_counted_only_after_the_screen_is_shown(path: Path) -> None:
    # The count runs in a thread that shares the GIL: started while the screen lays
    # itself out, it made opening Users at 100k prospects freeze the screen longer.
    app = _app_with_a_lead_and_a_prospect(path)
    shown_when_counted: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        counts = app.store.named_counts

        def noting() -> Counter[int]:
            if isinstance(app.screen, UsersScreen):
                shown_when_counted.append(app.screen.query_one("#users").size.area > 0)
            return counts()

        app.store.named_counts = noting  # type: ignore[method-assign]
        screen = await open_users(app, pilot)
        assert screen.query_one("#users", DataTable).get_row_at(0)[3].plain == "1"
    assert shown_when_counted == [True]


async def test_a_refused_user_points_at_the_field_and_shows_why(path: Path) -> None:
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_users(app, pilot)
        await pilot.press(*"Ada Lovelace", "tab", *"not-an-email", "ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert app.focused is screen.query_one("#user-email")
        assert "is not an e-mail address (name@example.com)" in screen_text(app)
    assert Store(path).users() == []
