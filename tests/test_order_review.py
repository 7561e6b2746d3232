"""Pilot tests for Review Order: draft, resume, submit, read-only, hostile names."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, Static

from store.models import AS_STORED, ProductLine, Prospect, User
from store.rules.store import Store
from tests.form_helpers import record_threads
from tui.app import ProspectsApp
from tui.modals.confirm import ConfirmModal
from tui.screens.order_review import OrderReviewScreen

SIZE = (80, 24)
HOSTILE_NAME = "[/] [bold]x \x1b[31mred \u202eevil " + "N" * 5000
PRODUCTS = [ProductLine(product="Email Security Cloud Gateway"),
            ProductLine(product="Mimecast for Mac", seats=25)]


def screen_text(app: ProspectsApp) -> str:
    """What the terminal shows now, as plain text (toasts and modals included)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "p.json"


def seed(path: Path, company: str = "Acme Ltd", lead_name: str = "Ada Lovelace") -> int:
    store = Store(path)
    lead = store.add_user(User.model_validate(  # as stored: an older file may hold controls
        {"name": lead_name, "email": "ada@example.com", "implementation_lead": True},
        context=AS_STORED))
    assert lead.id is not None
    prospect = store.create_prospect(Prospect(
        company_type="End Customer", company_name=company, domain="acme.example",
        sector="Retail", implementation_lead=lead.id, permitted_users=50, products=PRODUCTS,
    ))
    assert prospect.id is not None
    return prospect.id


async def open_order(app: ProspectsApp, pilot, prospect_id: int) -> OrderReviewScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    screen = OrderReviewScreen(app.store, prospect_id)
    await app.push_screen(screen)
    await app.workers.wait_for_complete()  # the file is read in a thread
    await pilot.pause()
    return screen


def shown(screen: OrderReviewScreen, selector: str) -> str:
    widget = screen.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


