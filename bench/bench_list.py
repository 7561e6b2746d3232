"""How fast the prospect list is at 1k, 10k and 100k prospects, against floors.

    python bench/bench_list.py [--sizes 1000,10000,100000] [--repeat 5] [--strict]

Each figure is a median over --repeat runs (wall clock; `cpu` is the process's CPU
time over the same span, which a busy machine does not inflate), printed beside a
floor measured in the same run on the same data, so the ratios hold on any machine:

  start-up   a fresh process from spawn until the list has painted its rows, against a
             fresh `python -c 'import textual, orjson; orjson.loads(open(db, "rb").read())'`
             (both timed by this process from spawn to a READY line, interpreter start
             included in both; neither's exit is timed)
  search     one character typed into #search: from the debounced search starting to
             its last repainted frame, against a plain scan over pre-folded strings;
             also (info) the character + Enter, which moves the focus to the table
  sort       sort_by("domain") until repainted: first time on that column (its keys are
             built then) and again (Z to A, keys cached)
  cursor     one press of down (of --moves), until repainted, against the same at the
             smallest size
  save       Store.create_prospect, against orjson.dumps of the same data + write + fsync
             of a file in the same folder
  memory     peak RSS of the start-up process, against the ~150 MB VisiData needs for the
             same data, and (info) against the floor process
  stalls     for each screen action, the longest the event loop went without running a
             probe task that sleeps 5 ms (its overshoot): what a person feels as a frozen
             screen or a lost key. "list opened" spans the first paint until the background
             sort preparation is done; a cold sort uses a fresh list, as above; a sort
             lasts until its thread (a big list's first sort runs in one) is done.

Targets are judged at the largest size (they are stated for 100k); smaller sizes are
shown for the trend. The in-app figures run with TEXTUAL_FPS=1000 so Textual's 60 Hz
frame clock does not add up to 17 ms of waiting to a figure (a real terminal adds that
once per frame). Data is generated into a temporary folder by bench/generate.py.
Exit status: 0, or 1 with --strict when a target is missed, 2 when a run failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

VISIDATA_MB = 150.0
SEARCH_LIMIT_MS = 50.0
SORT_LIMIT_MS = 100.0
STALL_LIMIT_MS = 50.0
PROBE_SLEEP = 0.005
STALL_ACTIONS = ("list opened", "search keystroke", "clear search", "letter pick", "sort (cold)",
                 "reverse sort", "cursor page down", "open the form and back",
                 "open users and back")
CHILD_TIMEOUT = 600.0
BENCH_FPS = 1000

# The floor: the same Python importing textual and parsing the same file with orjson.
START_FLOOR = """\
import os, resource, sys, time
t0 = time.perf_counter()
import textual, orjson
orjson.loads(open(sys.argv[1], "rb").read())
use = resource.getrusage(resource.RUSAGE_SELF)
cpu = use.ru_utime + use.ru_stime
os.write(1, f"READY {time.perf_counter() - t0:.6f} {use.ru_maxrss} {cpu:.6f} 0\\n".encode())
os._exit(0)
"""

# The app: READY once a frame holding painted table rows has been turned into terminal
# output (headless Textual skips that last step, so it is done here to count its cost).
START_APP = """\
import gc, os, resource, sys, time
t0 = time.perf_counter()
gc_time = [0.0, 0.0]

def gc_clock(phase, info):
    if phase == "start":
        gc_time[1] = time.perf_counter()
    else:
        gc_time[0] += time.perf_counter() - gc_time[1]

gc.callbacks.append(gc_clock)
from tui.app import ProspectsApp
from tui.widgets.prospect_table import ProspectTable

painted = False
_render_line = ProspectTable.render_line

def render_line(self, y):
    global painted
    strip = _render_line(self, y)
    if y > 0 and self.scroll_offset.y + y - 1 < self.row_count:
        painted = True
    return strip

ProspectTable.render_line = render_line

app = ProspectsApp(db_path=sys.argv[1], poll_seconds=3600)
_display = app._display

def display(screen, renderable):
    _display(screen, renderable)
    if renderable is None:
        return
    if hasattr(renderable, "render_segments"):
        renderable.render_segments(app.console)
    if painted:
        use = resource.getrusage(resource.RUSAGE_SELF)
        cpu = use.ru_utime + use.ru_stime
        line = f"READY {time.perf_counter() - t0:.6f} {use.ru_maxrss} {cpu:.6f} {gc_time[0]:.6f}"
        os.write(1, (line + "\\n").encode())
        os._exit(0)

