"""Saved views: the rules on both backends (personal and shared, names, lookups), a file and a
schema from before views, and `db copy`."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import psycopg
import pytest

from store.backends.postgres import schema
from store.backends.postgres.repository import PostgresRepository
from store.errors import DuplicateError, FilterError, NotFoundError, SchemaError, ViewError
from store.models import User, View
from store.rules.store import Store
from store.transfer.copy import copy_database

BACKENDS = ("tinydb", "postgres")  # every `store` test runs on both (tests/conftest.py)

HOSTILE = "Tom & Jerry [UK] Ltd [bold]x[/] 👍🏽 مرحبا"


@pytest.fixture
def ada(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The current user is 'ada' (PROSPECTS_USER) until the test sets another."""
    monkeypatch.setenv("PROSPECTS_USER", "ada")
    return monkeypatch


def names(views: list[View]) -> list[tuple[str, bool]]:
    return [(view.name, view.shared) for view in views]


def test_a_saved_view_reads_back_as_saved(store: Store, db_target: Path | str,
                                          ada: pytest.MonkeyPatch) -> None:
    saved = store.save_view(View(name="  Finance leads ", filter="sector:fin -status:customer",
                                 letter="F", sort="permitted_users", descending=True,
                                 columns=["domain", "company_name", "permitted_users"]))
    assert (saved.id, saved.name, saved.letter, saved.owner, saved.version) == (
        1, "Finance leads", "f", "ada", 1)
    again = Store(db_target)
    assert again.views() == [saved]
    assert again.view("FINANCE  LEADS") == saved  # blind to case and spacing
    again.close()


def test_personal_views_are_their_owners_and_win_over_shared_ones(
        store: Store, ada: pytest.MonkeyPatch) -> None:
    store.save_view(View(name="Café", filter="sector:fin"))
    store.save_view(View(name="cafe", filter="sector:retail", shared=True))
    store.save_view(View(name="Big", filter="users:>=500", shared=True))
    assert names(store.views()) == [("Big", True), ("Café", False), ("cafe", True)]
    assert store.view("CAFE").filter == "sector:fin"  # accent-blind; ada's own first
    ada.setenv("PROSPECTS_USER", "bob")
    assert names(store.views()) == [("Big", True), ("cafe", True)]
    assert store.view("café").filter == "sector:retail"
    bob = store.save_view(View(name="café", filter="lead:bob"))  # his own scope: no clash
    assert bob.owner == "bob" and store.view("Cafe") == bob
    ada.setenv("PROSPECTS_USER", "ada")
    assert store.view("cafe").filter == "sector:fin"
    assert len(store.views()) == 3
    # The picker names the scope of the row chosen: the shared one, not her own namesake.
    store.rename_view("cafe", "Café team", shared=True)
    assert names(store.views()) == [("Big", True), ("Café", False), ("Café team", True)]
    store.delete_view("café team", shared=True)
    store.delete_view("café", shared=False)
    assert names(store.views()) == [("Big", True)]


def test_a_taken_name_is_refused_unless_replaced(store: Store, ada: pytest.MonkeyPatch) -> None:
    first = store.save_view(View(name="Team", filter="sector:fin", shared=True))
    with pytest.raises(DuplicateError, match="there is a shared view named 'Team' already"):
        store.save_view(View(name="TEAM", filter="sector:retail", shared=True))
    ada.setenv("PROSPECTS_USER", "bob")  # anyone may replace a shared view; its owner stays
    replaced = store.save_view(View(name="TEAM", filter="sector:retail", shared=True), replace=True)
    assert (replaced.id, replaced.name, replaced.owner, replaced.version) == (first.id, "TEAM", "ada", 2)
    assert [(v.name, v.filter) for v in store.views()] == [("TEAM", "sector:retail")]
    mine = store.save_view(View(name="Mine"))
    with pytest.raises(DuplicateError, match="personal view of yours named 'Mine'"):
        store.save_view(View(name="mine", letter="m"))
    assert store.save_view(View(name="mine", letter="m"), replace=True).id == mine.id
    assert store.save_view(View(name="new", letter="n"), replace=True).id not in (first.id, mine.id)


def test_rename_and_delete(store: Store, ada: pytest.MonkeyPatch) -> None:
    store.save_view(View(name="One", shared=True))
    store.save_view(View(name="Two", shared=True))
    store.save_view(View(name="Two"))  # ada's own Two: rename("two") renames this one
    with pytest.raises(DuplicateError, match="shared view named 'Two'"):
        store.rename_view("one", "TWO")
    renamed = store.rename_view("two", "Deux")
    assert (renamed.shared, renamed.version) == (False, 2)
    assert store.rename_view("one", "ONE").name == "ONE"  # its own name in other letters
    assert names(store.views()) == [("Deux", False), ("ONE", True), ("Two", True)]
    ada.setenv("PROSPECTS_USER", "bob")
    with pytest.raises(NotFoundError, match="no view named 'deux'; the views are: 'ONE', 'Two'"):
        store.delete_view("deux")  # someone else's personal view: unseen
    store.delete_view("one")
    assert names(store.views()) == [("Two", True)]
    store.delete_view("two")
    with pytest.raises(NotFoundError, match="no views are saved yet; save the list's filter"):
        store.view("two")
    ada.setenv("PROSPECTS_USER", "ada")
    assert names(store.views()) == [("Deux", False)]


@pytest.mark.parametrize("name", [HOSTILE, "[/]", "&&&", "עברית שמורה", "👩‍👩‍👧 Family"])
def test_names_are_user_strings(store: Store, name: str) -> None:
    saved = store.save_view(View(name=name, shared=True))
    assert store.view(name) == saved and saved.name == name
    assert store.rename_view(name, name + " 2").name == name + " 2"