async def test_submit_needs_an_order_number_and_both_confirmations(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        assert app.focused is screen.query_one("#order-number")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen is screen  # nothing asked: it cannot be submitted yet
        assert shown(screen, "#order-number-error").startswith("Order number:")
        confirm = shown(screen, "#confirm-error")
        assert "covered by the existing MSA" in confirm and "authorised" in confirm
        assert app.focused is screen.query_one("#order-number")
        # Ticking "not required" clears the number error; one confirmation is still missing.
        await pilot.press(*"PO-9", "tab", "space", "tab", "space")
        await pilot.pause()
        number = screen.query_one("#order-number", Input)
        assert number.disabled and number.value == ""
        assert shown(screen, "#order-number-error") == ""
        assert "authorised" in shown(screen, "#confirm-error")
        assert "MSA" not in shown(screen, "#confirm-error")
        # Unticking gives back what was typed.
        await pilot.press("shift+tab", "space")
        await pilot.pause()
        assert not number.disabled and number.value == "PO-9"
    fresh = Store(path)
    assert fresh.orders_for(prospect_id) == []
    assert fresh.get_prospect(prospect_id).status == "prospect"


async def test_save_draft_and_resume_it(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        await pilot.press(*"PO-77", "tab", "tab", "space")  # order number, MSA ticked
        await pilot.press("tab", "tab", "tab", "enter")  # authorised, Submit, Save and Exit
        await pilot.pause()
        assert app.screen is not screen
        [draft] = Store(path).orders_for(prospect_id)
        assert (draft.status, draft.order_number, draft.covered_by_msa, draft.authorised) == (
            "draft", "PO-77", True, False)
        assert draft.products == PRODUCTS and draft.permitted_users == 50  # copied from the prospect

        screen = await open_order(app, pilot, prospect_id)
        assert screen.query_one("#order-number", Input).value == "PO-77"
        assert screen.query_one("#confirm-msa", Checkbox).value
        assert not screen.query_one("#confirm-authorised", Checkbox).value
        assert shown(screen, "#order-status").startswith("Draft saved on")
        await pilot.press("tab", "tab", "tab", "space", "ctrl+s")  # tick authorised, save
        await pilot.pause()
    [draft] = Store(path).orders_for(prospect_id)  # the same draft, resumed
    assert draft.authorised and draft.status == "draft"
    assert Store(path).get_prospect(prospect_id).status == "prospect"


async def test_submit_makes_a_customer_and_the_order_read_only(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        await pilot.press("tab", "space", "tab", "space", "tab", "space", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        question = str(app.screen.query_one("#question", Static).render())
        assert question == "Submit order for Acme Ltd? It cannot be changed afterwards."
        assert "Submit order for Acme Ltd?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        assert shown(screen, "#order-status").startswith("Submitted on")
        assert screen.query_one("#confirm-msa", Checkbox).disabled
        fresh = Store(path)
        assert fresh.get_prospect(prospect_id).status == "customer"
        [order] = fresh.orders_for(prospect_id)
        assert (order.status, order.order_number_not_required, order.order_number) == (
            "submitted", True, "")
        await pilot.press("escape")
        await pilot.pause()

        screen = await open_order(app, pilot, prospect_id)  # reopened later: read-only
        assert shown(screen, "#order-status").startswith("Submitted on")
        for selector in ("#order-number", "#order-number-not-required", "#confirm-msa",
                         "#confirm-authorised"):
            assert screen.query_one(selector).disabled
        assert not screen.query_one("#submit-order", Button).display
        assert app.focused is screen.query_one("#order-close")
        await pilot.press("ctrl+o", "ctrl+s")  # no effect on a submitted order
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("enter")  # Back
        await pilot.pause()
        assert app.screen is not screen
    assert len(Store(path).orders_for(prospect_id)) == 1


async def test_escape_asks_before_dropping_changes(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        await pilot.press("escape")  # nothing changed: straight back
        await pilot.pause()
        assert app.screen is not screen
        screen = await open_order(app, pilot, prospect_id)
        await pilot.press(*"PO-1", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert app.screen is screen and screen.query_one("#order-number", Input).value == "PO-1"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert app.screen is not screen
    assert Store(path).orders_for(prospect_id) == []


async def test_draft_keeps_its_products_until_taken_again(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await open_order(app, pilot, prospect_id)
        await pilot.press("ctrl+s")
        await pilot.pause()
        store = Store(path)
        prospect = store.get_prospect(prospect_id)
        store.update_prospect(prospect.model_copy(update={"products": PRODUCTS[:1]}))
        screen = await open_order(app, pilot, prospect_id)
        assert "Mimecast for Mac: 25 seats" in shown(screen, "#order-summary")
        assert "changed since this draft" in shown(screen, "#order-stale")
        await pilot.press("ctrl+r", "ctrl+s")
        await pilot.pause()
    [draft] = Store(path).orders_for(prospect_id)
    assert draft.products == PRODUCTS[:1]


async def test_hostile_names_in_summary_question_and_notifications(path: Path) -> None:
    prospect_id = seed(path, company=HOSTILE_NAME, lead_name="[bold]Lead[/] \x1b]0;title\x07")
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        calls: list[dict[str, object]] = []
        original = app.notify

        def notify(message: str, **kwargs: object) -> None:
            calls.append({"message": message, **kwargs})
            original(message, **kwargs)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        screen = await open_order(app, pilot, prospect_id)
        summary = shown(screen, "#order-summary")
        assert "Company: [/] [bold]x" in summary and "[bold]Lead[/]" in summary
        assert "\x1b" not in summary and "\u202e" not in summary and "\x07" not in summary
        text = screen_text(app)
        assert "[/] [bold]x" in text and "\x1b" not in text
        await pilot.press(*"PO-1", "tab", "tab", "space", "tab", "space", "ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "Submit order for [/] [bold]x" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen
        assert "now a customer" in screen_text(app)  # the toast wraps the long name
        assert calls and all(call["markup"] is False for call in calls)
        assert all("\x1b" not in str(call["message"]) for call in calls)
    assert Store(path).get_prospect(prospect_id).status == "customer"


async def test_a_deleted_prospect_closes_the_screen(path: Path) -> None:
    prospect_id = seed(path)
    store = Store(path)
    store.delete_prospect(prospect_id, store.get_prospect(prospect_id).version)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        await pilot.pause()
        assert app.screen is not screen


def on_screen(app: ProspectsApp, text: str) -> bool:
    """True when `text` is on one line of what the terminal shows now."""
    return text in screen_text(app)


async def test_a_refused_submit_shows_its_message_in_view_and_focuses_the_box(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        await pilot.press(*"PO-1", "ctrl+o")  # neither confirmation ticked
        await pilot.pause()
        await pilot.pause()
        assert app.focused is screen.query_one("#confirm-msa")
        # At 80x24 the line under the boxes was below the fold: it is scrolled into view.
        assert on_screen(app, "Confirmation required: tick 'The order is covered by the")
        await pilot.press("space", "ctrl+o")  # MSA ticked; "authorised" still missing
        await pilot.pause()
        await pilot.pause()
        assert app.focused is screen.query_one("#confirm-authorised")
        assert on_screen(app, "Confirmation required: tick 'I am authorised")
    assert Store(path).orders_for(prospect_id) == []


def seed_without_products(path: Path) -> int:
    store = Store(path)
    lead = store.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    bare = store.create_prospect(Prospect(
        company_type="End Customer", company_name="Bare Ltd", domain="bare.example",
        sector="Retail", implementation_lead=lead.id or 0,
    ))
    store.close()
    assert bare.id is not None
    return bare.id


async def test_an_order_without_products_is_refused_and_points_at_the_products(path: Path) -> None:
    prospect_id = seed_without_products(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_order(app, pilot, prospect_id)
        await pilot.press(*"PO-1", "tab", "tab", "space", "tab", "space", "ctrl+o")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is screen  # refused before asking: no "Submit order?" question
        assert "no products" in shown(screen, "#products-error")
        assert on_screen(app, "this order has no products")
        assert app.focused is screen.query_one("#edit-products")
        # Enter opens the prospect at its products; choose one, save, and submit.
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "products"
        await pilot.press("space", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#order-number", Input).value == "PO-1"  # kept
        assert shown(screen, "#products-error") == ""
        assert "Email Security Cloud Gateway" in shown(screen, "#order-summary")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    [order] = Store(path).orders_for(prospect_id)
    assert order.status == "submitted" and order.products


async def test_the_order_is_read_in_a_thread_worker(path: Path) -> None:
    prospect_id = seed(path)
    app = ProspectsApp(db_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        threads = record_threads(app.store, "get_prospect", "orders_for")
        screen = OrderReviewScreen(app.store, prospect_id)
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Acme Ltd" in shown(screen, "#order-summary")
    # Every read of the file (600 ms at 100k prospects) ran off the event loop.
    assert set(threads) == {"get_prospect", "orders_for"}
    assert threading.main_thread() not in threads.values()
