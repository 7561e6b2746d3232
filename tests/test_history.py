"""The history of every prospect, on both backends: who changed what and when, kept apart from the
prospects, surviving deletes and undo."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest

from store.backends.postgres import schema
from store.backends.postgres.repository import PostgresRepository
from store.errors import ConflictError, SchemaError, StorageError
from store.models import DomainCheck, Order, ProductLine, Prospect, User
from store.rules.store import Store
from store.rules.who import who
from store.transfer.copy import copy_database
from tests.cli import run_cli
from tests.seed import seed_prospects

BACKENDS = ("tinydb", "postgres")  # the contract: every `store` test here runs on both


def prospect(domain: str = "example.com", name: str = "Example Ltd") -> Prospect:
    return Prospect(company_type="End Customer", company_name=name, domain=domain,
                    sector="Retail", implementation_lead=1)


@pytest.fixture(autouse=True)
def _user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROSPECTS_USER", "ada")


def whats(store: Store, prospect_id: int) -> list[str]:
    return [e["what"] for e in store.history(prospect_id)]


def test_created_and_edited_say_who_and_each_field(store: Store) -> None:
    made = store.create_prospect(prospect(), via="cli")
    store.update_prospect(made.model_copy(update={"company_name": "New \x1b[31m name",
                                                  "website": "https://example.com"}))
    first, edited = store.history(made.id or 0)
    assert first == {"at": first["at"], "who": "ada", "what": "created via cli", "changes": {}}
    assert first["at"].endswith("Z") and edited["who"] == "ada" and edited["what"] == "edited"
    assert edited["changes"] == {"company_name": ["Example Ltd", "New \x1b[31m name"],
                                 "website": ["", "https://example.com"]}


def test_deleted_and_its_history_survives(store: Store, db_target: Path | str) -> None:
    made = store.create_prospect(prospect())
    store.delete_prospect(made.id or 0, made.version)
    assert whats(Store(db_target), made.id or 0) == ["created via form", "deleted"]


def test_import_and_undo_are_recorded_per_prospect(store: Store) -> None:
    batch = seed_prospects(store, [prospect(f"d{i}.com") for i in range(5)])
    edited = store.get_prospect(batch.prospect_ids[0])
    store.update_prospect(edited)
    removed, _ = store.undo_batch(batch.id or 0)
    assert whats(store, removed[0]) == [f"created via import {batch.id}",
                                       f"import {batch.id} undone"]
    assert whats(store, edited.id or 0) == [f"created via import {batch.id}", "edited"]


def test_verified_orders_and_hand_over(store: Store) -> None:
    made = store.create_prospect(prospect())
    pid = made.id or 0
    assert store.record_checks({pid: DomainCheck(verdict="mail", message="m")}) == 1
    draft = store.save_order(Order(prospect=pid, order_number="PO-1",
                                   products=[ProductLine(product="Email Security Cloud Gateway")]))
    store.save_order(draft, submit=True)
    grace = store.add_user(User(name="Grace", email="grace@example.com", implementation_lead=True))
    store.replace_lead(1, grace.id or 0)
    entries = store.history(pid)
    assert [e["what"] for e in entries] == [
        "created via form", "verified: mail", f"order {draft.id} saved",
        f"order {draft.id} submitted", "lead handed over"]
    assert entries[1]["changes"] == {"verdict": [None, "mail"]}
    assert entries[3]["changes"] == {"status": ["prospect", "customer"]}
    assert entries[4]["changes"] == {"implementation_lead": [1, grace.id]}


def test_the_conflict_names_who_saved_it_and_when(store: Store, db_target: Path | str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    mine = store.create_prospect(prospect())
    monkeypatch.setenv("PROSPECTS_USER", "Grace [ops]")
    Store(db_target).update_prospect(mine.model_copy(update={"company_name": "Theirs"}))
    at = store.history(mine.id or 0)[-1]["at"]
    with pytest.raises(ConflictError, match=rf"changed by 'Grace \[ops\]' at {at} since"):
        store.update_prospect(mine.model_copy(update={"company_name": "Mine"}))


def test_who_is_the_login_name_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROSPECTS_USER", "  jump\x1b[2J host\n")
    assert who() == "jump\u241b[2J host"
    monkeypatch.delenv("PROSPECTS_USER")
    monkeypatch.setenv("LOGNAME", "ada.login")
    assert who() == "ada.login"


@pytest.mark.parametrize("backend", ["tinydb"])
def test_the_history_file_is_beside_the_data_file_private_and_appended(
        store: Store, db_path: Path, backend: str) -> None:
    made = store.create_prospect(prospect())
    store.create_prospect(prospect("other.com"))
    history = db_path.with_name(db_path.name + ".history.jsonl")
    assert stat.S_IMODE(os.stat(history).st_mode) == 0o600
    with history.open("ab") as torn:  # a crash in the middle of a line
        torn.write(b'{"prospect":1,"at":"20')
    store.delete_prospect(made.id or 0, made.version)
    assert whats(store, made.id or 0) == ["created via form", "deleted"]
    assert len(history.read_bytes().splitlines()) == 4


def test_db_copy_copies_the_history(store: Store, db_target: Path | str, tmp_path: Path) -> None:
    made = store.create_prospect(prospect())
    store.delete_prospect(made.id or 0, made.version)
    copy = tmp_path / "copy.json"
    copy_database(db_target, copy)
    assert whats(Store(copy), made.id or 0) == ["created via form", "deleted"]


def test_cli_history_json_and_text(tmp_path: Path) -> None:
    db = tmp_path / "p.json"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli("--db", db, *args, env={"PROSPECTS_USER": "cli user"})

    assert cli("users", "add", "Ada", "--email", "ada@example.com", "--lead").returncode == 0
    added = cli("add", "--company-type", "End Customer", "--sector", "Retail", "--lead",
                "ada@example.com", "--company-name", "Good Ltd", "--domain", "e.com")
    assert added.returncode == 0, added.stderr
    pid = int(added.stdout)
    store = Store(db)
    evil = store.get_prospect(pid).model_copy(update={"company_name": "Evil \x1b]0;x\x07 Ltd"})
    store.update_prospect(evil)
    shown = cli("history", str(pid), "--json")
    entries = json.loads(shown.stdout)
    assert [(e["who"], e["what"]) for e in entries] == [("cli user", "created via cli"),
                                                        ("ada", "edited")]
    assert entries[1]["changes"] == {"company_name": ["Good Ltd", "Evil \x1b]0;x\x07 Ltd"]}
    text = cli("history", str(pid)).stdout
    assert "cli user  created via cli" in text and "\x1b" not in text and "\x07" not in text
    assert "company_name: 'Good Ltd' -> 'Evil \u241b]0;x" in text
    missing = cli("history", "999")
    assert missing.returncode == 1 and "no longer exists" in missing.stderr


@pytest.mark.parametrize("backend", ["postgres"])
def test_db_upgrade_from_version_1_adds_the_history(pg_url: str, backend: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:  # the schema as version 1 made it
        conn.execute("CREATE TABLE schema_version (version int PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        conn.execute(schema.MIGRATIONS[0])
        conn.execute("INSERT INTO schema_version (version) VALUES (1)")
    with pytest.raises(SchemaError, match="version 1, older"):
        Store(pg_url).history(1)
    repo = PostgresRepository(pg_url)
    assert repo.upgrade() == f"upgraded the schema from version 1 to {schema.VERSION}"
    repo.close()
    store = Store(pg_url)
    store.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    made = store.create_prospect(prospect())
    assert whats(store, made.id or 0) == ["created via form"]


def _history_of_each(store: Store, ids: list[int]) -> dict[int, list[str]]:
    return {i: whats(store, i) for i in ids}


@pytest.mark.parametrize("backend", ["tinydb"])
def test_the_offset_index_agrees_with_the_file_whatever_state_it_is_in(
        store: Store, db_path: Path, backend: str) -> None:
    made = [store.create_prospect(prospect(f"d{i}.com", f"Firm {i}")) for i in range(12)]
    for saved in made[::3]:
        store.update_prospect(saved.model_copy(update={"website": "https://x.example"}))
    ids = [m.id or 0 for m in made]
    expected = _history_of_each(store, ids)
    assert expected[ids[0]] == ["created via form", "edited"]
    index = db_path.with_name(f".{db_path.name}.history.idx")
    assert stat.S_IMODE(os.stat(index).st_mode) == 0o600
    assert index.stat().st_size == 16 * 16  # one record per line: 12 created, 4 edited
    whole = index.read_bytes()
    # Short (a crash between the two appends), torn, missing, or pointing at other lines:
    # the file stays the truth, and the next append puts the index right.
    for broken in (whole[:16 * 5], whole + b"\x00\x07", b"", whole[16:] + whole[:16],
                   b"\xff" * 32):
        index.write_bytes(broken)
        assert _history_of_each(Store(db_path), ids) == expected
    index.unlink()
    history = db_path.with_name(db_path.name + ".history.jsonl")
    with history.open("ab") as torn:  # a crash in the middle of a line
        torn.write(b'{"prospect":%d,"at":"20' % ids[1])
    deleted = store.get_prospect(ids[1])
    store.delete_prospect(ids[1], deleted.version)
    expected[ids[1]].append("deleted")
    assert _history_of_each(Store(db_path), ids) == expected
    assert index.stat().st_size == 16 * 18  # the 16 lines before, the torn one, the delete
    index.write_bytes(b"\xff" * 32)  # records of no line: rebuilt on the next append
    store.delete_prospect(ids[2], made[2].version)
    expected[ids[2]].append("deleted")
    assert _history_of_each(Store(db_path), ids) == expected
    assert index.stat().st_size == 16 * 19


@pytest.mark.parametrize("backend", ["tinydb"])
def test_the_offset_index_is_refused_as_a_link(store: Store, db_path: Path, backend: str,
                                                tmp_path: Path) -> None:
    made = store.create_prospect(prospect())
    index = db_path.with_name(f".{db_path.name}.history.idx")
    index.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(b"")
    index.symlink_to(elsewhere)
    with pytest.raises(StorageError):
        store.history(made.id or 0)
    with pytest.raises(StorageError):
        store.delete_prospect(made.id or 0, made.version)
    assert elsewhere.read_bytes() == b""
