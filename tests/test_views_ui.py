"""Saved views in the list: save (W), pick (w, the palette), rename and delete (asking first),
on both backends; a view saved in one session is picked in another."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from store.models import Prospect, View
from store.rules.store import Store
from tests.form_helpers import wait_until
from tui.app import ProspectsApp
from tui.modals.confirm import ConfirmModal
from tui.modals.view_name import ViewNameModal
from tui.modals.views import ViewsModal
from tui.widgets.letter_bar import LetterBar
from tui.widgets.prospect_table import ProspectTable

BACKENDS = ("tinydb", "postgres")  # every `store` test here runs on both (tests/conftest.py)


def add(store: Store, *rows: tuple[str, str, str]) -> None:
    for name, domain, sector in rows:
        store.create_prospect(Prospect(company_type="End Customer", company_name=name,
                                       domain=domain, sector=sector, implementation_lead=1))


def shown_names(app: ProspectsApp) -> list[str]:
    if app.screen.__class__.__name__ != "ProspectListScreen":
        return []
    screen = app.screen
    return [screen.prospects.records[i]["company_name"]  # type: ignore[attr-defined]
            for i in screen.query_one(ProspectTable)._order]


def status(app: ProspectsApp) -> str:
    return str(app.screen.query_one("#status-line", Static).render())


def screen_text(app: ProspectsApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def headers(app: ProspectsApp) -> list[str]:
    return [column.key for column in app.screen.query_one(ProspectTable).columns]


async def type_text(pilot: object, text: str) -> None:
    for character in text:
        await pilot.press("space" if character == " " else character)  # type: ignore[attr-defined]


async def test_save_the_list_as_a_shared_view_and_pick_it_in_another_session(
        store: Store, db_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> None:
    add(store, ("Alpha Bank", "alpha.example.com", "Financial Services"),
        ("Beta Shop", "beta.example.com", "Retail"),
        ("Bravo Finance", "bravo.example.com", "Financial Services"))
    monkeypatch.setenv("PROSPECTS_USER", "Grace")
    app = ProspectsApp(db_path=db_target)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#search", Input).value = "sector:fin"
        await pilot.press("slash", "enter")
        app.screen.show_letter("b")  # type: ignore[attr-defined]
        await pilot.press("r")
        await wait_until(pilot, lambda: shown_names(app) == ["Bravo Finance"])
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewNameModal))
        await type_text(pilot, "Finance [B] & co")
        await pilot.press("tab", "space", "enter")  # tick "Shared with the team", save
        await wait_until(pilot, lambda: bool(store.views()))
        # The next poll brings it to the palette.
        await wait_until(pilot, lambda: [v.name for v in app.screen.known_views or ()] == [  # type: ignore[attr-defined]
            "Finance [B] & co"])
    [saved] = store.views()
    assert (saved.name, saved.filter, saved.letter, saved.shared, saved.owner) == (
        "Finance [B] & co", "sector:fin", "b", True, "Grace")
    assert (saved.sort, saved.descending, saved.columns) == ("company_name", True, [])

    monkeypatch.setenv("PROSPECTS_USER", "Linus")  # another person, another session
    other = ProspectsApp(db_path=db_target)
    async with other.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(shown_names(other)) == 3)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(other.screen, ViewsModal))
        options = other.screen.query_one(OptionList)
        assert "Finance [B] & co" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown_names(other) == ["Bravo Finance"])
        assert other.screen.query_one("#search", Input).value == "sector:fin"
        assert other.screen.query_one(LetterBar).selected == "b"
        assert "view 'Finance [B] & co'" in status(other)
        await pilot.press("escape")  # clearing the filters leaves the view
        await wait_until(pilot, lambda: len(shown_names(other)) == 3)
        assert "view" not in status(other)


async def test_a_view_shows_its_columns_and_sort(store: Store, db_target: Path | str) -> None:
    add(store, ("Alpha Bank", "zeta.example.com", "Retail"),
        ("Beta Shop", "alpha.example.com", "Retail"))
    store.save_view(View(name="By domain", sort="domain", descending=True,
                         columns=["company_name", "domain", "sector"]))
    app = ProspectsApp(db_path=db_target)
    async with app.run_test(size=(80, 24)) as pilot:
        before = headers(app)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewsModal))
        await pilot.press("enter")
        await wait_until(pilot, lambda: headers(app) == ["company_name", "domain", "sector"])
        assert shown_names(app) == ["Alpha Bank", "Beta Shop"]  # zeta first, Z to A
        assert "view 'By domain'" in status(app)
        assert headers(app) != before


async def test_rename_and_delete_ask_first(store: Store, db_target: Path | str) -> None:
    store.save_view(View(name="Old name", filter="sector:retail"))
    app = ProspectsApp(db_path=db_target)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewsModal))
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewNameModal))
        app.screen.query_one("#view-name", Input).value = "New name"
        await pilot.press("enter")
        await wait_until(pilot, lambda: [v.name for v in store.views()] == ["New name"])
        await wait_until(pilot, lambda: isinstance(app.screen, ViewsModal))
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("escape")  # no: the view stays
        await wait_until(pilot, lambda: isinstance(app.screen, ViewsModal))
        assert [v.name for v in store.views()] == ["New name"]
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: store.views() == [])
        await wait_until(pilot, lambda: isinstance(app.screen, ViewsModal))
        assert app.screen.query_one("#views-empty", Static).display


async def test_a_taken_name_asks_before_replacing(store: Store, db_target: Path | str) -> None:
    store.save_view(View(name="Mine", filter="sector:retail"))
    app = ProspectsApp(db_path=db_target)
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#search", Input).value = "sector:fin"
        await pilot.press("slash", "enter")
        for answer, expected in (("escape", "sector:retail"), ("y", "sector:fin")):
            await pilot.press("W")
            await wait_until(pilot, lambda: isinstance(app.screen, ViewNameModal))
            await type_text(pilot, "mine")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press(answer)
            await wait_until(pilot, lambda expected=expected: store.view("Mine").filter == expected)
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "ProspectListScreen")


async def test_a_bad_name_is_refused_with_the_reason(store: Store, db_target: Path | str) -> None:
    app = ProspectsApp(db_path=db_target)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("W")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewNameModal))
        app.screen.query_one("#view-name", Input).value = "Evil \x1b]0;title\x07"
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app._notifications))
        [notice] = list(app._notifications)
        assert notice.title == "Saved views" and "\x1b" not in notice.message
        assert store.views() == []


async def test_the_palette_offers_each_view(store: Store, db_target: Path | str) -> None:
    add(store, ("Alpha Bank", "alpha.example.com", "Retail"),
        ("Beta Shop", "beta.example.com", "Financial Services"))
    store.save_view(View(name="Fin [team]", filter="sector:fin", shared=True))
    app = ProspectsApp(db_path=db_target)
    async with app.run_test(size=(80, 24)) as pilot:
        # The list's poll reads the views in a thread; the palette lists what it read.
        await wait_until(pilot, lambda: bool(app.screen.known_views))  # type: ignore[attr-defined]
        titles = [str(command.title) for command in app.get_system_commands(app.screen)]
        assert "View Fin [team]" in titles
        assert any(title.startswith("Saved views") for title in titles)
        await pilot.press("ctrl+p")
        await type_text(pilot, "view fin")
        # The title as saved: the palette must not read "[team]" as markup.
        await wait_until(pilot, lambda: "View Fin [team]" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown_names(app) == ["Beta Shop"])
