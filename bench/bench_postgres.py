"""The PostgreSQL backend at 100k prospects, against bare psycopg on the same data.

    python bench/bench_postgres.py [--prospects 100000] [--repeat 7] [--url URL]

Without --url it starts a throwaway cluster (tests/pg_cluster.py: fsync off, Unix
socket). Each figure is a median over --repeat runs, in one process:

  rows        repository.prospect_rows(): every prospect as a JSON-mode record
  rows floor  bare psycopg fetching the same columns (typed: datetimes, dates, jsonb)
  save        one prospect saved: a write session reading it, checking its version,
              updating it (what the rules do), commit with NOTIFY; target <= 20 ms
  poll        another session's poll() after that save: the notification and the row
  import      insert_many of every prospect in one write session (COPY, ids in bulk)
  import floor
              bare psycopg COPY of the same rows already converted, into the same table

Ratios are against the floors of the same run (targets: rows <= 1.5x).
Exit status: 0, or 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
import psycopg
from psycopg.types.json import set_json_loads

from bench.generate import make_data
from store.backends.base import PROSPECTS, USERS
from store.backends.postgres import columns
from store.backends.postgres.repository import PostgresRepository
from store.bulk import collector_paused
from tests.pg_cluster import throwaway_cluster

SAVE_TARGET_MS = 20.0
ROWS_TARGET = 1.5


def timed(run: Callable[[], Any]) -> float:
    """The wall time of run(), the collector paused (no figure pays for its rescans)."""
    gc.collect()
    with collector_paused():
        start = time.perf_counter()
        run()
        return time.perf_counter() - start


def median_s(run: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        times.append(timed(run))
    return statistics.median(times)


def paired(ours: Callable[[], Any], floor: Callable[[], Any], repeat: int,
           before: Callable[[], Any] = lambda: None) -> tuple[float, float, float]:
    """Medians of ours and of the floor, and the median ratio of runs taken in turns.

    Taking them in turns keeps a busy machine's swings out of the ratio.
    """
    pairs = []
    for _ in range(repeat):
        before()
        mine = timed(ours)
        before()
        pairs.append((mine, timed(floor)))
    return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
            statistics.median(p[0] / p[1] for p in pairs))


def bare_fetch(url: str) -> Callable[[], Any]:
    conn = psycopg.connect(url, autocommit=True)
    set_json_loads(orjson.loads, conn)
    query = "SELECT id, " + ", ".join(columns.NAMES[PROSPECTS]) + " FROM prospects"
    return lambda: conn.execute(query).fetchall()


def save_one(repo: PostgresRepository, prospect_id: int) -> None:
    with repo.writing() as session:
        record = session.get(PROSPECTS, prospect_id)
        assert record is not None
        session.update(PROSPECTS, prospect_id, {"website": f"https://v{record['version']}.example",
                                                "version": record["version"] + 1})


def run(url: str, n: int, repeat: int) -> bool:
    data = make_data(n)
    users = [(int(k), r) for k, r in data[USERS].items()]
    prospects = list(data[PROSPECTS].values())
    repo = PostgresRepository(url)
    other = PostgresRepository(url)
    repo.load({USERS: users}, {})
    conn = psycopg.connect(url, autocommit=True)

    def empty() -> None:
        conn.execute("TRUNCATE prospects CASCADE")
        other.poll()

    def insert() -> None:
        with repo.writing() as session:
            session.insert_many(PROSPECTS, prospects)

    rows = [[i, *columns.to_row(PROSPECTS, r)] for i, r in enumerate(prospects, start=1)]
    names = ", ".join(["id", *columns.insert_columns(PROSPECTS)])

    def bare_copy() -> None:
        with conn.transaction(), conn.cursor().copy(f"COPY prospects ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    imported, copy_floor, import_ratio = paired(insert, bare_copy, max(1, repeat // 2), empty)
    empty()
    insert()
    conn.execute("VACUUM ANALYZE prospects")
    other.poll()

    fetched, floor, rows_ratio = paired(repo.prospect_rows, bare_fetch(url), repeat)
    some_id = repo.prospect_rows()[n // 2][0]
    saved = median_s(lambda: save_one(repo, some_id), repeat * 3)

    def polled() -> None:
        changes = other.poll()
        while some_id not in changes.prospects:
            changes = other.poll()
    poll_time = median_s(polled, repeat, lambda: save_one(repo, some_id))

    print(f"{n} prospects, median of {repeat} (import: {max(1, repeat // 2)})")
    print(f"  rows          {fetched * 1000:8.1f} ms   floor {floor * 1000:8.1f} ms   "
          f"ratio {rows_ratio:.2f} (target <= {ROWS_TARGET})")
    print(f"  save          {saved * 1000:8.1f} ms   (target <= {SAVE_TARGET_MS:.0f} ms)")
    print(f"  poll          {poll_time * 1000:8.1f} ms   (another session, after one save)")
    print(f"  import        {imported * 1000:8.1f} ms   floor {copy_floor * 1000:8.1f} ms   "
          f"ratio {import_ratio:.2f}")
    repo.close()
    other.close()
    conn.close()
    return rows_ratio <= ROWS_TARGET and saved * 1000 <= SAVE_TARGET_MS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="an empty database (default: a throwaway cluster)")
    args = parser.parse_args(argv)
    if args.url:
        return 0 if run(args.url, args.prospects, args.repeat) else 1
    with throwaway_cluster() as cluster:
        return 0 if run(cluster.create_database(), args.prospects, args.repeat) else 1


if __name__ == "__main__":
    sys.exit(main())
