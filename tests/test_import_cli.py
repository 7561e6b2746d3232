"""template / import / export from the command line, as real processes, several at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.rules.store import Store
from tests.cli import run_cli
from tests.upload_files import row, write_csv

TIMEOUT = 180


def cli(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("--db", db, *args, timeout=TIMEOUT)


def start(db: Path, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tui", "--db", str(db), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "prospects.json"
    path.parent.mkdir(mode=0o700)
    assert cli(path, "users", "add", "Ada Lovelace", "--email", "ada@example.com",
               "--lead").returncode == 0
    return path


def prospects(db: Path) -> list[dict[str, object]]:
    done = cli(db, "list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def many(tmp_path: Path, name: str, count: int, prefix: str) -> Path:
    rows = [row(f"{prefix} Company {i} Ltd", f"{prefix}{i}.example",
                products="Cloud Archive; Mimecast for Mac:10") for i in range(count)]
    return write_csv(tmp_path / name, rows)


def test_template(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    done = cli(db, "template", out)
    assert done.returncode == 0 and out.exists()
    assert done.stdout.strip() == f"wrote the upload template to {out}"
    again = cli(db, "template", out)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert cli(db, "template", out, "--force").returncode == 0
    assert cli(db, "template", tmp_path / "t.csv").returncode == 2


def test_export_refuses_the_database_and_an_existing_file(db: Path, tmp_path: Path) -> None:
    assert cli(db, "import", write_csv(tmp_path / "in.csv", [row()])).returncode == 0
    before = db.read_bytes()
    lock, temp = db.with_name(f"{db.name}.lock"), db.with_name(f".{db.name}.tmp-1-a.xlsx")
    for command, target in (("export", db), ("export", lock), ("template", temp)):
        for force in ((), ("--force",)):
            done = cli(db, command, target, *force)
            assert done.returncode == 2, done
            assert "prospects database" in done.stderr and "Traceback" not in done.stderr
    assert db.read_bytes() == before

    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    kept = cli(db, "export", out)
    assert kept.returncode == 2 and kept.stderr.strip() == (
        f"{out} already exists: choose another name, or add --force to replace it")
    assert out.read_text(encoding="utf-8") == "keep me"
    assert cli(db, "export", out, "--force").returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfCompany Type,")


def test_dry_run_errors_skip_invalid_and_resubmit(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row("Acme Ltd", "acme.example"),
                                          row("Bad Ltd", "exa mple.com"),
                                          row("Acme Again", "ACME.example")])
    dry = cli(db, "import", path, "--dry-run")
    assert dry.returncode == 1
    assert dry.stdout.splitlines() == [
        "row 2\tcreate\tacme.example\tAcme Ltd",
        "row 3\terror\texa mple.com\tDomain: 'exa mple.com' is not a valid domain name: "
        "spaces are not allowed",
        "row 4\tduplicate\tACME.example\tDomain: acme.example is also on row 2",
        "in.csv: 3 row(s): 1 to create, 1 duplicate(s), 1 with errors "
        "(dry run: nothing was written)",
    ]
    assert dry.stderr.splitlines() == [
        "row 3, Domain: 'exa mple.com' is not a valid domain name: spaces are not allowed"]

    refused = cli(db, "import", path)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1].startswith("in.csv: 1 row(s) have errors; nothing "
                                                      "was written")
    assert prospects(db) == []

    done = cli(db, "import", path, "--skip-invalid")
    assert done.returncode == 0  # what was asked, the valid rows, was written
    assert done.stdout.startswith("imported 1 prospect(s) from in.csv as import batch 1 ")
    assert ("row 3, Domain: 'exa mple.com' is not a valid domain name: spaces are not "
            "allowed") in done.stderr.splitlines()
    assert "row 4, Domain: acme.example is also on row 2 (skipped)" in done.stderr
    assert [p["domain"] for p in prospects(db)] == ["acme.example"]

    again = cli(db, "import", path, "--skip-invalid")
    assert again.returncode == 0
    assert again.stderr.startswith("in.csv was already imported at ")
    assert "(import batch 1, 1 prospect(s) created): nothing was done" in again.stderr
    assert len(prospects(db)) == 1


def test_bad_input_exit_codes(db: Path, tmp_path: Path) -> None:
    missing = cli(db, "import", tmp_path / "nope.csv")
    assert missing.returncode == 2 and "there is no such file" in missing.stderr
    assert cli(db, "import").returncode == 2
    assert cli(db, "import", tmp_path / "nope.csv", "--undo", "1").returncode == 2
    header = tmp_path / "header.csv"
    header.write_text("Company Name,Domain\nA,a.example\n", encoding="utf-8")
    bad = cli(db, "import", header)
    assert bad.returncode == 1 and "row 1, Company Type: the column is missing" in bad.stderr


def test_undo_lists_what_it_kept(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [row("Keep Me Ltd", "keep.example"),
                                          row("Drop Me Ltd", "drop.example")])
    assert cli(db, "import", path).returncode == 0
    store = Store(db)
    [kept] = [store.get_prospect(i) for i, r in store.prospect_rows()
              if r["domain"] == "keep.example"]
    store.update_prospect(kept.model_copy(update={"website": "https://keep.example"}))
    store.close()
    listing = cli(db, "import", "--batches")
    assert listing.stdout.startswith("1\t") and "in.csv\t2 created" in listing.stdout
    undo = cli(db, "import", "--undo", "1")
    assert undo.returncode == 0
    assert undo.stdout.splitlines() == [
        "import batch 1: removed 1 prospect(s)",
        "kept 1 changed since the import:",
        f"  {kept.id}\tKeep Me Ltd\tkeep.example\tedited since the import",
    ]
    assert [p["domain"] for p in prospects(db)] == ["keep.example"]
    twice = cli(db, "import", "--undo", "1")
    assert twice.returncode == 1 and "already undone" in twice.stderr


def test_export_and_reimport(db: Path, tmp_path: Path) -> None:
    names = ["=cmd|' /C calc'!A0", "Tom & Jerry [UK] Ltd", "Ünïcode GmbH"]
    rows = [row(name, f"e{i}.example", permitted_users="5") for i, name in enumerate(names)]
    assert cli(db, "import", write_csv(tmp_path / "in.csv", rows)).returncode == 0
    for suffix in ("csv", "xlsx", "json"):
        out = tmp_path / f"out.{suffix}"
        done = cli(db, "export", out)
        assert cli(db, "export", out).returncode == 2  # never over a file without --force
        assert done.returncode == 0 and done.stdout.strip() == f"exported 3 prospect(s) to {out}"
    only = cli(db, "export", tmp_path / "t.csv", "--letter", "t")
    assert only.stdout.startswith("exported 1 prospect(s)")
    assert cli(db, "export", tmp_path / "x.csv", "--letter", "7").returncode == 2
    for suffix in ("csv", "xlsx"):
        fresh = tmp_path / suffix / "db.json"
        fresh.parent.mkdir(mode=0o700)
        cli(fresh, "users", "add", "Ada Lovelace", "--email", "ada@example.com", "--lead")
        assert cli(fresh, "import", tmp_path / f"out.{suffix}").returncode == 0
        assert sorted(p["company_name"] for p in prospects(fresh)) == sorted(names)


def test_two_different_files_at_once_both_land_whole(db: Path, tmp_path: Path) -> None:
    first = many(tmp_path, "a.csv", 3000, "a")
    second = many(tmp_path, "b.csv", 3000, "b")
    procs = [start(db, "import", first), start(db, "import", second)]
    for proc in procs:
        _out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
    got = prospects(db)
    assert len(got) == 6000 and len({p["id"] for p in got}) == 6000
    assert {p["import_batch"] for p in got} == {1, 2}


def test_the_same_file_from_two_sessions_lands_once(db: Path, tmp_path: Path) -> None:
    path = many(tmp_path, "same.csv", 3000, "s")
    procs = [start(db, "import", path) for _ in range(3)]
    results = [proc.communicate(timeout=TIMEOUT) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0]
    assert sum(out.startswith("imported 3000") for out, _err in results) == 1
    assert sum("was already imported at" in err for _out, err in results) == 2
    assert len(prospects(db)) == 3000


def test_kill_during_an_import_leaves_before_or_after(db: Path, tmp_path: Path) -> None:
    path = many(tmp_path, "big.csv", 5_000, "k")
    before = db.read_bytes()
    seen = set()
    for delay in (0.3, 0.6, 1.0, 1.5, 2.5):
        proc = start(db, "import", path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=TIMEOUT)
        got = prospects(db)
        assert len(got) in (0, 5_000)
        seen.add(len(got))
        if got:
            assert cli(db, "import", "--undo", str(got[0]["import_batch"])).returncode == 0
    # The next write sweeps a temp file that a killed writer left.
    assert cli(db, "users", "add", "Zed", "--email", "zed@example.com").returncode == 0
    assert not [n for n in os.listdir(db.parent) if ".tmp-" in n]
    assert prospects(db) == [] and db.read_bytes() != before
    assert seen  # every count above parsed the file: it was never half written


HOSTILE_NAMES = ["[bold]Bold[/bold] Ltd", "Tom & Jerry Ltd", "Emoji 🚀👩‍💻 Ltd",
                 "شركة الاختبار", "חברת בדיקה בע\"מ", "Esc \x1b[2J Ltd", "L" * 10_000]


def test_hostile_names_through_import_and_export(db: Path, tmp_path: Path) -> None:
    from tests.upload_files import write_xlsx

    rows = [row(name, f"h{i}.example") for i, name in enumerate(HOSTILE_NAMES)]
    # An .xlsx cannot hold ESC at all: that row is blank there.
    xlsx_rows = [r if "\x1b" not in r[1] else row("", "") for r in rows]
    for path in (write_csv(tmp_path / "in.csv", rows),
                 write_xlsx(tmp_path / "in.xlsx", xlsx_rows)):
        done = cli(db, "import", path, "--skip-invalid")
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "Value error" not in done.stderr
        assert "row 8, Company Name: is 10000 characters long; at most 200" in done.stderr
    names = {p["company_name"] for p in prospects(db)}
    assert set(HOSTILE_NAMES[:5]) <= names and "L" * 10_000 not in names
    for suffix in ("csv", "xlsx", "json"):
        done = cli(db, "export", tmp_path / f"out.{suffix}")
        assert done.returncode == 0 and "Traceback" not in done.stderr
    exported = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert {p["status"] for p in exported} == {"prospect"}
    assert set(HOSTILE_NAMES[:5]) <= {p["company_name"] for p in exported}
