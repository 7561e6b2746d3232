"""The store on each backend at 100k prospects: save, start-up, another session's save, memory.

    python bench/bench_store.py [--prospects 100000] [--repeat 7] [--backends tinydb,postgres]

Every figure is a median, printed beside a floor measured in the same run on the
same data, and their ratio:
- save one prospect (create, then update): TinyDB against orjson.dumps + write + fsync
  of the whole file (target <= 3x); PostgreSQL in milliseconds (target <= 20 ms);
- start-up to the first painted list (bench_list's probe, a fresh process) against
  `import textual` + `orjson.loads` of the file (TinyDB) or + a bare psycopg fetch of the
  same columns (PostgreSQL); target <= 1.5x; with the peak memory (target <= 300 MB);
- another session's save shown: a second Store saves one prospect; the first one's poll()
  returns it (seconds, target <= 1 s) and ProspectList.apply costs event-loop time
  (target <= 50 ms) -- against a full rebuild of the list.
PostgreSQL runs on a throwaway cluster (tests/pg_cluster.py), started and removed here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import LEAD_IDS, floor_write, make_db

ROOT = Path(__file__).resolve().parent.parent

# The PostgreSQL floor: the same Python importing textual and fetching the list's columns.
START_FLOOR_POSTGRES = """\
import os, resource, sys, time
t0 = time.perf_counter()
import textual, psycopg
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute(
        "SELECT id, company_type, company_name, domain, website, sector, implementation_lead,"
        " secondary_contact, expected_provision_date, permitted_users, products, status,"
        " created_at, updated_at, import_batch, version FROM prospects").fetchall()
use = resource.getrusage(resource.RUSAGE_SELF)
cpu = use.ru_utime + use.ru_stime
os.write(1, f"READY {time.perf_counter() - t0:.6f} {use.ru_maxrss} {cpu:.6f} 0\\n".encode())
os._exit(0)
"""


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms"


def ratio(value: list[float], floor: list[float]) -> str:
    return f"{statistics.median(value) / statistics.median(floor):5.2f}x"


def measure_start(target: str, floor_code: str, repeat: int) -> dict[str, list[float]]:
    """Start-up to the first painted list (bench_list's probe) against the floor, alternating."""
    from bench.bench_list import START_APP, _run_until_ready  # noqa: PLC0415

    out: dict[str, list[float]] = {"app": [], "floor": [], "peak_mb": []}
    _run_until_ready(floor_code, target)  # type: ignore[arg-type]  # warm-up of each
    _run_until_ready(START_APP, target)  # type: ignore[arg-type]
    for _ in range(repeat):
        out["floor"].append(_run_until_ready(floor_code, target)["wall"])  # type: ignore[arg-type]
        run = _run_until_ready(START_APP, target)  # type: ignore[arg-type]
        out["app"].append(run["wall"])
        out["peak_mb"].append(run["rss"])
    return out


def measure_saves(target: str, repeat: int, floor: Callable[[], float] | None) -> dict[str, list[float]]:
    from store.models import Prospect  # noqa: PLC0415
    from store.rules.store import Store  # noqa: PLC0415

    store = Store(target)
    base = Prospect(company_type=store.catalog.company_types[0], company_name="Bench Savers Ltd",
                    domain="bench-save-0.example.com", sector=store.catalog.sectors[0],
                    implementation_lead=LEAD_IDS[0])
    saved = store.create_prospect(base)  # warm-up: first write, lock file, connection
    out: dict[str, list[float]] = {"create": [], "update": [], "floor": []}
    for i in range(1, repeat + 1):
        if floor is not None:
            out["floor"].append(floor())
        started = time.perf_counter()
        store.create_prospect(base.model_copy(update={"domain": f"bench-save-{i}.example.com"}))
        out["create"].append(time.perf_counter() - started)
        started = time.perf_counter()
        saved = store.update_prospect(saved.model_copy(update={"website": f"https://{i}.example"}))
        out["update"].append(time.perf_counter() - started)
    store.close()
    return out


def measure_delta(target: str, repeat: int) -> dict[str, list[float]]:
    """Another session saves; this one polls until it sees it, then applies it to the list."""
    from store.listing import ProspectList  # noqa: PLC0415
    from store.rules.store import Store  # noqa: PLC0415

    mine, theirs = Store(target), Store(target)
    users = {u.id: u.name for u in mine.users() if u.id is not None}
    listing = ProspectList(mine.prospect_rows(), users)
    mine.poll()
    out: dict[str, list[float]] = {"seen": [], "apply": [], "rebuild": []}
    prospect_id = listing.ids[len(listing.ids) // 2]
    for i in range(repeat):
        current = theirs.get_prospect(prospect_id)
        started = time.perf_counter()
        theirs.update_prospect(current.model_copy(update={"company_name": f"Zed Renamed {i}"}))
        while not (changes := mine.poll()).prospects:
            time.sleep(0.005)
        out["seen"].append(time.perf_counter() - started)
        started = time.perf_counter()
        apply = getattr(listing, "apply", None)
        if apply is not None:
            apply(changes)
            listing.matching("", "all")
            out["apply"].append(time.perf_counter() - started)
        started = time.perf_counter()
        ProspectList(mine.prospect_rows(), users).matching("", "all")
        out["rebuild"].append(time.perf_counter() - started)
    mine.close()
    theirs.close()
    return out


@contextmanager
def tinydb_target(n: int) -> Iterator[tuple[str, Callable[[], float]]]:
    import orjson  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        path = Path(folder) / "prospects.json"
        make_db(path, n)
        data = orjson.loads(path.read_bytes())
        yield str(path), lambda: floor_write(data, Path(folder))


@contextmanager
def postgres_target(n: int) -> Iterator[tuple[str, None]]:
    from tests.pg_cluster import throwaway_cluster  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder, \
            throwaway_cluster() as cluster:
        path = Path(folder) / "prospects.json"
        make_db(path, n)
        url = cluster.create_database("bench")
        from store.transfer.copy import copy_database  # noqa: PLC0415

        copy_database(path, url)
        yield url, None


def report(backend: str, n: int, repeat: int) -> None:
    make = tinydb_target if backend == "tinydb" else postgres_target
    with make(n) as (target, floor):
        from bench.bench_list import START_FLOOR  # noqa: PLC0415

        starts = measure_start(target, START_FLOOR if backend == "tinydb" else START_FLOOR_POSTGRES,
                               repeat)
        saves = measure_saves(target, repeat, floor)
        delta = measure_delta(target, repeat)
    peak = statistics.median(starts["peak_mb"])
    print(f"\n{backend} at {n:,} prospects (medians of {repeat})")
    print(f"  start-up to the first painted list {median_ms(starts['app'])}   floor (import textual "
          f"+ read the rows) {median_ms(starts['floor'])}   {ratio(starts['app'], starts['floor'])}"
          f"   peak {peak:.0f} MB")
    if saves["floor"]:
        print(f"  save: create {median_ms(saves['create'])}  update {median_ms(saves['update'])}   "
              f"floor (orjson rewrite + fsync) {median_ms(saves['floor'])}   "
              f"{ratio(saves['update'], saves['floor'])}")
    else:
        print(f"  save: create {median_ms(saves['create'])}  update {median_ms(saves['update'])}")
    line = f"  another session's save seen by poll() {median_ms(delta['seen'])}"
    if delta["apply"]:
        line += f"   applied to the list {median_ms(delta['apply'])}"
    print(line + f"   full rebuild {median_ms(delta['rebuild'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backends", default="tinydb,postgres")
    args = parser.parse_args(argv)
    for backend in args.backends.split(","):
        report(backend, args.prospects, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
