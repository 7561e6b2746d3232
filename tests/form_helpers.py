"""Helpers for the prospect form's Pilot tests: open the form, type like a person."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from store.models import Prospect, User
from store.rules.store import Store
from tui.app import ProspectsApp
from tui.modals.confirm import ConfirmModal
from tui.screens.prospect_form import FormResult, ProspectFormScreen

ADA = User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True)
GRACE = User(name="Grace Hopper", email="grace@example.com", implementation_lead=True)
BOB = User(name="Bob Plain", email="bob@example.com")


def seed(path: Path, *users: User, prospects: tuple[Prospect, ...] = ()) -> None:
    """Write users (and prospects) to a new data file, then let it go."""
    store = Store(path)
    for user in users:
        store.add_user(user)
    for prospect in prospects:
        store.create_prospect(prospect)
    store.close()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], limit: float = 10) -> None:
    """Let the app run until `condition()` holds (a poll or a worker did its part)."""
    for _ in range(int(limit / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    app = pilot.app
    assert condition(), (f"the app never got there: screen {app.screen!r}, focus {app.focused!r}, "
                         f"notices {[n.message for n in app._notifications]}")


def prospect(**fields: Any) -> Prospect:
    """A valid prospect led by user 1 (Ada, when seeded first)."""
    values: dict[str, Any] = {
        "company_type": "End Customer", "company_name": "Contoso Limited",
        "domain": "contoso.com", "sector": "Retail", "implementation_lead": 1,
    }
    return Prospect(**{**values, **fields})


SIZE = (80, 24)


def screen_text(app: ProspectsApp) -> str:
    """What the terminal shows now, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def record_threads(store: Store, *names: str) -> dict[str, threading.Thread]:
    """Wrap store methods to note the thread each last ran in."""
    threads: dict[str, threading.Thread] = {}
    for name in names:
        method = getattr(store, name)

        def wrapped(*args, _name=name, _method=method, **kwargs):  # type: ignore[no-untyped-def]
            threads[_name] = threading.current_thread()
            return _method(*args, **kwargs)

        setattr(store, name, wrapped)
    return threads


class FormSession:
    """A running app with the form pushed; `results` collects what it dismissed with."""

    def __init__(self, app: ProspectsApp, pilot: Pilot[Any]) -> None:
        self.app, self.pilot = app, pilot
        self.results: list[FormResult | None] = []

    async def open(self, prospect_id: int | None = None, **kwargs: Any) -> ProspectFormScreen:
        await self.pilot.pause()
        form = ProspectFormScreen(self.app.store, prospect_id, **kwargs)

        def done(result: FormResult | None) -> None:
            self.results.append(result)
            show_latest = getattr(self.app.screen, "show_latest", None)  # as the list does
            if show_latest is not None:
                show_latest()

        self.app.push_screen(form, done)
        await self.pilot.pause()
        return form

    @property
    def form(self) -> ProspectFormScreen:
        screen = self.app.screen
        assert isinstance(screen, ProspectFormScreen), screen
        return screen

    async def focus(self, selector: str) -> None:
        self.app.screen.query_one(selector).focus()
        await self.pilot.pause()

    async def type(self, selector: str, text: str) -> None:
        """Focus an input, clear it, and type text key by key."""
        await self.focus(selector)
        await self.pilot.press("ctrl+a", "ctrl+k")  # start, then delete to the end
        await self.pilot.press(*text)

    async def paste(self, selector: str, text: str) -> None:
        """Focus an input, clear it, and paste text in one event, as a terminal does."""
        await self.focus(selector)
        widget = self.app.screen.query_one(selector, Input)
        widget.value = ""
        widget.post_message(events.Paste(text))
        await self.pilot.pause()

    async def choose(self, selector: str, search: str) -> None:
        """Open a Select with Enter, type to find an option, Enter to pick it."""
        await self.focus(selector)
        await self.pilot.press("enter", *search, "enter")

    def value(self, selector: str) -> Any:
        widget = self.app.screen.query_one(selector)
        if isinstance(widget, Select):
            return widget.selection
        assert isinstance(widget, Input)
        return widget.value

    def error(self, widget_id: str, kind: str = "error") -> str:
        """The error (or warning) shown under a field, '' when none is shown."""
        notes = self.app.screen.query(f"#{widget_id}-{kind}").results(Static)
        return next((str(n.visual) for n in notes if n.display), "")

    def text_of(self, selector: str) -> str:
        static = self.app.screen.query_one(selector, Static)
        return str(static.visual) if static.display else ""

    async def save(self, key: str = "ctrl+s") -> None:
        """Press a save key and, when the form asks "Save anyway?" about an unverified
        domain, answer yes (as a person who knows the domain is right would)."""
        await self.pilot.press(key)
        await self.pilot.pause()
        if isinstance(self.app.screen, ConfirmModal) and "Save anyway" in self.app.screen.question:
            await self.pilot.press("y")
            await self.pilot.pause()

    async def settle(self) -> None:
        """Wait for workers (save, verify) and the messages they post."""
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()
        await self.pilot.pause()


async def fill_required(s: FormSession, *, name: str = "Northwind Ltd",
                        domain: str = "northwind.com") -> None:
    """Fill the five required fields: the Selects with keys, the texts pasted (Pilot keys are
    slow; typing every field is test_fill_every_field_with_keys_save_and_find_it's job)."""
    await s.choose("#company-type", "r")  # Reseller
    await s.choose("#sector", "he")  # Healthcare
    await s.choose("#lead", "a")  # Ada
    await s.paste("#company-name", name)
    await s.paste("#domain", domain)


@asynccontextmanager
async def running_form(
    path: Path, prospect_id: int | None = None, **open_kwargs: Any
) -> AsyncIterator[tuple[ProspectsApp, Pilot[Any], FormSession]]:
    """The app on `path` at 80x24 with the form open (on `prospect_id`, or new)."""
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        session = FormSession(app, pilot)
        await session.open(prospect_id, **open_kwargs)
        yield app, pilot, session
