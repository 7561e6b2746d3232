"""Snapshot tests of the list at a default SSH window (80x24); review before --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from store.models import ProductLine, Prospect
from store.rules.store import Store
from tests.seed import seed_prospects
from tui.app import ProspectsApp

NAMES = ["Acme Widgets", "Tom & Jerry [UK] Ltd", "Café Müller", "[bold]Markup[/bold] Ltd",
         "\x1b[31mEscape Inc", "\u202eevil corp", "🚀 Rocket Co", "42 Solutions"]


def make_app(store: Store, db_path: Path) -> ProspectsApp:
    seed_prospects(store, [
        Prospect(company_type="End Customer", company_name=n, domain=f"d{i}.example.com",
                  sector="Retail", implementation_lead=1,
                  products=[ProductLine(product="Mimecast for Mac", seats=5)])
        for i, n in enumerate(NAMES)])
    return ProspectsApp(db_path=db_path)


async def _steady(pilot) -> None:  # type: ignore[no-untyped-def]
    pilot.app.sub_title = "prospects.json"
    await pilot.pause()


def test_list_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(store, db_path), terminal_size=(80, 24), run_before=_steady)


def test_list_searched_and_sorted_at_80x24(snap_compare, store: Store, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(store, db_path), terminal_size=(80, 24),
                        press=["slash", "l", "t", "d", "enter", "r"], run_before=_steady)
