"""The benchmark and its data generator still run, so that they cannot rot unnoticed."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import orjson

from bench.generate import CSV_COLUMNS, LEAD_EMAILS, make_csv, make_db
from store.models import Prospect
from store.rules.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_generated_file_is_the_stored_format(tmp_path: Path) -> None:
    db = tmp_path / "data" / "prospects.json"
    db.parent.mkdir(mode=0o700)
    make_db(db, 300, seed=3)
    data = orjson.loads(db.read_bytes())
    assert set(data) == {"users", "prospects"}
    assert len(data["prospects"]) == 300
    domains = [r["domain"] for r in data["prospects"].values()]
    assert len(set(domains)) == 300
    for key, record in data["prospects"].items():
        # exactly what the Store writes for a valid prospect
        assert Prospect.model_validate(record).model_dump(mode="json", exclude={"id"}) == record
        assert int(key) >= 1
    store = Store(db)
    assert len(store.prospect_rows()) == 300
    leads = {u.id for u in store.leads()}
    assert {r["implementation_lead"] for r in data["prospects"].values()} <= leads
    store.close()
    again = tmp_path / "again.json"
    make_db(again, 300, seed=3)
    assert again.read_bytes() == db.read_bytes()  # the same seed gives the same file


def test_generated_csv_has_the_upload_columns(tmp_path: Path) -> None:
    out = tmp_path / "upload.csv"
    make_csv(out, 50, seed=1)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 51
    lead = CSV_COLUMNS.index("Implementation Lead")
    assert all(row[lead] in LEAD_EMAILS for row in rows[1:])


def test_generator_command_line(tmp_path: Path) -> None:
    out = tmp_path / "small.json"
    done = subprocess.run([sys.executable, "bench/generate.py", str(out), "25"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(orjson.loads(out.read_bytes())["prospects"]) == 25


def test_bench_list_runs_and_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_list.py", "--sizes", "200", "--repeat", "1",
         "--moves", "5"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("figure"))
    for column in ("median", "floor", "ratio", "target", "result"):
        assert column in header
    for figure in ("start-up to first painted list", "search keystroke", "sort by domain",
                   "cursor down", "save one prospect", "peak memory"):
        row = next((line for line in lines if line.startswith(figure)), None)
        assert row is not None, f"no {figure!r} row in:\n{done.stdout}"
        assert row.rstrip().endswith(("PASS", "FAIL")), row


def test_bench_delta_runs_and_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_delta.py", "--prospects", "300", "--repeat", "2", "--poll", "0.1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for figure in ("shown after the other save returned", "poll() until it returned the change",
                   "event loop: apply + table repainted", "old full rebuild",
                   "event loop against the old rebuild"):
        assert figure in done.stdout, f"no {figure!r} in:\n{done.stdout}"


def test_bench_postgres_runs_and_prints_its_figures(pg_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_postgres.py", "--prospects", "300", "--repeat", "1",
         "--url", pg_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    # 1 is a missed target (timing, not checked here); anything else is a crash.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    lines = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert lines == ["rows", "save", "poll", "import"], done.stdout


def test_bench_filter_runs_and_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_filter.py", "--prospects", "300", "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for figure in ("-status:customer sector:fin: keystroke", "users:>=500: pasted",
                   "verified:>30d: first use", 'product:"mimecast for mac": keystroke'):
        row = next((line for line in done.stdout.splitlines() if line.startswith(figure)), None)
        assert row is not None, f"no {figure!r} row in:\n{done.stdout}"
        assert row.rstrip().endswith(("PASS", "FAIL", "-")), row


def test_bench_history_runs_on_both_backends() -> None:
    done = subprocess.run(
        [sys.executable, "bench/bench_history.py", "--prospects", "200", "--entries", "1000",
         "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    # 1 is a missed target (timing, not checked here); anything else is a crash.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    for backend in ("tinydb", "postgres"):
        assert f"{backend}: 200 prospects, 1,000 history entries" in done.stdout, done.stdout
    assert done.stdout.count("history of one prospect (50 entries)") == 2, done.stdout
    assert done.stdout.count("start-up with the history") == 2, done.stdout


def test_generated_history_has_the_rules_shapes(tmp_path: Path) -> None:
    from bench.generate_history import FOCUS_ENTRIES, add_history  # noqa: PLC0415

    db = tmp_path / "data" / "prospects.json"
    db.parent.mkdir(mode=0o700)
    make_db(db, 40)
    add_history(str(db), 500, prospects=40, focus=7)
    store = Store(db)
    entries = store.history(7)
    assert len(entries) == FOCUS_ENTRIES
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert all(set(e) == {"at", "who", "what", "changes"} for e in entries)
    everything = [e for i in range(1, 41) for e in store.history(i)]
    assert len(everything) == 500
    assert {e["what"].split()[0] for e in everything} >= {"edited", "verified:", "created"}
    store.close()
