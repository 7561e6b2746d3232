"""The create/edit prospect form, driven with key presses like a person."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import SelectionList

from store.db import Store
from store.models import ProductLine, User
from tests.form_helpers import ADA, BOB, GRACE, FormSession, fill_required, prospect, seed
from tui.app import ProspectsApp
from tui.modals.confirm import ConfirmModal
from tui.modals.date_picker import DatePickerModal
from tui.screens.prospect_form import FormResult, ProspectFormScreen
from tui.widgets.date_input import DateInput

SIZE = (80, 24)


def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "prospects.json"


async def test_fill_every_field_with_keys_save_and_find_it(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, GRACE, BOB)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        s = FormSession(app, pilot)
        await s.open()
        assert app.focused is not None and app.focused.id == "company-type"
        # Top to bottom with Tab, picking and typing as a person would.
        await pilot.press("enter", *"reseller", "enter", "tab")
        await pilot.press("enter", *"health", "enter", "tab")
        await pilot.press("enter", *"ada", "enter", "tab")
        await pilot.press("enter", *"grace", "enter", "tab")
        await pilot.press(*"Northwind Traders Limited", "tab")
        await pilot.press(*"https://www.Northwind.com/about", "tab")
        assert app.focused.id == "verify"
        await pilot.press("tab", *"https://northwind.com", "tab")
        await pilot.press(*"2027-03-15", "tab")
        assert app.focused.id == "provision-date-calendar"
        await pilot.press("tab", *"250", "tab")
        assert app.focused.id == "products"
        # The product list: Email Security Cloud Gateway is first, Mimecast for Mac is tenth.
        await pilot.press("space")
        assert app.screen.query_one("#seats-mimecast-for-mac-row").display is False
        await pilot.press(*["down"] * 9, "space", "tab")
        assert app.focused.id == "seats-mimecast-for-mac"
        await pilot.press(*"25", "tab")
        assert app.focused.id == "save"
        await pilot.press("enter")
        await s.settle()

    assert s.results == [FormResult(1, review_order=False)]
    fresh = Store(path)
    saved = fresh.get_prospect(1)
    assert saved.company_type == "Reseller"
    assert saved.sector == "Healthcare"
    assert saved.implementation_lead == 1 and saved.secondary_contact == 2
    assert saved.company_name == "Northwind Traders Limited"
    assert saved.domain == "northwind.com"
    assert saved.website == "https://northwind.com"
    assert saved.expected_provision_date == date(2027, 3, 15)
    assert saved.permitted_users == 250
    assert saved.products == [
        ProductLine(product="Email Security Cloud Gateway"),
        ProductLine(product="Mimecast for Mac", seats=25),
    ]


async def test_saved_prospect_shows_in_the_list(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        s = FormSession(app, pilot)
        await s.open()
        await fill_required(s)
        await pilot.press("ctrl+s")
        await s.settle()
        assert s.results == [FormResult(1)]
        assert app.screen.query_one("#prospects").row_count == 1