app._display = display
app.run(headless=True, size=(120, 40))
os.write(2, b"the app exited without painting any rows\\n")
sys.exit(3)
"""


class BenchError(Exception):
    """A measured run failed; the message holds what it printed."""


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PROSPECTS_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    env.update(extra)
    return env


def _run_until_ready(code: str, db: Path) -> dict[str, float]:
    """Spawn `python -c code db`: seconds from spawn to its READY line, and what it reported."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(db)], cwd=ROOT, env=_child_env(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    watchdog = threading.Timer(CHILD_TIMEOUT, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        _, err = proc.communicate()
    finally:
        watchdog.cancel()
    parts = line.split()
    if len(parts) != 5 or parts[0] != b"READY":
        tail = err.decode(errors="replace").strip().splitlines()[-15:]
        raise BenchError("a start-up run failed:\n" + "\n".join(tail))
    # ru_maxrss is in KiB on Linux
    return {"wall": elapsed, "rss": int(parts[2]) / 1024, "cpu": float(parts[3]),
            "gc": float(parts[4])}


def measure_start(db: Path, repeat: int) -> dict[str, list[float]]:
    """Start-up and peak memory, floor and app alternating, after one warm-up of each."""
    _run_until_ready(START_FLOOR, db)
    _run_until_ready(START_APP, db)
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        for prefix, code in (("start_floor", START_FLOOR), ("start", START_APP)):
            run = _run_until_ready(code, db)
            out.setdefault(prefix, []).append(run["wall"])
            for key in ("cpu", "rss", "gc"):
                out.setdefault(f"{prefix}_{key}", []).append(run[key])
    return out


# -- in-app figures, in a child process per size ------------------------------------------


class FrameClock:
    """Records when each frame is turned into terminal output, to time key -> repaint."""

    def __init__(self, app: Any, pilot: Any) -> None:
        self.pilot = pilot
        self.times: list[float] = []  # wall clock at each frame
        self.cpus: list[float] = []  # this process's CPU time at each frame
        self.event = asyncio.Event()
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            if hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)  # headless skips this; count it
            self.times.append(time.perf_counter())
            self.cpus.append(time.process_time())
            self.event.set()

        app._display = timed_display

    def reset(self) -> None:
        self.times.clear()
        self.cpus.clear()
        self.event.clear()

    async def settle(self) -> None:
        """Wait for a frame, then until the app is idle: every frame it owed is painted."""
        await asyncio.wait_for(self.event.wait(), CHILD_TIMEOUT)
        await self.pilot.pause()

    async def time(self, action: Callable[[], object],
                   done: Callable[[], bool] = lambda: True) -> tuple[float, float]:
        """(wall, CPU) seconds from calling action() to the last frame it caused, once
        done() holds (a sort of a big list lands from a thread)."""
        await self.pilot.pause()
        self.reset()
        started, cpu = time.perf_counter(), time.process_time()
        action()
        await self.settle()
        deadline = started + CHILD_TIMEOUT
        while not done() and time.perf_counter() < deadline:
            self.event.clear()
            await self.settle()
        return self.times[-1] - started, self.cpus[-1] - cpu


def _press(app: Any, key: str) -> None:
    """Send one key as the terminal driver does (no Pilot sleeps in the timing)."""
    from textual import events  # noqa: PLC0415

    char = {"enter": "\r"}.get(key, key if len(key) == 1 else None)
    app.post_message(events.Key(key, char))


def _floor_keys(records: Sequence[dict[str, Any]]) -> list[str]:
    """Pre-folded name + domain (+ Mail and DMARC) strings, as the list's search needs them."""
    from store.listing import check_texts, display_domain  # noqa: PLC0415
    from store.text import fold, search_key  # noqa: PLC0415

    keys = []
    for record in records:
        name = search_key(str(record.get("company_name", "")))
        domain = str(record.get("domain", ""))
        extra = f"\x00{fold(display_domain(domain))}" if "xn--" in domain else ""
        if record.get("domain_check"):
            extra += "".join(f"\x00{fold(text)}" for text in check_texts(record))
        keys.append(f"{name}\x00{domain}{extra}")
    return keys


