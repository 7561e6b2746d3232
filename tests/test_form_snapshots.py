"""Snapshot tests of the prospect form at a default SSH window (80x24).

Review the SVGs before --snapshot-update: the labels, the Selects with hostile user
names shown as plain text, the errors under their fields, the Footer keys.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from store.models import AS_STORED, User
from store.rules.store import Store
from tui.app import ProspectsApp
from tui.screens.prospect_form import ProspectFormScreen


def make_app(store: Store, db_path: Path) -> ProspectsApp:
    store.add_user(User.model_validate(  # as stored: an older file may hold the ESC
        {"name": "[bold]Grace[/] \x1b[31mHopper\u202e", "email": "grace@example.com",
         "implementation_lead": True}, context=AS_STORED))
    return ProspectsApp(db_path=db_path)


async def _open_form(pilot: Pilot[int]) -> None:
    pilot.app.sub_title = "prospects.json"
    await pilot.app.push_screen(ProspectFormScreen(pilot.app.store))  # type: ignore[attr-defined]
    await pilot.pause()


def test_new_form_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Pick the lead with the hostile name, so the Select shows it as text.
    assert snap_compare(make_app(store, db_path), terminal_size=(80, 24),
                        press=["tab", "tab", "enter", "g", "enter"], run_before=_open_form)


def test_form_errors_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Save with only a too-short name: every required field says what it needs.
    press = ["tab", "tab", "tab", "tab", "I", "B", "M", "ctrl+s"]
    assert snap_compare(make_app(store, db_path), terminal_size=(80, 24), press=press,
                        run_before=_open_form)
