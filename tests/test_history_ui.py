"""The History panel: from the list (h) and the form (F7), at 80x24, values verbatim without
control characters."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from store.models import ProductLine, Prospect
from store.rules.store import Store
from tests.form_helpers import wait_until
from tui.app import ProspectsApp
from tui.modals.history import HistoryModal


def entries_text(app: ProspectsApp) -> str:
    return str(app.screen.query_one("#history-entries", Static).render())


async def test_history_from_the_list_and_the_form(store: Store, db_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROSPECTS_USER", "Grace [ops]")
    made = store.create_prospect(Prospect(company_type="End Customer", company_name="Acme Ltd",
                                          domain="acme.example.com", sector="Retail",
                                          implementation_lead=1))
    store.update_prospect(made.model_copy(update={"company_name": "Evil \x1b]0;x\x07 [red]Ltd"}))
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryModal))
        text = entries_text(app)
        assert "Grace [ops]  created via form" in text and "Grace [ops]  edited" in text
        assert "company_name: 'Acme Ltd' -> 'Evil \u241b]0;x\u2407 [red]Ltd'" in text
        assert "\x1b" not in text and "\x07" not in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HistoryModal))
        await pilot.press("e")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ProspectFormScreen")
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryModal))
        assert entries_text(app) == text


async def test_a_save_keeps_the_products_order_and_records_only_what_changed(
        store: Store, db_path: Path) -> None:
    # The picker used to hand products back in catalog order: a save of another field
    # reordered them, and the history showed a change nobody made.
    stored = [ProductLine(product="Cloud Archive"), ProductLine(product="Email Continuity")]
    made = store.create_prospect(Prospect(company_type="End Customer", company_name="Acme Ltd",
                                          domain="acme.example.com", sector="Retail",
                                          implementation_lead=1, products=stored))
    assert made.id is not None
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ProspectFormScreen")
        await pilot.pause()
        app.screen.query_one("#company-name", Input).value = "Acme Renamed Ltd"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ != "ProspectFormScreen")
    saved = Store(db_path).get_prospect(made.id)
    assert saved.company_name == "Acme Renamed Ltd"
    assert [line.product for line in saved.products] == ["Cloud Archive", "Email Continuity"]
    assert list(Store(db_path).history(made.id)[-1]["changes"]) == ["company_name"]


@pytest.mark.parametrize("backend", ["tinydb", "postgres"], indirect=True)
async def test_an_open_history_shows_another_sessions_save(
        store: Store, db_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    made = store.create_prospect(Prospect(company_type="End Customer", company_name="Acme Ltd",
                                          domain="acme.example.com", sector="Retail",
                                          implementation_lead=1))
    app = ProspectsApp(db_path=db_target, poll_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryModal))
        assert "created via form" in entries_text(app) and "edited" not in entries_text(app)
        monkeypatch.setenv("PROSPECTS_USER", "Grace at the other desk")
        other = Store(db_target)  # another session on the same database
        other.update_prospect(made.model_copy(update={"sector": "Healthcare"}))
        other.close()
        await wait_until(pilot, lambda: "sector: 'Retail' -> 'Healthcare'" in entries_text(app))
        assert "Grace at the other desk  edited" in entries_text(app)
        assert isinstance(app.screen, HistoryModal)  # still open, where it was