@pytest.mark.parametrize(("view", "error", "message"), [
    (View(name=""), ViewError, "Name: a view needs a name"),
    (View(name="x" * 10_000), ViewError, "Name: is 10,000 characters long; a view's name may have at "
                                         "most 80: shorten it"),
    (View(name="evil\x1b[31m"), ViewError, r"Name: contains U\+001B \(escape\) at character 5"),
    (View(name="Turn\u202e"), ViewError, r"Name: contains U\+202E"),
    (View(name="ok", filter='product:"mimecast'), FilterError,
     "Filter: the quote at character 9 is never closed"),
    (View(name="ok", filter="colour:red"), FilterError, "Filter: unknown field 'colour'; the fields are"),
    (View(name="ok", filter="x" * 1001), FilterError, "Filter: is 1,001 characters long; a filter may "
                                                      "have at most 1,000"),
    (View(name="ok", filter="plain \x1b[2J"), FilterError, r"Filter: contains U\+001B"),
    (View(name="ok", letter="ab"), ViewError, "Letter: 'ab' is not a letter; use A-Z, 'other' or 'all'"),
    (View(name="ok", sort="colour"), ViewError, "Sort: 'colour' is not a column to sort by; use one of: "
                                                "company_name, domain"),
    (View(name="ok", columns=["domain", "colour"]), ViewError, "Columns: 'colour' is not a column"),
    (View(name="ok", columns=["domain", "domain"]), ViewError, "Columns: 'domain' is named twice"),
], ids=["empty", "10k", "escape", "bidi", "quote", "field", "long filter", "filter escape",
        "letter", "sort", "column", "column twice"])
def test_a_bad_view_is_refused_and_nothing_saved(store: Store, view: View, error: type[Exception],
                                                 message: str) -> None:
    with pytest.raises(error, match=message):
        store.save_view(view)
    assert store.views() == []


def test_a_bad_new_name_is_refused(store: Store) -> None:
    store.save_view(View(name="Good"))
    with pytest.raises(ViewError, match="Name: contains U\\+001B"):
        store.rename_view("good", "bad\x1b")
    with pytest.raises(NotFoundError, match="there is no view named 'nope'; the views are: 'Good'"):
        store.rename_view("nope", "fine")
    assert names(store.views()) == [("Good", False)]


def test_other_sessions_learn_of_a_view(store: Store, db_target: Path | str) -> None:
    other = Store(db_target)
    other.poll()
    store.save_view(View(name="Fresh", shared=True))
    # A notification reaches PostgreSQL's listener a moment after the commit.
    deadline = time.monotonic() + 10
    while not (learnt := other.poll().views) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert learnt and other.view("fresh").name == "Fresh"
    assert not other.poll().views
    other.close()


def test_a_file_from_before_views_loads_and_takes_views(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(orjson.dumps({
        "users": {"1": {"name": "Ada", "email": "ada@example.com", "implementation_lead": True}},
        "prospects": {}, "sequences": {"1": {"users": 1}}}))
    path.chmod(0o600)
    store = Store(path)
    assert store.views() == [] and [u.name for u in store.users()] == ["Ada"]
    assert store.save_view(View(name="First")).id == 1
    store.close()
    assert set(orjson.loads(path.read_bytes())) == {"users", "prospects", "sequences", "views"}


def test_views_survive_a_copy_through_postgresql(tmp_path: Path, pg_url: str,
                                                 ada: pytest.MonkeyPatch) -> None:
    source, back = tmp_path / "source.json", tmp_path / "back.json"
    store = Store(source)
    store.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    store.save_view(View(name="gone", shared=True))
    store.save_view(View(name=HOSTILE, filter='product:"mimecast for mac"', columns=["domain"]))
    store.delete_view("gone")
    wanted = store.views()
    store.close()
    assert copy_database(source, pg_url).counts["views"] == 1
    there = Store(pg_url)
    assert there.views() == wanted
    with pytest.raises(DuplicateError):  # the scope's names came along
        there.save_view(View(name=HOSTILE.upper()))
    assert there.save_view(View(name="next")).id == 3  # never id 1 again: it was deleted
    there.close()
    assert copy_database(pg_url, back).counts["views"] == 2
    home = Store(back)
    assert [v.name for v in home.views()] == ["next", HOSTILE]
    home.close()


def test_the_database_refuses_a_second_name_in_a_scope(pg_url: str) -> None:
    Store(pg_url).close()
    insert = ("INSERT INTO views (name, name_key, shared, owner, updated_at) "
              "VALUES (%s, %s, %s, %s, now())")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(insert, ("Team", "team", True, "ada"))
        conn.execute(insert, ("Team", "team", False, "ada"))  # a personal one: another scope
        conn.execute(insert, ("Team", "team", False, "bob"))
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, ("TEAM", "team", True, "bob"))  # shared: one scope, whoever saved it
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, ("team", "team", False, "ada"))


def test_a_version_2_schema_is_upgraded_to_views(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as before_views:
        before_views.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        before_views.setattr(schema, "VERSION", 2)
        old = Store(pg_url)
        old.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
        old.close()
    store = Store(pg_url)  # opens, so that `db upgrade` can run
    try:
        with pytest.raises(SchemaError, match="version 2, older than this app's .version 3."):
            store.views()
        assert store.upgrade() == "upgraded the schema from version 2 to 3"
        assert store.views() == [] and [u.name for u in store.users()] == ["Ada"]
        assert store.save_view(View(name="First", shared=True)).id == 1
    finally:
        store.close()
    repo = PostgresRepository(pg_url)
    assert repo.dump()["views"][0][1]["name"] == "First"
    repo.close()