def _median_scan(keys: list[str], query: str, repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(max(repeat, 5)):
        started = time.perf_counter()
        found = len([i for i, s in enumerate(keys) if query in s])
        times.append(time.perf_counter() - started)
    return statistics.median(times), found


async def _search_as_you_type(app: Any, pilot: Any, clock: FrameClock, query: str,
                              typed: str | None = None) -> tuple[float, float]:
    """Type query (or `typed`, the end of query) into #search; (wall, CPU) from the
    debounced search of query to its last frame."""
    screen = app.screen
    if not callable(getattr(screen, "_search_now", None)):
        raise BenchError("the list screen has no _search_now(text) for the debounce to call; "
                         "update _search_as_you_type in bench/bench_list.py")
    fired: list[tuple[float, float]] = []
    search_now = screen._search_now

    def timed(text: str) -> None:
        if text == query and not fired:  # not a stale debounce, e.g. of clearing the search
            fired.append((time.perf_counter(), time.process_time()))
        search_now(text)

    def painted_after_search() -> bool:
        return bool(fired) and bool(clock.times) and clock.times[-1] > fired[0][0]

    screen._search_now = timed  # what the debounce timer calls
    try:
        await pilot.pause()
        clock.reset()
        for key in query if typed is None else typed:
            _press(app, key)
        deadline = time.perf_counter() + CHILD_TIMEOUT
        while not painted_after_search() and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        await pilot.pause()  # until idle: every frame the search caused is painted
    finally:
        del screen._search_now
    if not painted_after_search():
        raise BenchError("typing into #search never ran the search and repainted")
    started, cpu = fired[0]
    return clock.times[-1] - started, clock.cpus[-1] - cpu


class LoopProbe:
    """A task that sleeps PROBE_SLEEP at a time: its longest overshoot is the longest stall.

    On a busy machine the process also waits for a CPU, which the wall clock counts as a
    stall: `longest_cpu`, the most CPU time the process used within one sleep, is the
    part the app's own work caused."""

    def __init__(self) -> None:
        self.longest = self.longest_cpu = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.sleep(PROBE_SLEEP)
            self.longest = max(self.longest, time.perf_counter() - started - PROBE_SLEEP)
            self.longest_cpu = max(self.longest_cpu, time.process_time() - cpu)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def during(self, pilot: Any, action: Callable[[], Any]) -> tuple[float, float]:
        """The longest stall (wall, CPU) from calling action() (awaited if a coroutine)
        until idle."""
        await pilot.pause()
        await asyncio.sleep(2 * PROBE_SLEEP)  # the probe is waiting: start clean
        self.longest = self.longest_cpu = 0.0
        result = action()
        if asyncio.iscoroutine(result):
            await result
        await pilot.pause()
        await asyncio.sleep(2 * PROBE_SLEEP)  # let the probe see the end of the last stall
        return self.longest, self.longest_cpu


async def _screen_is(app: Any, pilot: Any, kind: type) -> None:
    deadline = time.perf_counter() + CHILD_TIMEOUT
    while not isinstance(app.screen, kind):
        if time.perf_counter() > deadline:
            raise BenchError(f"{kind.__name__} never opened")
        await pilot.pause()


async def _measure_stalls(app: Any, pilot: Any, probe: LoopProbe, query: str
                         ) -> dict[str, tuple[float, float]]:
    """The longest event-loop stall of each screen action (see STALL_ACTIONS)."""
    from store.listing import ProspectList  # noqa: PLC0415
    from tui.screens.prospect_form import ProspectFormScreen  # noqa: PLC0415
    from tui.screens.prospect_list import ProspectListScreen  # noqa: PLC0415
    from tui.screens.users import UsersScreen  # noqa: PLC0415
    from tui.widgets.letter_bar import LetterBar  # noqa: PLC0415

    screen = app.screen
    table = screen.query_one("#prospects")
    search = screen.query_one("#search")
    stalls: dict[str, tuple[float, float]] = {}

    async def typed() -> None:
        search.focus()
        for key in query:
            _press(app, key)
        await pilot.pause(0.3)  # past the debounce

    async def cold_sort() -> None:
        screen.sort_by("domain")
        await app.workers.wait_for_complete()  # a big list sorts in a thread

    async def round_trip(key: str, kind: type) -> None:
        await pilot.press(key)
        await _screen_is(app, pilot, kind)
        await pilot.press("escape")
        await _screen_is(app, pilot, ProspectListScreen)

    stalls["search keystroke"] = await probe.during(pilot, typed)
    stalls["clear search"] = await probe.during(pilot, screen.action_clear_filters)
    stalls["letter pick"] = await probe.during(pilot, lambda: screen.query_one(LetterBar).pick("m"))
    screen.action_clear_filters()
    screen.sort_by("company_name")
    users = {u.id: u.name for u in screen.store.users() if u.id is not None}
    screen.prospects = ProspectList(screen.store.prospect_rows(), users)
    screen.apply_filters()
    stalls["sort (cold)"] = await probe.during(pilot, cold_sort)
    table.focus()
    async def reverse() -> None:
        _press(app, "r")
        await pilot.pause()
        await app.workers.wait_for_complete()

    stalls["reverse sort"] = await probe.during(pilot, reverse)
    stalls["cursor page down"] = await probe.during(pilot, lambda: _press(app, "pagedown"))
    stalls["open the form and back"] = await probe.during(
        pilot, lambda: round_trip("e", ProspectFormScreen))
    stalls["open users and back"] = await probe.during(pilot, lambda: round_trip("U", UsersScreen))
    screen.sort_by("company_name")
    return stalls


async def _measure_app(db: Path, repeat: int, query: str, moves: int) -> dict[str, Any]:
    import orjson  # noqa: PLC0415
    from textual.widgets import Input  # noqa: PLC0415

    from store.listing import ProspectList  # noqa: PLC0415
    from tui.app import ProspectsApp  # noqa: PLC0415

    out: dict[str, Any] = {}

    def record(key: str, figure: tuple[float, float]) -> None:
        out.setdefault(key, []).append(figure[0])
        out.setdefault(f"{key}_cpu", []).append(figure[1])

    keys = _floor_keys(list(orjson.loads(db.read_bytes())["prospects"].values()))
    out["search_floor"], expected = _median_scan(keys, query, repeat)
    app = ProspectsApp(db_path=db, poll_seconds=3600)
    probe = LoopProbe()
    async with app.run_test(size=(120, 40)) as pilot:
        clock = FrameClock(app, pilot)
        await pilot.pause()  # the first paint: start-up, not a screen action
        probe.start()
        await app.workers.wait_for_complete()  # the background sort preparation
        await asyncio.sleep(2 * PROBE_SLEEP)
        record("stall list opened", (probe.longest, probe.longest_cpu))
        for _ in range(repeat):
            for action, stall in (await _measure_stalls(app, pilot, probe, query)).items():
                record(f"stall {action}", stall)
        screen = app.screen
        table = screen.query_one("#prospects")
        search = screen.query_one("#search", Input)
        search.cursor_blink = False  # a blink would be a frame of its own

        def check_search() -> None:
            if search.value != query or table.row_count != expected:
                raise BenchError(f"searching {query!r} showed {table.row_count} rows with "
                                 f"{search.value!r} in #search; a scan finds {expected}")

        for _ in range(repeat):
            screen.action_clear_filters()
            search.focus()
            record("search", await _search_as_you_type(app, pilot, clock, query))
            check_search()
            screen.action_clear_filters()
            search.focus()
            record("search_enter", await clock.time(
                lambda: [_press(app, key) for key in (*query, "enter")]))
            check_search()
        screen.action_clear_filters()

        for _ in range(repeat):
            screen.sort_by("company_name")
            # A fresh list whose orders were not prepared in the background: a truly cold sort.
            users = {u.id: u.name for u in screen.store.users() if u.id is not None}
            screen.prospects = ProspectList(screen.store.prospect_rows(), users)
            screen.apply_filters()
            record("sort_cold", await clock.time(lambda: screen.sort_by("domain"),
                                                 lambda: table.sort_key == "domain"))
            record("sort_warm", await clock.time(
                lambda: screen.sort_by("domain", descending=True),
                lambda: table.sort_descending))
            if table.sort_key != "domain" or table.row_count != len(keys):
                raise BenchError("sorting by domain did not show every row sorted by domain")
        screen.sort_by("company_name")

        table.focus()
        table.action_first()
        for _ in range(moves):
            record("cursor", await clock.time(lambda: _press(app, "down")))
        if table.cursor_row != min(moves, table.row_count - 1):
            raise BenchError(f"{moves} presses of down left the cursor on row {table.cursor_row}")
        probe.stop()
    return out


def _measure_save(db: Path, repeat: int) -> dict[str, Any]:
    import orjson  # noqa: PLC0415

    from bench.generate import LEAD_IDS, floor_write  # noqa: PLC0415
    from store.models import Prospect  # noqa: PLC0415
    from store.rules.store import Store  # noqa: PLC0415

    store = Store(db)
    prospect = Prospect(company_type=store.catalog.company_types[0],
                        company_name="Benchmark Savers Ltd", domain="bench-save.example.com",
                        sector=store.catalog.sectors[0], implementation_lead=LEAD_IDS[0])
    data = orjson.loads(db.read_bytes())
    def save(i: int) -> tuple[float, float]:
        fresh = prospect.model_copy(update={"domain": f"bench-save-{i}.example.com"})
        started, cpu = time.perf_counter(), time.process_time()
        store.create_prospect(fresh)
        return time.perf_counter() - started, time.process_time() - cpu

    floor_write(data, db.parent)
    save(0)  # warm-up: first use of TinyDB and of the lock file
    out: dict[str, list[float]] = {"save": [], "save_cpu": [], "save_floor": []}
    for i in range(1, repeat + 1):
        out["save_floor"].append(floor_write(data, db.parent))
        wall, cpu = save(i)
        out["save"].append(wall)
        out["save_cpu"].append(cpu)
    store.close()
    return out


def child_main(db: Path, repeat: int, query: str, moves: int) -> int:
    """Measure the in-app figures and the save on one data file; print them as JSON."""
    result = asyncio.run(_measure_app(db, repeat, query, moves))
    result.update(_measure_save(db, repeat))  # after the app: its saves would reload the list
    print("RESULT " + json.dumps(result), flush=True)
    return 0


def measure_in_app(db: Path, repeat: int, query: str, moves: int) -> dict[str, Any]:
    return run_child(Path(__file__), ["--child", str(db), "--repeat", str(repeat),
                                      "--query", query, "--moves", str(moves)])


def run_child(script: Path, args: list[str]) -> dict[str, Any]:
    """Run a bench script's in-app half in a fresh process; the dict it printed after RESULT."""
    cmd = [sys.executable, str(script.resolve()), *args]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=_child_env(TEXTUAL_FPS=str(BENCH_FPS)),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"the in-app run took over {CHILD_TIMEOUT:.0f} s") from exc
    for line in proc.stdout.decode(errors="replace").splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT "):])
            return result
    tail = (proc.stdout + proc.stderr).decode(errors="replace").strip().splitlines()[-20:]
    raise BenchError("the in-app run failed:\n" + "\n".join(tail))


