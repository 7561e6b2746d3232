"""The history at scale, on each backend: one prospect's entries among a million, start-up.

    python bench/bench_history.py [--prospects 100000] [--entries 1000000] [--repeat 7]
                                  [--backends tinydb,postgres]

Each backend gets the same prospects three times (bench/generate.py): without any
history, with `--entries` history entries in the shapes the rules write
(bench/generate_history.py; FOCUS_ENTRIES of them on one prospect), and with only
that prospect's entries. Every figure is a median, beside a floor of the same run:
- history opened: Store.history of that prospect among all the entries (what the
  History panel and `history ID` read), against the same call where the history
  holds only that prospect's entries; target <= 50 ms;
- start-up to the first painted list (bench_list's probe, a fresh process) with the
  whole history, against the same without any history, taken in turns; target
  <= 1.05x (start-up must not read the history).
PostgreSQL runs on a throwaway cluster (tests/pg_cluster.py), started and removed here.
Exit status: 0, or 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import make_db
from bench.generate_history import FOCUS_ENTRIES, add_history

HISTORY_TARGET_MS = 50.0
START_TARGET = 1.05


class Targets:
    """The three stores of one backend: without history, with all of it, with the focus's."""

    def __init__(self, plain: str, full: str, alone: str, size: str) -> None:
        self.plain, self.full, self.alone, self.size = plain, full, alone, size


@contextmanager
def tinydb_targets(prospects: int, entries: int, focus: int) -> Iterator[Targets]:
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        os.chmod(folder, 0o700)
        paths = {name: Path(folder) / name / "prospects.json" for name in ("plain", "full", "alone")}
        for path in paths.values():
            path.parent.mkdir(mode=0o700)
        make_db(paths["plain"], prospects)
        shutil.copyfile(paths["plain"], paths["full"])
        shutil.copyfile(paths["plain"], paths["alone"])
        add_history(str(paths["full"]), entries, prospects=prospects, focus=focus)
        add_history(str(paths["alone"]), FOCUS_ENTRIES, prospects=prospects, focus=focus)
        history = Path(f"{paths['full']}.history.jsonl").stat().st_size
        index = paths["full"].with_name(f".{paths['full'].name}.history.idx").stat().st_size
        yield Targets(str(paths["plain"]), str(paths["full"]), str(paths["alone"]),
                      size=f"history file {history / 1e6:.1f} MB, index {index / 1e6:.1f} MB")


@contextmanager
def postgres_targets(prospects: int, entries: int, focus: int) -> Iterator[Targets]:
    import psycopg  # noqa: PLC0415

    from store.transfer.copy import copy_database  # noqa: PLC0415
    from tests.pg_cluster import throwaway_cluster  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder, \
            throwaway_cluster() as cluster:
        source = Path(folder) / "prospects.json"
        make_db(source, prospects)
        plain = cluster.create_database("plain")
        copy_database(source, plain)
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            for name in ("with_history", "focus_only"):
                conn.execute(f"CREATE DATABASE {name} TEMPLATE plain")
        full, alone = cluster.url("with_history"), cluster.url("focus_only")
        add_history(full, entries, prospects=prospects, focus=focus)
        add_history(alone, FOCUS_ENTRIES, prospects=prospects, focus=focus)
        with psycopg.connect(full, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE history")
            size = conn.execute("SELECT pg_total_relation_size('history')").fetchone()
        yield Targets(plain, full, alone,
                      size=f"history table with its indexes {(size or [0])[0] / 1e6:.1f} MB")


def measure_history(full: str, alone: str, focus: int, repeat: int) -> dict[str, list[float]]:
    """Store.history of the focus among every entry and alone, in turns, after a warm-up."""
    from store.rules.store import Store  # noqa: PLC0415

    stores = {"full": Store(full), "alone": Store(alone)}
    out: dict[str, list[float]] = {"full": [], "alone": []}
    for store in stores.values():
        if len(store.history(focus)) != FOCUS_ENTRIES:
            raise RuntimeError(f"prospect {focus} has not {FOCUS_ENTRIES} history entries")
    for _ in range(repeat):
        for name, store in stores.items():
            started = time.perf_counter()
            store.history(focus)
            out[name].append(time.perf_counter() - started)
    for store in stores.values():
        store.close()
    return out


def measure_start(plain: str, full: str, repeat: int) -> dict[str, list[float]]:
    """Start-up to the first painted list without and with the history, in turns."""
    from bench.bench_list import START_APP, _run_until_ready  # noqa: PLC0415

    out: dict[str, list[float]] = {"plain": [], "full": []}
    for target in (plain, full):  # warm-up of each
        _run_until_ready(START_APP, target)  # type: ignore[arg-type]
    for _ in range(repeat):
        for name, target in (("plain", plain), ("full", full)):
            out[name].append(_run_until_ready(START_APP, target)["wall"])  # type: ignore[arg-type]
    return out


def report(backend: str, prospects: int, entries: int, repeat: int) -> bool:
    make = tinydb_targets if backend == "tinydb" else postgres_targets
    focus = prospects // 2
    med = statistics.median
    started = time.perf_counter()
    with make(prospects, entries, focus) as targets:
        made = time.perf_counter() - started
        history = measure_history(targets.full, targets.alone, focus, repeat)
        starts = measure_start(targets.plain, targets.full, repeat)
    opened, floor = med(history["full"]), med(history["alone"])
    start, start_floor = med(starts["full"]), med(starts["plain"])
    history_ok = opened * 1000 <= HISTORY_TARGET_MS
    start_ok = start <= START_TARGET * start_floor
    print(f"\n{backend}: {prospects:,} prospects, {entries:,} history entries ({targets.size}; "
          f"made in {made:.0f} s), medians of {repeat}")
    print(f"  history of one prospect ({FOCUS_ENTRIES} entries) {opened * 1000:8.1f} ms   floor "
          f"(its entries alone) {floor * 1000:6.1f} ms   {opened / floor:6.2f}x   "
          f"target <= {HISTORY_TARGET_MS:.0f} ms   {'PASS' if history_ok else 'FAIL'}")
    print(f"  start-up with the history     {start * 1000:8.1f} ms   floor (no history) "
          f"{start_floor * 1000:8.1f} ms   {start / start_floor:6.2f}x   "
          f"target <= {START_TARGET:.2f}x   {'PASS' if start_ok else 'FAIL'}")
    return history_ok and start_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", default="tinydb,postgres")
    args = parser.parse_args(argv)
    if args.prospects < 2 or args.entries < FOCUS_ENTRIES or args.repeat < 1:
        parser.error(f"--prospects at least 2, --entries at least {FOCUS_ENTRIES}, "
                     "--repeat at least 1")
    ok = [report(b, args.prospects, args.entries, args.repeat) for b in args.backends.split(",")]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
