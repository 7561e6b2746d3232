"""Another session's save shown in the list, against the full rebuild it replaces.

    python bench/bench_delta.py [--prospects 100000] [--repeat 7] [--poll 1.0]

The app runs headless on a generated file, sorted by name, every column's order worked
out in the background as in use, polling every --poll seconds (the app's default). A
second process saves one prospect (a rename, which moves it in the name order) --repeat
times; for each, medians of:

  shown        from the other process's save returning to the list's frame showing it
               (the wait for the next poll included); target <= 1 s
  poll         the store's poll() in the app's worker, from its start until it returned
               the change (TinyDB: a re-read of the file and a compare)
  event loop   from the list applying the change (ProspectListScreen.show_changes) to the
               table's frame repainted; target <= 50 ms
  stall        the longest the event loop went without running a task that sleeps 5 ms,
               from the save to the frame (info: the worker's re-read of the file holds
               the interpreter's lock part of the time)
  rebuild      the old way, in the same run: the list built afresh (it ran in a worker)
               and reload() with its frame on the event loop

The ratios divide the event-loop time by the old rebuild's (build + reload + frame).
The app runs with TEXTUAL_FPS=1000 so that Textual's 60 Hz frame clock does not add up
to 17 ms of waiting. Exit status: 0, or 1 with --strict when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_list import BENCH_FPS, CHILD_TIMEOUT, ROOT, BenchError, FrameClock, LoopProbe, _child_env

SHOWN_LIMIT = 1.0
EVENT_LOOP_LIMIT = 0.050

# The other session: saves a new name for one prospect per line it reads, then says when
# (wall clock, comparable between processes).
OTHER_SESSION = """\
import sys, time
from store.rules.store import Store
store = Store(sys.argv[1])
prospect_id = int(sys.argv[2])
print("READY", flush=True)
for line in sys.stdin:
    current = store.get_prospect(prospect_id)
    store.update_prospect(current.model_copy(update={"company_name": line.strip()}))
    print(f"SAVED {time.time()!r}", flush=True)
"""


class Timings:
    """Wraps the screen's poll and show_changes to note when each ran."""

    def __init__(self, screen: Any) -> None:
        self.polls: list[tuple[float, float]] = []  # (started, seconds) of polls with prospects
        self.shown: list[tuple[float, float]] = []  # (started, seconds) of show_changes
        store_poll, show_changes = screen.store.poll, screen.show_changes

        def poll() -> Any:
            started = time.perf_counter()
            changes = store_poll()
            if changes.prospects:
                self.polls.append((started, time.perf_counter() - started))
            return changes

        def shown(*args: Any, **kwargs: Any) -> None:
            started = time.perf_counter()
            show_changes(*args, **kwargs)
            self.shown.append((started, time.perf_counter() - started))

        screen.store.poll = poll
        screen.show_changes = shown


async def _until(pilot: Any, condition: Any) -> None:
    deadline = time.perf_counter() + CHILD_TIMEOUT
    while not condition():
        if time.perf_counter() > deadline:
            raise BenchError("the list never showed the other session's save")
        await pilot.pause(0.001)


async def measure(db: Path, repeat: int, poll_seconds: float) -> dict[str, list[float]]:
    from tui.app import ProspectsApp  # noqa: PLC0415

    out: dict[str, list[float]] = {k: [] for k in (
        "shown", "poll", "event_loop", "apply", "stall", "build", "reload", "rebuild")}
    app = ProspectsApp(db_path=db, poll_seconds=poll_seconds)
    probe = LoopProbe()
    async with app.run_test(size=(120, 40)) as pilot:
        clock = FrameClock(app, pilot)
        await app.workers.wait_for_complete()  # every column's order worked out
        screen = app.screen
        timings = Timings(screen)
        listing = screen.prospects
        prospect_id = listing.ids[listing.matching()[len(listing) // 2]]
        other = subprocess.Popen(
            [sys.executable, "-c", OTHER_SESSION, str(db), str(prospect_id)], cwd=ROOT,
            env=_child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert other.stdin is not None and other.stdout is not None
        try:
            if other.stdout.readline().strip() != "READY":
                raise BenchError("the other session did not start")
            probe.start()
            for i in range(repeat):
                await app.workers.wait_for_complete()
                name = f"Delta Renamed {i}"
                row = screen.prospects.row_of(prospect_id)
                probe.longest = 0.0
                other.stdin.write(name + "\n")
                other.stdin.flush()
                line = await asyncio.to_thread(other.stdout.readline)
                saved = float(line.split()[1])
                await _until(pilot, lambda row=row, name=name: bool(timings.shown) and (
                    screen.prospects.records[row].get("company_name") == name))
                started, seconds = timings.shown[-1]
                await _until(pilot, lambda end=started + seconds: bool(clock.times) and (
                    clock.times[-1] > end))
                frame = clock.times[-1]
                out["shown"].append(time.time() - (time.perf_counter() - frame) - saved)
                out["poll"].append(timings.polls[-1][1])
                out["apply"].append(seconds)
                out["event_loop"].append(frame - started)
                out["stall"].append(probe.longest)
                if screen.prospects is not listing:
                    raise BenchError("the list was built again for one change")
            probe.stop()
            # The old way, on the same screen and data.
            for _ in range(repeat):
                await app.workers.wait_for_complete()
                await pilot.pause()
                started = time.perf_counter()
                fresh = screen._load()
                built = time.perf_counter()
                clock.reset()
                screen.reload(fresh)
                await clock.settle()
                out["build"].append(built - started)
                out["reload"].append(clock.times[-1] - built)
                out["rebuild"].append(clock.times[-1] - started)
        finally:
            other.stdin.close()
            other.wait(timeout=CHILD_TIMEOUT)
        await app.workers.wait_for_complete()
    return out


def _ms(values: list[float]) -> str:
    median = statistics.median(values)
    return f"{median:.2f} s" if median >= 1 else f"{median * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--poll", type=float, default=1.0, help="the app's poll interval, seconds")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    os.environ["TEXTUAL_FPS"] = str(BENCH_FPS)  # before Textual is imported
    from bench.generate import make_db  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-delta-") as folder:
        db = Path(folder) / "prospects.json"
        make_db(db, args.prospects)
        out = asyncio.run(measure(db, args.repeat, args.poll))
    med = statistics.median
    shown, event_loop = med(out["shown"]), med(out["event_loop"])
    print(f"Another session's save shown in the list: {args.prospects:,} prospects, medians of "
          f"{args.repeat}, poll every {args.poll:g} s, load {os.getloadavg()[0]:.1f}")
    print(f"  shown after the other save returned  {_ms(out['shown']):>9}   target <= 1 s")
    print(f"  poll() until it returned the change  {_ms(out['poll']):>9}")
    print(f"  event loop: apply + table repainted  {_ms(out['event_loop']):>9}   target <= 50 ms"
          f"   (show_changes alone {_ms(out['apply'])})")
    print(f"  longest event-loop stall meanwhile   {_ms(out['stall']):>9}   (info)")
    print(f"  old full rebuild                     {_ms(out['rebuild']):>9}   (built {_ms(out['build'])}"
          f" in a worker, reload + repaint {_ms(out['reload'])} on the event loop)")
    print(f"  event loop against the old rebuild   {event_loop / med(out['rebuild']):9.4f}x"
          f"   (against its event-loop part {event_loop / med(out['reload']):.3f}x)")
    missed = [what for what, bad in (("shown", shown > SHOWN_LIMIT),
                                     ("event loop", event_loop > EVENT_LOOP_LIMIT)) if bad]
    print("Missed: " + ", ".join(missed) if missed else "Every target met.")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