# -- the report ----------------------------------------------------------------------------


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.001 else f"{seconds * 1e6:.0f} µs"


class Report:
    HEADER = ("figure", "rows", "median", "cpu", "floor", "ratio", "target", "result")
    RIGHT = frozenset({1, 2, 3, 4, 5})

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.missed: list[str] = []

    def add(self, figure: str, size: int, median: str, cpu: str, floor: str,
            ratio: float | None, target: str, ok: bool | None) -> None:
        verdict = "-" if ok is None else ("PASS" if ok else "FAIL")
        if ok is False:
            self.missed.append(f"{figure} at {size:,}")
        self.rows.append((figure, f"{size:,}", median, cpu, floor,
                          "-" if ratio is None else f"{ratio:.2f}x", target, verdict))

    def print(self) -> None:
        table = (self.HEADER, *self.rows)
        widths = [max(len(row[i]) for row in table) for i in range(len(self.HEADER))]
        for n, row in enumerate(table):
            cells = [c.rjust(w) if i in self.RIGHT else c.ljust(w)
                     for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            print("  ".join(cells).rstrip())
            if n == 0:
                print("  ".join("-" * w for w in widths))

    def verdict(self, strict: bool) -> int:
        """Print which targets were missed, if any; the exit status (1: missed, with strict)."""
        if self.missed:
            print(f"Missed {len(self.missed)} target(s): {'; '.join(self.missed)}.")
        else:
            print("Every target met.")
        return 1 if strict and self.missed else 0


def build_report(results: dict[int, dict[str, Any]]) -> Report:
    """One row per figure and size; targets judged at the largest size only."""
    med = statistics.median
    sizes = sorted(results)
    largest, smallest = sizes[-1], sizes[0]
    report = Report()

    def add(figure: str, size: int, key: str, floor: float | None, target: str,
            ok: Callable[[float, float | None], bool] | None, floor_text: str = "") -> None:
        r = results[size]
        app = med(r[key])
        cpu = _fmt_time(med(r[f"{key}_cpu"])) if f"{key}_cpu" in r else "-"
        judged = ok is not None and size == largest
        report.add(figure, size, _fmt_time(app), cpu,
                   floor_text or (_fmt_time(floor) if floor is not None else "-"),
                   app / floor if floor else None,
                   target if judged else ("(trend)" if ok is not None else "(info)"),
                   ok(app, floor) if judged and ok is not None else None)

    for size in sizes:
        add("start-up to first painted list", size, "start", med(results[size]["start_floor"]),
            "<= 1.5x", lambda app, floor: app <= 1.5 * (floor or 0))
    for size in sizes:
        add("search keystroke: filter + repaint", size, "search", results[size]["search_floor"],
            f"<= 2x, < {SEARCH_LIMIT_MS:.0f} ms",
            lambda app, floor: app <= 2 * (floor or 0) and app * 1000 < SEARCH_LIMIT_MS)
    for size in sizes:
        add("search: key + Enter (focus to table)", size, "search_enter", None, "", None)
    for key, label in (("sort_cold", "sort by domain, first time"),
                       ("sort_warm", "sort by domain, again (Z-A)")):
        for size in sizes:
            add(label, size, key, None, f"< {SORT_LIMIT_MS:.0f} ms",
                lambda app, _floor: app * 1000 < SORT_LIMIT_MS)
    base = med(results[smallest]["cursor"])
    for size in sizes:
        add(f"cursor down, per move (vs {smallest:,})", size, "cursor", base, "<= 1.5x",
            lambda app, floor: app <= 1.5 * (floor or 0))
    for size in sizes:
        add("save one prospect", size, "save", med(results[size]["save_floor"]), "<= 3x",
            lambda app, floor: app <= 3 * (floor or 0))
    for action in STALL_ACTIONS:
        for size in sizes:
            add(f"longest stall: {action}", size, f"stall {action}", None,
                f"<= {STALL_LIMIT_MS:.0f} ms", lambda app, _floor: app * 1000 <= STALL_LIMIT_MS)
    for size in sizes:
        rss = med(results[size]["start_rss"])
        ok = rss <= 2.5 * VISIDATA_MB
        judged = size == largest
        report.add("peak memory (start-up process)", size, f"{rss:.0f} MB", "-",
                   f"{VISIDATA_MB:.0f} MB", rss / VISIDATA_MB,
                   "<= 2.5x" if judged else "(trend)", ok if judged else None)
    for size in sizes:
        rss, floor = med(results[size]["start_rss"]), med(results[size]["start_floor_rss"])
        report.add("peak memory vs the floor process", size, f"{rss:.0f} MB", "-",
                   f"{floor:.0f} MB", rss / floor, "(info)", None)
    return report


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated numbers of prospects (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--query", default="a", help="what is typed into #search (default a)")
    parser.add_argument("--moves", type=int, default=50, help="presses of down (default 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.moves < 1 or not args.query:
        parser.error("--repeat and --moves must be at least 1, --query not empty")
    if args.child is not None:
        return child_main(args.child, args.repeat, args.query, args.moves)
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas, e.g. 1000,10000")
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs at least one size of 1 or more")

    import textual  # noqa: PLC0415

    from bench.generate import make_db  # noqa: PLC0415

    print(f"MSP Prospects list benchmark: {' / '.join(f'{s:,}' for s in sizes)} prospects, "
          f"medians of {args.repeat}; Python {platform.python_version()}, "
          f"textual {textual.__version__}, {os.cpu_count()} CPUs, load {_load()}", flush=True)
    started = time.perf_counter()
    results: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="prospects-bench-") as tmp:
        for size in sizes:
            db = Path(tmp) / f"prospects-{size}.json"
            t0 = time.perf_counter()
            mb = make_db(db, size, seed=args.seed) / 1e6
            print(f"  {size:,} prospects: {mb:.1f} MB generated in "
                  f"{time.perf_counter() - t0:.1f} s; measuring", flush=True)
            try:
                results[size] = measure_start(db, args.repeat)
                results[size].update(measure_in_app(db, args.repeat, args.query, args.moves))
            except BenchError as error:
                print(f"error at {size:,} prospects: {error}", file=sys.stderr)
                return 2
    print()
    report = build_report(results)
    report.print()
    print()
    last = results[sizes[-1]]
    med = statistics.median
    print(f"At {sizes[-1]:,}, garbage collection took {_fmt_time(med(last['start_gc']))} of "
          f"the app's start-up. median = wall clock, cpu = the measured process's CPU time; "
          f"load now {_load()}; whole run {time.perf_counter() - started:.0f} s.")
    return report.verdict(args.strict)


if __name__ == "__main__":
    sys.exit(main())
