"""`db copy` and `db upgrade`, run as real processes on real files: exact copies, refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from store.backends.open import open_repository
from store.models import Order, ProductLine, Prospect, User, View
from store.rules.store import Store
from tests.cli import run_cli
from tests.seed import seed_prospects

HOSTILE = "Tom & Jerry [UK] Ltd [bold]x[/] 👍🏽 مرحبا Ünïcødé"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=env)


def outputs(target: str) -> dict[str, object]:
    """What a person or a script sees of a database, as text: the outputs a copy must keep.
    The commands run at once: each spends most of its time starting."""
    commands = {"list": ["list", "--json"], "users": ["users", "list", "--json"],
                "batches": ["import", "--batches"], "views": ["views", "list", "--json"]}
    running = {name: subprocess.Popen([sys.executable, "-m", "tui", "--db", target, *args],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name, args in commands.items()}
    shown: dict[str, object] = {}
    for name, proc in running.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        shown[name] = out
    return shown


def fill(target: Path) -> None:
    """Every kind of record, with gaps in the ids, edits (versions), an undone batch, orders
    and views (a personal one and a shared one, one deleted)."""
    store = Store(target)
    ada = store.add_user(User(name="Ada Lovelace", email="Ada@Example.com", implementation_lead=True))
    store.add_user(User(name=HOSTILE, email="tom@example.com"))
    assert ada.id is not None
    made = [Prospect(company_type="End Customer", company_name=f"{HOSTILE} {i}",
                     domain=f"p{i}.example", sector="Retail", implementation_lead=ada.id,
                     permitted_users=10 + i,
                     products=[ProductLine(product="Mimecast for Mac", seats=5 + i)])
            for i in range(4)]
    batch = seed_prospects(store, made, sha256="a" * 64)
    undone = seed_prospects(store, [made[0].model_copy(update={"domain": "gone.example"})],
                            sha256="b" * 64)
    store.undo_batch(undone.id or 0)
    first, second = (store.get_prospect(i) for i in batch.prospect_ids[:2])
    store.update_prospect(first.model_copy(update={"website": "https://p0.example/"}))
    store.delete_prospect(batch.prospect_ids[2], 1)
    store.save_order(Order(prospect=second.id or 0, products=second.products,
                           order_number="PO-1", covered_by_msa=True, authorised=True), submit=True)
    store.save_order(Order(prospect=first.id or 0, products=first.products))
    store.save_view(View(name="gone", shared=True))
    store.save_view(View(name=HOSTILE, filter='sector:retail -product:"cloud archive"', letter="t",
                         sort="permitted_users", descending=True, columns=["domain", "company_name"]))
    store.save_view(View(name=HOSTILE, filter="users:>=11", shared=True))
    store.delete_view("gone")
    store.close()


def dumped(target: Path | str) -> dict[str, object]:
    repo = open_repository(target)
    try:
        return dict(repo.dump())
    finally:
        repo.close()


def test_copy_file_to_file_is_exact(tmp_path: Path) -> None:
    source, copy = tmp_path / "source.json", tmp_path / "copy.json"
    fill(source)
    done = cli("db", "copy", str(source), str(copy))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        f"copied 2 user(s), 3 prospect(s), 2 order(s), 2 import batch(es) and 2 view(s) from {source} "
        f"to {copy}")
    assert f"created a new empty database at {copy}" in done.stderr
    assert outputs(str(copy)) == outputs(str(source))
    assert dumped(copy) == dumped(source)  # ids, versions, timestamps, orders: everything
    listed = json.loads(str(outputs(str(copy))["list"]))
    assert isinstance(listed, list) and listed[0]["company_name"].startswith(HOSTILE)
    assert {p["status"] for p in listed} == {"prospect", "customer"}


def test_a_copy_takes_new_records_and_keeps_uniqueness(tmp_path: Path) -> None:
    # The copy is a database like any other: new records follow the copied ids.
    source, copy = tmp_path / "source.json", tmp_path / "copy.json"
    fill(source)
    assert cli("db", "copy", str(source), str(copy)).returncode == 0
    added = cli("--db", str(copy), "add", "--company-type", "End Customer", "--company-name",
                "New Ltd", "--domain", "new.example", "--sector", "Retail", "--lead",
                "ada@example.com")
    assert added.returncode == 0, added.stderr
    listed = json.loads(str(outputs(str(source))["list"]))
    assert isinstance(listed, list) and int(added.stdout) > max(p["id"] for p in listed)
    again = cli("--db", str(copy), "add", "--company-type", "End Customer", "--company-name",
                "Dup Ltd", "--domain", "P1.example", "--sector", "Retail", "--lead",
                "ada@example.com")
    assert again.returncode == 1 and "p1.example" in again.stderr  # uniqueness came along


def test_copy_refuses_a_destination_with_data(tmp_path: Path) -> None:
    source, taken = tmp_path / "source.json", tmp_path / "taken.json"
    fill(source)
    Store(taken).add_user(User(name="Someone", email="someone@example.com"))
    before = taken.read_bytes()
    done = cli("db", "copy", str(source), str(taken))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"{taken} already holds data: db copy only fills an empty database (nothing was "
        "written); name a new file or an empty PostgreSQL database"]
    assert done.stdout == ""
    assert taken.read_bytes() == before


def test_copy_refuses_a_missing_source_folder_or_itself(tmp_path: Path) -> None:
    source = tmp_path / "source.json"
    fill(source)
    missing = cli("db", "copy", str(tmp_path / "typo.json"), str(tmp_path / "new.json"))
    assert missing.returncode == 2 and "typo.json: no such database file" in missing.stderr
    nowhere = cli("db", "copy", str(source), str(tmp_path / "no-folder" / "new.json"))
    assert nowhere.returncode == 2 and "no-folder: no such folder" in nowhere.stderr
    itself = cli("db", "copy", str(source), str(source))
    assert itself.returncode == 2 and "is both the source and the destination" in itself.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".source.json.changes", ".source.json.history.idx", "source.json",
        "source.json.history.jsonl", "source.json.lock"]
    for done in (missing, nowhere, itself):
        assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


def test_db_upgrade_on_a_file_has_nothing_to_do(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    fill(path)
    before = path.read_bytes()
    done = cli("--db", str(path), "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{path} needs no upgrade: a data file has no schema to change\n"
    assert path.read_bytes() == before
    new = tmp_path / "new.json"
    made = cli("db", "upgrade", env={"PROSPECTS_DB": str(new)})
    assert made.returncode == 0 and new.exists()
    assert made.stderr == f"created a new empty database at {new}\n"


# -- PostgreSQL: a real throwaway server (tests/pg_cluster.py) ---------------------------------

PASSWORD = "s3cret"


def with_password(url: str) -> str:
    """The test cluster's URL with a password in it (the server trusts the socket: any works)."""
    assert url.startswith("postgresql://postgres@")
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def test_copy_through_postgresql_and_back_is_exact(tmp_path: Path, pg_url: str) -> None:
    source, back = tmp_path / "source.json", tmp_path / "back.json"
    fill(source)
    there = cli("db", "copy", str(source), pg_url)
    assert there.returncode == 0, there.stderr
    assert there.stdout.splitlines()[-1].startswith("copied 2 user(s), 3 prospect(s), 2 order(s), "
                                                    "2 import batch(es) and 2 view(s)")
    assert outputs(pg_url) == outputs(str(source))
    home = cli("db", "copy", pg_url, str(back))
    assert home.returncode == 0, home.stderr
    assert outputs(str(back)) == outputs(str(source))
    assert dumped(back) == dumped(source)  # ids, versions, timestamps, orders: everything


