"""The filter grammar where people type it: `list --filter` and the list's search box."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from textual.widgets import Input, Static

from store.models import Prospect, User
from store.rules.store import Store
from tests.cli import run_cli
from tests.seed import seed_prospects
from tui.app import ProspectsApp
from tui.widgets.prospect_table import ProspectTable


def cli(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", db, *args)


def test_list_filter_combines_with_search_letter_sort_and_json(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    cli(db, "users", "add", "Ada Lovelace", "--email", "ada@example.com", "--lead")
    cli(db, "users", "add", "Grace Hopper", "--email", "grace@example.com", "--lead")
    for name, sector, kind, users, lead in [
            ("Acme Bank", "Financial Services", "Reseller", "500", "ada@example.com"),
            ("Beta Fonds", "Financial Services", "End Customer", "40", "grace@example.com"),
            ("Café Crème", "Retail", "End Customer", "900", "ada@example.com"),
            ("Bank [UK] Ltd", "Financial Services", "End Customer", "", "ada@example.com")]:
        extra = ["--permitted-users", users] if users else []
        done = cli(db, "add", "--company-type", kind, "--company-name", name, "--domain",
                   f"{name.split()[0].lower()}.example", "--sector", sector, "--lead", lead, *extra)
        assert done.returncode == 0, done.stderr

    def names(*args: str) -> list[str]:
        done = cli(db, "list", "--json", *args)
        assert done.returncode == 0, done.stderr
        return [p["company_name"] for p in json.loads(done.stdout)]

    assert names("--filter", "sector:fin -type:reseller") == ["Bank [UK] Ltd", "Beta Fonds"]
    assert names("--filter", "sector:FIN users:>=100") == ["Acme Bank"]
    assert names("--filter", "lead:grace") == ["Beta Fonds"]
    assert names("--filter", "sector:retail CREME") == ["Café Crème"]
    assert names("--filter=-lead:ada", "--search", "fonds") == ["Beta Fonds"]
    assert names("--filter", "sector:fin", "--search", "bank") == ["Acme Bank", "Bank [UK] Ltd"]
    assert names("--filter", "sector:fin", "--letter", "b", "--sort", "permitted_users",
                 "--desc") == ["Beta Fonds", "Bank [UK] Ltd"]
    assert names("--filter", "verified:never status:prospect", "--sort", "domain") == [
        "Acme Bank", "Bank [UK] Ltd", "Beta Fonds", "Café Crème"]
    human = cli(db, "list", "--filter", "sector:fin -type:reseller")
    assert "2 of 4 prospects" in human.stderr and "Bank [UK] Ltd" in human.stdout

    for bad, message in [("colour:red", "unknown field 'colour'; the fields are: name, domain"),
                         ("provision:<2027-02-30", "'2027-02-30' is not a date"),
                         ('product:"mimecast', "is never closed"),
                         ("name:\x1b[2Jx", "U+001B (escape)")]:
        refused = cli(db, "list", "--filter", bad, "--json")
        assert refused.returncode == 2, refused.stderr
        assert refused.stdout == ""
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("--filter: ") and message in lines[0]
        assert "\x1b" not in refused.stderr


def test_export_takes_the_same_filter_view_letter_and_sort_as_list(tmp_path: Path) -> None:
    db = tmp_path / "p.json"
    store = Store(db)
    store.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    seed_prospects(store, [
        Prospect(company_type=kind, company_name=name, domain=f"{name.split()[0].lower()}.example",
                 sector=sector, implementation_lead=1)
        for name, sector, kind in [("Acme Bank", "Financial Services", "Reseller"),
                                   ("Beta Fonds", "Financial Services", "End Customer"),
                                   ("Café Crème", "Retail", "End Customer"),
                                   ("Bank [UK] Ltd", "Financial Services", "End Customer")]])
    store.close()

    def exported(*args: str) -> list[str]:
        out = tmp_path / "out.json"
        done = cli(db, "export", out, "--force", *args)
        assert done.returncode == 0, done.stderr
        return [p["company_name"] for p in json.loads(out.read_text(encoding="utf-8"))]

    def listed(*args: str) -> list[str]:
        return [p["company_name"] for p in json.loads(cli(db, "list", "--json", *args).stdout)]

    assert cli(db, "views", "save", "Banks", "--filter", "bank", "--letter", "a",
               "--sort", "domain", "--desc").returncode == 0
    for args in [("--filter", "sector:fin -type:reseller"),
                 ("--filter", "sector:fin", "--sort", "domain", "--desc"),
                 ("--filter", "sector:fin", "--letter", "b", "--search", "fonds"),
                 ("--view", "Banks"), ("--view", "banks", "--letter", "all")]:
        assert exported(*args) == listed(*args), args
    assert exported("--filter", "sector:fin -type:reseller") == ["Bank [UK] Ltd", "Beta Fonds"]
    assert exported("--view", "Banks") == ["Acme Bank"]
    assert exported("--view", "banks", "--letter", "all") == ["Bank [UK] Ltd", "Acme Bank"]

    refused = tmp_path / "refused.csv"
    bad = cli(db, "export", refused, "--filter", "colour:red")
    assert bad.returncode == 2 and bad.stderr.startswith("--filter: unknown field 'colour'")
    unknown = cli(db, "export", refused, "--view", "nope")
    assert unknown.returncode == 1 and "no view named 'nope'" in unknown.stderr
    assert not refused.exists()


async def test_the_search_box_takes_a_filter_and_a_bad_one_keeps_the_rows(
        store: Store, db_path: Path) -> None:
    seed_prospects(store, [
        Prospect(company_type=kind, company_name=name, domain=f"d{i}.example.com", sector=sector,
                 implementation_lead=1, permitted_users=users)
        for i, (name, sector, kind, users) in enumerate([
            ("Acme Bank", "Financial Services", "Reseller", 500),
            ("Beta Fonds", "Financial Services", "End Customer", 40),
            ("Café Crème", "Retail", "End Customer", None),
            ("Tom & Jerry [UK] Ltd", "Financial Services", "End Customer", 7)])])
    app = ProspectsApp(db_path=db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        table = screen.query_one(ProspectTable)

        def shown() -> list[str]:
            return [screen.prospects.records[i]["company_name"] for i in table._order]

        def status() -> str:
            return str(screen.query_one("#status-line", Static).render())

        search = screen.query_one("#search", Input)
        assert len(search.placeholder) <= 60  # fits the search bar at 80 columns
        await pilot.press("slash", *"sec")
        await pilot.pause()  # the suggestion comes from a worker
        await pilot.press("right")  # takes the completion
        assert search.value == "sector:"
        await pilot.press(*"fin -type:reseller")
        await pilot.press("enter")
        assert shown() == ["Beta Fonds", "Tom & Jerry [UK] Ltd"]
        assert "2 of 4 prospects" in status()
        assert table.has_focus

        await pilot.press("slash", "space", *"users:>=2027-02-30")
        await pilot.pause(0.3)  # the debounce
        assert shown() == ["Beta Fonds", "Tom & Jerry [UK] Ltd"]  # the last good result
        assert status().startswith("Filter not applied: 'users:>=2027-02-30': users is a whole")
        await pilot.press("enter")  # Enter on a bad filter stays in the box, and says why
        assert search.has_focus and shown() == ["Beta Fonds", "Tom & Jerry [UK] Ltd"]

        search.value = "sector:fin -type:reseller users:>=10"
        await pilot.press("enter")
        assert shown() == ["Beta Fonds"]
        assert "1 of 4 prospects" in status()

        search.value = 'name:"tom'
        await pilot.click("#go")
        assert shown() == ["Beta Fonds"]
        assert "never closed" in status()

        search.focus()  # Go's notice may cover Go itself
        search.value = "crème"  # a plain search, as before
        await pilot.press("enter")
        assert shown() == ["Café Crème"]
        assert "1 of 4 prospects" in status()
        await pilot.press("escape")
        assert len(shown()) == 4 and "4 of 4 prospects" in status()
