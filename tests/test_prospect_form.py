"""The create/edit prospect form, driven with key presses like a person."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, SelectionList

from store.models import AS_STORED, ProductLine, Prospect, User
from store.rules.store import Store
from store.text import clean_for_display
from tests.form_helpers import (
    ADA,
    BOB,
    GRACE,
    FormSession,
    fill_required,
    prospect,
    record_threads,
    running_form,
    screen_text,
    seed,
    wait_until,
)
from tui.app import ProspectsApp
from tui.modals.confirm import ConfirmModal
from tui.modals.date_picker import DatePickerModal
from tui.screens.prospect_form import FormResult, ProspectFormScreen
from tui.screens.users import UsersScreen
from tui.widgets.date_input import DateInput
from tui.widgets.prospect_table import ProspectTable

SIZE = (80, 24)


def db(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir(mode=0o700, exist_ok=True)
    return tmp_path / "data" / "prospects.json"


async def test_fill_every_field_with_keys_save_and_find_it(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, GRACE, BOB)
    async with running_form(path) as (app, pilot, s):
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
        await pilot.pause()
        # Not verified: the form asks once, and y answers "Save anyway".
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
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
    async with running_form(path) as (app, pilot, s):
        await fill_required(s)
        await s.save()
        await s.settle()
        assert s.results == [FormResult(1)]
        assert app.screen.query_one("#prospects", ProspectTable).row_count == 1


async def test_review_order_saves_then_asks_for_the_order(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await fill_required(s)
        await s.save("ctrl+r")
        await s.settle()
    assert s.results == [FormResult(1, review_order=True)]
    assert Store(path).get_prospect(1).company_name == "Northwind Ltd"


async def test_typed_date_lands_exactly_as_typed(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await s.type("#provision-date", "2027-03-15")
        field = app.screen.query_one("#provision-date", DateInput)
        assert field.value == "2027-03-15" and field.date_value == date(2027, 3, 15)
        # Eight bare digits become YYYY-MM-DD when the field is left, never reordered.
        await s.type("#provision-date", "20270315")
        assert field.value == "20270315"
        await pilot.press("tab")
        assert field.value == "2027-03-15"
        # Letters cannot land in it at all.
        await s.type("#provision-date", "2027-0x3-15")
        assert field.value == "2027-03-15"


async def test_calendar_picks_a_date_with_the_keyboard(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await s.type("#provision-date", "2027-03-15")
        await pilot.press("f4")
        assert isinstance(app.screen, DatePickerModal)
        # One day on, a week on, a month on: 2027-04-23.
        await pilot.press("right", "down", "pagedown", "enter")
        field = app.screen.query_one("#provision-date", DateInput)
        assert field.value == "2027-04-23"
        assert app.focused is field
        # Escape closes the calendar and changes nothing.
        await pilot.press("f4", "left", "escape")
        assert field.value == "2027-04-23"


async def test_missing_required_fields_are_shown_and_focus_jumps_to_the_first(
    tmp_path: Path,
) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await s.paste("#website", "https://northwind.com")
        await s.save()
        await s.settle()
        assert s.error("company-type") == "Company Type is required"
        assert s.error("sector") == "Sector is required"
        assert s.error("lead").startswith("Implementation Lead is required")
        assert s.error("company-name") == "Company Name is required"
        assert s.error("domain") == "Domain is required"
        assert s.error("website") == ""
        assert "5 fields to correct" in s.text_of("#form-message")
        assert app.focused is not None and app.focused.id == "company-type"
        # Nothing typed is lost, and nothing was written.
        assert s.value("#website") == "https://northwind.com"
        assert s.results == []
        assert Store(path).prospect_rows() == []
        # Fixing a field clears its error; the others stay until the next save.
        await s.choose("#company-type", "r")
        assert s.error("company-type") == ""
        assert s.error("sector") == "Sector is required"


async def test_focus_goes_to_the_first_bad_field_in_form_order(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await fill_required(s, name="", domain="exa mple.com")
        await s.type("#permitted-users", "abc")
        await s.save()
        await s.settle()
        assert app.focused is not None and app.focused.id == "company-name"
        assert "spaces are not allowed" in s.error("domain")
        assert s.error("permitted-users") == (
            "Permitted Users: 'abc' must be a whole number of 1 or more"
        )
        assert s.value("#domain") == "exa mple.com"


async def test_permitted_users_must_be_a_whole_number_of_one_or_more(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await fill_required(s)
        for bad in ("0", "-3", "2.5"):
            await s.type("#permitted-users", bad)
            await s.save()
            await s.settle()
            assert s.error("permitted-users") == (
                f"Permitted Users: '{bad}' must be a whole number of 1 or more"
            )
            assert app.focused is not None and app.focused.id == "permitted-users"
        await s.type("#permitted-users", "1,200")
        await s.save()
        await s.settle()
    assert Store(path).get_prospect(1).permitted_users == 1200


async def test_a_product_that_needs_seats_asks_for_them(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await fill_required(s)
        row = app.screen.query_one("#seats-mimecast-for-mac-row")
        assert row.display is False
        await s.focus("#products")
        await pilot.press("end", "up", "up", "up", "enter")  # Mimecast for Mac
        assert app.screen.query_one("#products", SelectionList).selected == ["Mimecast for Mac"]
        assert row.display is True
        await s.save()
        await s.settle()
        assert s.error("seats-mimecast-for-mac") == (
            "Seats for Mimecast for Mac is required: a whole number of 1 or more"
        )
        assert app.focused is not None and app.focused.id == "seats-mimecast-for-mac"
        await pilot.press(*"none")
        await s.save()
        await s.settle()
        assert "'none' must be a whole number of 1 or more" in s.error("seats-mimecast-for-mac")
        await s.type("#seats-mimecast-for-mac", "40")
        assert s.error("seats-mimecast-for-mac") == ""
        await s.save()
        await s.settle()
    assert Store(path).get_prospect(1).products == [ProductLine(product="Mimecast for Mac",
                                                                seats=40)]


async def test_unticking_a_product_drops_its_seats(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await fill_required(s)
        await s.focus("#products")
        await pilot.press("end", "up", "up", "up", "space", "tab", "1", "2")
        await s.focus("#products")
        await pilot.press("space")  # untick: its seats input hides, and is not asked for
        assert app.screen.query_one("#seats-mimecast-for-mac-row").display is False
        await s.save()
        await s.settle()
    assert Store(path).get_prospect(1).products == []


async def test_an_abbreviated_name_warns_but_never_blocks(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await fill_required(s, name="IBM")
        assert "looks like an abbreviation" in s.error("company-name", "warning")
        await s.save()
        await s.settle()
        assert s.results == [FormResult(1)]
    assert Store(path).get_prospect(1).company_name == "IBM"


async def test_secondary_contact_must_not_be_the_lead(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, GRACE, BOB)
    async with running_form(path) as (app, pilot, s):
        form = s.form
        await fill_required(s)
        # Only implementation leads are offered; Bob is not one.
        options = [str(prompt) for prompt, _ in form.query_one("#lead", Select)._options[1:]]
        assert options == ["Ada Lovelace <ada@example.com>", "Grace Hopper <grace@example.com>"]
        await s.choose("#secondary-contact", "a")
        await s.save()
        await s.settle()
        assert s.error("secondary-contact") == (
            "Secondary Implementation Contact must be someone other than the implementation lead"
        )
        await s.choose("#secondary-contact", "g")
        await s.save()
        await s.settle()
    assert Store(path).get_prospect(1).secondary_contact == 2


async def test_escape_asks_before_throwing_away_changes(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await pilot.press("escape")  # nothing typed: leaves at once
        assert s.results == [None]
        await s.open()
        await s.type("#company-name", "Half typed")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # "Keep editing"
        assert isinstance(app.screen, ProspectFormScreen)
        assert s.value("#company-name") == "Half typed"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert s.results == [None, None]
        assert not isinstance(app.screen, ProspectFormScreen)
    assert Store(path).prospect_rows() == []


async def test_escape_closes_an_open_select_first(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await pilot.press("enter", "escape")
        assert isinstance(app.screen, ProspectFormScreen)
        assert s.results == []


async def test_edit_loads_the_prospect_and_saves_changes(tmp_path: Path) -> None:
    path = db(tmp_path)
    original = prospect(website="https://contoso.com", permitted_users=50,
                        expected_provision_date=date(2027, 1, 31), secondary_contact=2,
                        products=[ProductLine(product="Mimecast for Mac", seats=5)])
    seed(path, ADA, GRACE, prospects=(original,))
    async with running_form(path, 1) as (app, pilot, s):
        form = s.form
        assert form.sub_title == "Edit prospect"
        assert s.value("#company-type") == "End Customer"
        assert s.value("#sector") == "Retail"
        assert s.value("#lead") == 1 and s.value("#secondary-contact") == 2
        assert s.value("#company-name") == "Contoso Limited"
        assert s.value("#domain") == "contoso.com"
        assert s.value("#website") == "https://contoso.com"
        assert s.value("#provision-date") == "2027-01-31"
        assert s.value("#permitted-users") == "50"
        assert s.value("#seats-mimecast-for-mac") == "5"
        await s.paste("#company-name", "Contoso Group Limited")
        await s.save()
        await s.settle()
    assert s.results == [FormResult(1)]
    saved = Store(path).get_prospect(1)
    assert saved.company_name == "Contoso Group Limited" and saved.version == 2
    assert saved.products == [ProductLine(product="Mimecast for Mac", seats=5)]


async def test_saving_an_unchanged_prospect_writes_nothing(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(),))
    async with running_form(path, 1) as (app, pilot, s):
        await s.save("ctrl+r")
        await s.settle()
    assert s.results == [FormResult(1, review_order=True)]
    assert Store(path).get_prospect(1).version == 1


async def test_a_stale_save_is_refused_theirs_kept_yours_still_in_the_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = db(tmp_path)
    monkeypatch.setenv("PROSPECTS_USER", "Grace [ops]")
    seed(path, ADA, prospects=(prospect(),))
    async with running_form(path, 1) as (app, pilot, s):
        # Someone else, in another session, saves the same prospect meanwhile.
        other = Store(path)
        theirs = other.get_prospect(1).model_copy(update={"website": "https://theirs.example"})
        other.update_prospect(theirs)
        other.close()
        await s.paste("#company-name", "Contoso Mine Limited")
        await s.save()
        await s.settle()
        message = s.text_of("#form-message")
        assert "changed by 'Grace [ops]' at 20" in message  # who saved it, and when
        assert "since you opened it" in message
        assert "your changes are still in the form" in message
        assert isinstance(app.screen, ProspectFormScreen)
        assert s.value("#company-name") == "Contoso Mine Limited"
        assert any("changed by 'Grace [ops]'" in n.message for n in app._notifications)
        assert s.results == []
    kept = Store(path).get_prospect(1)
    assert kept.website == "https://theirs.example"
    assert kept.company_name == "Contoso Limited"


async def test_saving_a_prospect_someone_deleted_offers_to_add_it_again(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(),))
    async with running_form(path, 1) as (app, pilot, s):
        other = Store(path)
        other.delete_prospect(1, 1)
        other.close()
        await s.paste("#company-name", "Contoso Again Limited")
        await s.save()
        await s.settle()
        assert "deleted by someone else" in s.text_of("#form-message")
        assert not app.screen.query("#delete")
        await s.save()
        await s.settle()
    [result] = s.results
    assert result is not None
    assert Store(path).get_prospect(result.prospect_id).company_name == "Contoso Again Limited"


async def test_delete_asks_first(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(company_name="Doomed [bold]Ltd[/]"),))
    async with running_form(path, 1) as (app, pilot, s):
        await s.focus("#company-name")
        await pilot.press("ctrl+d")  # priority over the Input's own ctrl+d
        assert isinstance(app.screen, ConfirmModal)
        assert "Doomed [bold]Ltd[/]" in str(app.screen.query_one("#question").visual)
        await pilot.press("n")
        assert isinstance(app.screen, ProspectFormScreen)
        assert Store(path).get_prospect(1).version == 1
        await pilot.press("ctrl+d", "y")
        await s.settle()
        assert s.results == [FormResult(1, deleted=True)]
        assert app.screen.query_one("#prospects", ProspectTable).row_count == 0
    assert Store(path).prospect_rows() == []


async def test_ctrl_d_in_a_new_form_is_the_inputs_own(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await s.type("#company-name", "Acme")
        await pilot.press("home", "ctrl+d")
        assert s.value("#company-name") == "cme"
        assert not app.screen.query("#delete")


async def test_saving_a_domain_already_here_is_refused_under_the_domain(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(domain="northwind.com"),))
    async with running_form(path) as (app, pilot, s):
        await fill_required(s, domain="https://www.NorthWind.com/contact")
        await s.save()
        await s.settle()
        assert "northwind.com is already prospect 'Contoso Limited'" in s.error("domain")
        assert app.focused is not None and app.focused.id == "domain"
        assert s.results == []
    assert len(Store(path).prospect_rows()) == 1


async def test_no_lead_yet_offers_to_open_users(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, BOB)
    async with running_form(path) as (app, pilot, s):
        assert "no implementation leads yet" in s.text_of("#no-leads-text")
        await s.focus("#open-users")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UsersScreen)  # the app's own Users screen
        # A lead is added there (here straight through the store), then Escape comes back.
        app.store.add_user(User(name="Lea Lead", email="lea@example.com",
                                implementation_lead=True))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProspectFormScreen)
        assert not app.screen.query("#no-leads")
        await fill_required(s, name="Northwind Ltd")  # "a" finds the only lead, Lea
        await s.save()
        await s.settle()
    assert Store(path).get_prospect(1).implementation_lead == 2


async def test_the_form_scrolls_at_80x24_and_tab_reaches_the_buttons(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        form = s.form
        order = []
        for _ in range(12):
            await pilot.press("tab")
            order.append(app.focused.id if app.focused else None)
        assert order == [
            "sector", "lead", "secondary-contact", "company-name", "domain", "verify",
            "website", "provision-date", "provision-date-calendar", "permitted-users",
            "products", "save",
        ]
        await pilot.pause()
        body = form.query_one("#form-body")
        assert body.scroll_y > 0
        save = form.query_one("#save")
        assert save.region.bottom <= 23 and save.region.y >= 1  # on screen, above the Footer


def test_every_key_has_a_description_for_the_footer_and_palette() -> None:
    for binding in ProspectFormScreen.BINDINGS:
        assert binding.description and binding.id  # type: ignore[union-attr]


# Control characters are refused at the edge and shown as symbols: test_terminal_safety.py
HOSTILE = "[bold]Tom & Jerry [UK][/] 👍🏽 red"
SHOWN = clean_for_display(HOSTILE)  # markup left as text


def _plain(app: ProspectsApp) -> str:
    import html  # noqa: PLC0415

    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_hostile_text_is_never_markup_anywhere_in_the_form(tmp_path: Path) -> None:
    path = db(tmp_path)
    leads = [User.model_validate(  # as stored: an older file may hold the ESC
        {"name": name, "email": f"lead{i}@example.com", "implementation_lead": True},
        context=AS_STORED)
        for i, name in enumerate(["[/]", "[bold]Bold Lead", "\x1b[31mRed\u202eLead", "L" * 5000])]
    seed(path, *leads)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=(120, 40)) as pilot:
        s = FormSession(app, pilot)
        form = await s.open()
        prompts = [str(p) for p, _ in form.query_one("#lead", Select)._options[1:]]
        assert "[bold]Bold Lead <lead1@example.com>" in prompts
        assert f"{clean_for_display(leads[2].name)} <lead2@example.com>" in prompts
        assert all("\x1b" not in p and "\u202e" not in p and len(p) < 120 for p in prompts)
        await s.choose("#lead", "[bold")  # type-to-search finds the literal text
        assert s.value("#lead") == 2
        await s.choose("#secondary-contact", "[/]")
        assert s.value("#secondary-contact") == 1
        assert "[bold]Bold Lead" in _plain(app)
        # Pasted into every field (assigning value is what a paste does).
        pasted = {"#company-name": HOSTILE, "#domain": HOSTILE, "#website": "[/]",
                  "#provision-date": "[bold]", "#permitted-users": "[/]"}
        for selector, text in pasted.items():
            form.query_one(selector).value = text
        await s.choose("#company-type", "r")
        await s.choose("#sector", "he")
        await s.save()
        await s.settle()
        assert "'[/]' is not a web address" in s.error("website")
        assert "'[bold]' is not a date" in s.error("provision-date")
        assert "'[/]' must be a whole number" in s.error("permitted-users")
        assert "[bold]Tom & Jerry [UK][/]" in s.error("domain")
        assert "\x1b" not in s.error("domain")
        form.query_one("#company-name").value = "N" * 5000
        await s.save()
        await s.settle()
        assert s.error("company-name") == "Company Name is 5000 characters long; at most 200"
        _plain(app)  # renders without a markup error
        # Now a valid save with the hostile name: stored as typed, shown as text.
        for selector, text in {"#company-name": HOSTILE, "#domain": "hostile.example",
                               "#website": "", "#provision-date": "",
                               "#permitted-users": ""}.items():
            form.query_one(selector).value = text
        await s.save()
        await s.settle()
        assert s.results == [FormResult(1)]
        saved = app._notifications
        assert any(SHOWN in n.message and not n.markup for n in saved)
        assert "[bold]Tom & Jerry [UK][/]" in _plain(app)  # the list and the toast
    assert Store(path).get_prospect(1).company_name == HOSTILE


async def test_editing_a_prospect_that_is_gone_says_so_and_goes_back(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path, 99) as (app, pilot, s):
        await pilot.pause()
        assert s.results == [None]
        assert any("prospect 99 no longer exists" in n.message for n in app._notifications)


async def test_the_forms_keys_are_in_the_command_palette(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(),))
    async with running_form(path) as (app, pilot, s):
        titles = " | ".join(c.title for c in app.get_system_commands(app.screen)).casefold()
        for word in ("save", "review order", "verify", "back"):
            assert word in titles
        assert "delete" not in titles  # nothing to delete in a new form
        await pilot.press("escape")
        await s.open(1)
        titles = " | ".join(c.title for c in app.get_system_commands(app.screen)).casefold()
        assert "delete" in titles


async def test_a_company_name_already_here_warns_but_never_blocks(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(),))  # Contoso Limited, contoso.com
    threads = {}
    async with running_form(path) as (app, pilot, s):
        threads = record_threads(app.store, "same_name_prospects")
        await fill_required(s, name="CONTOSO  limited", domain="contoso-uk.com")
        await pilot.pause(0.4)  # the check waits for typing to stop
        await s.settle()
        warning = s.error("company-name", "warning")
        assert "Same name as prospect Contoso Limited (contoso.com)" in warning
        await s.save()  # a warning: saving goes ahead
        await s.settle()
        assert s.results == [FormResult(2)]
    assert Store(path).get_prospect(2).company_name == "CONTOSO  limited"
    assert threads["same_name_prospects"] is not threading.main_thread()  # a scan, off the loop


async def test_an_opened_prospects_name_is_checked_only_after_the_form_is_shown(
    tmp_path: Path,
) -> None:
    # The scan runs in a thread that shares the GIL: started while the form lays itself
    # out, it made opening a prospect at 100k rows freeze the screen twice as long.
    path = db(tmp_path)
    seed(path, ADA, prospects=(prospect(), prospect(domain="contoso-uk.com")))
    shown_when_checked: list[bool] = []
    async with running_form(path) as (app, pilot, s):
        await pilot.press("escape")
        scan = app.store.same_name_prospects

        def noting(name: str, **kwargs: Any) -> list[Prospect]:
            body = app.screen.query_one("#form-body")
            shown_when_checked.append(body.size.area > 0)  # laid out: painted once already
            return scan(name, **kwargs)

        app.store.same_name_prospects = noting  # type: ignore[method-assign]
        await s.open(1)
        await wait_until(pilot, lambda: bool(shown_when_checked))
        await s.settle()
        assert "Same name as prospect Contoso Limited (contoso-uk.com)" in s.error(
            "company-name", "warning")
    assert shown_when_checked == [True]


async def test_dnspython_is_warmed_up_only_after_the_form_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The warm-up imports dnspython in a thread that shares the GIL: started while the
    # form lays itself out, it made the first opening freeze the screen far longer.
    import store.domain.names

    path = db(tmp_path)
    seed(path, ADA)
    normalise = store.domain.names.normalise_domain
    shown_when_warmed: list[bool] = []
    app = ProspectsApp(db_path=path)

    def noting(domain: str) -> str:
        if not shown_when_warmed:
            body = app.screen.query_one("#form-body")
            shown_when_warmed.append(body.size.area > 0)  # laid out: painted once already
        return normalise(domain)

    monkeypatch.setattr(store.domain.names, "normalise_domain", noting)
    async with app.run_test() as pilot:
        s = FormSession(app, pilot)
        await s.open()
        await wait_until(pilot, lambda: bool(shown_when_warmed))
        await app.workers.wait_for_complete()
    assert shown_when_warmed == [True]


async def test_a_customer_opens_as_a_customer_with_its_order_fields_read_only(
    tmp_path: Path,
) -> None:
    from store.models import Order

    path = db(tmp_path)
    lines = [ProductLine(product="Email Security Cloud Gateway")]
    seed(path, ADA, prospects=(prospect(products=lines, permitted_users=40),))
    store = Store(path)
    store.save_order(Order(prospect=1, products=lines, permitted_users=40,
                           order_number_not_required=True, covered_by_msa=True,
                           authorised=True), submit=True)
    store.close()
    async with running_form(path, 1) as (app, pilot, s):
        await pilot.pause()
        header = screen_text(app).splitlines()[0]
        assert "Edit customer" in header
        assert app.screen.query_one("#products").is_disabled
        assert app.screen.query_one("#permitted-users", Input).disabled
        assert "submitted order" in s.error("products", "info")
        await s.type("#website", "https://contoso.com")  # the rest stays editable
        await pilot.press("ctrl+s")
        await s.settle()
        assert s.results == [FormResult(1)]
    saved = Store(path).get_prospect(1)
    assert (saved.status, saved.products, saved.permitted_users) == ("customer", lines, 40)
    assert saved.website == "https://contoso.com"


def _delete(path: Path) -> None:
    path.unlink()


def _symlink(path: Path) -> None:
    elsewhere = path.with_name("elsewhere.json")
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00garbage, not JSON")


@pytest.mark.parametrize(("damage", "reason"), [
    (_delete, "was removed or renamed"),
    (_symlink, "is a symbolic link"),
    (_garbage, "is not a usable prospects database"),
])
async def test_a_damaged_file_raises_a_banner_and_keeps_the_form(
    tmp_path: Path, damage: Any, reason: str,
) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    app = ProspectsApp(db_path=path, poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        s = FormSession(app, pilot)
        await s.open()
        await fill_required(s)
        damage(path)
        before = path.read_bytes() if path.exists() else None
        await wait_until(pilot, lambda: bool(s.text_of("#banner")))  # the list polls the file
        banner = s.text_of("#banner")
        assert reason in banner and "Nothing is saved until it is fixed" in banner
        assert "Database problem" in screen_text(app)
        await s.save()
        await s.settle()
        assert s.results == []  # the form stays open, with everything typed
        assert s.value("#company-name") == "Northwind Ltd"
        assert s.value("#domain") == "northwind.com"
        assert reason in s.text_of("#form-message")
        await pilot.press("f5")  # Verify too says so, and nothing breaks
        await s.settle()
        assert "could not check" in s.text_of("#verify-status")
    assert (path.read_bytes() if path.exists() else None) == before  # nothing written over it
    assert not path.exists() or damage is not _delete


async def test_the_summary_goes_once_every_marked_field_is_edited(tmp_path: Path) -> None:
    path = db(tmp_path)
    seed(path, ADA)
    async with running_form(path) as (app, pilot, s):
        await s.paste("#company-name", "Northwind Ltd")
        await s.paste("#domain", "exa mple.com")
        await pilot.press("ctrl+s")
        await s.settle()
        assert "to correct, marked below" in s.text_of("#form-message")
        await s.choose("#company-type", "r")
        await s.choose("#sector", "he")
        await s.choose("#lead", "a")
        assert "to correct, marked below" in s.text_of("#form-message")  # the domain is left
        await s.paste("#domain", "northwind.com")
        assert s.error("domain") == ""
        assert s.text_of("#form-message") == ""