def test_copy_refuses_a_postgresql_database_with_data(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "source.json"
    fill(source)
    assert cli("db", "copy", str(source), pg_url).returncode == 0
    before = outputs(pg_url)
    again = cli("db", "copy", str(source), with_password(pg_url))
    assert again.returncode == 2
    assert again.stderr.startswith(f"{pg_url.replace('postgres@', 'postgres:***@')} already "
                                   "holds data: db copy only fills an empty database")
    assert PASSWORD not in again.stderr + again.stdout
    assert outputs(pg_url) == before


def test_db_upgrade_on_postgresql_says_what_it_did(pg_url: str) -> None:
    first = cli("--db", pg_url, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert first.stderr == f"created a new empty database at {pg_url}\n"
    again = cli("--db", pg_url, "db", "upgrade")
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout.startswith("the schema is up to date")


def test_a_password_never_shows_while_the_server_answers(tmp_path: Path, pg_url: str) -> None:
    source = tmp_path / "source.json"
    fill(source)
    url = with_password(pg_url)
    masked = pg_url.replace("postgres@", "postgres:***@")
    copied = cli("db", "copy", str(source), url)
    assert copied.returncode == 0, copied.stderr
    assert f"to {masked}" in copied.stdout
    runs = [copied, cli("db", "copy", url, str(tmp_path / "back.json")),
            cli("--db", url, "db", "upgrade"),
            *(cli("--db", url, *args) for args in (["list", "--json"], ["list"],
                                                    ["users", "list", "--json"],
                                                    ["import", "--batches"]))]
    for done in runs:
        assert done.returncode == 0, done.stderr
        assert PASSWORD not in done.stdout + done.stderr


NOWHERE = f"postgresql://u:{PASSWORD}@127.0.0.1:1/x"  # nothing listens on port 1
NOWHERE_SHOWN = "postgresql://u:***@127.0.0.1:1/x"


def test_a_password_never_shows_when_the_server_is_not_there(tmp_path: Path) -> None:
    source = tmp_path / "source.json"
    fill(source)
    runs = {
        "list": (cli("--db", NOWHERE, "list", "--json"), NOWHERE_SHOWN),
        "users": (cli("users", "list", "--json", env={"PROSPECTS_DB": NOWHERE}), NOWHERE_SHOWN),
        "upgrade": (cli("--db", NOWHERE, "db", "upgrade"), NOWHERE_SHOWN),
        "copy to": (cli("db", "copy", str(source), NOWHERE), NOWHERE_SHOWN),
        "copy from": (cli("db", "copy", NOWHERE, str(tmp_path / "back.json")), NOWHERE_SHOWN),
        "a password parameter": (
            cli("--db", f"postgres://u@127.0.0.1:1/x?password={PASSWORD}", "import", "--batches"),
            "postgres://u@127.0.0.1:1/x?password=***"),
        "a malformed URL": (cli("--db", f"postgresql://u:{PASSWORD}@[::1/x", "list"),
                            "postgresql://u:***@[::1/x is not a usable PostgreSQL URL"),
    }
    for what, (done, shown) in runs.items():
        assert done.returncode == 2, what
        assert PASSWORD not in done.stdout + done.stderr, what
        assert done.stdout == "" and "Traceback" not in done.stderr, what
        assert len(done.stderr.splitlines()) == 1 and shown in done.stderr, what
    assert not (tmp_path / "back.json").exists()
