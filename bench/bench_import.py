"""Benchmark: importing a 100k-row CSV, against floors measured in the same run.

    python bench/bench_import.py [--rows 100000] [--repeat 5] [--vd PATH]

Prints medians and ratios:
  * parse + validate (make_plan, in process) vs a plain csv.reader pass over
    the same file (target <= 4x);
  * a whole `python -m tui --db X import FILE` process (parse, validate, plan,
    one write) vs VisiData loading and saving the same CSV (`vd -b FILE -o
    OUT.csv`), when VisiData is installed (pip install visidata; or --vd PATH);
    otherwise against a process that only runs csv.reader over the file.
Runs are interleaved so that a busy machine slows numerator and floor alike.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store.catalog import load_catalog  # noqa: E402
from store.models import User  # noqa: E402
from store.rules.store import Store  # noqa: E402
from store.rules.validation import FIELD_LABELS  # noqa: E402
from store.transfer.importer import make_plan  # noqa: E402

LEADS = [("Ada Lovelace", "ada.lovelace@msp.example"), ("Grace Hopper", "grace.hopper@msp.example"),
         ("Alan Turing", "alan.turing@msp.example"), ("Katherine Johnson", "k.johnson@msp.example"),
         ("Edsger Dijkstra", "edsger@msp.example"), ("Barbara Liskov", "b.liskov@msp.example")]
WORDS = ("Alpha", "Beta", "Harbour", "Northern", "Southern", "Bright", "Stone", "River", "Oak",
         "Maple", "Union", "Summit", "Crown", "Atlas", "Beacon", "Cedar", "Delta", "Ember",
         "Falcon", "Granite", "Horizon", "Iris", "Juniper", "Kestrel", "Lumen", "Meridian", "Nova",
         "Orchid", "Pioneer", "Quartz", "Redwood", "Sterling", "Thistle", "Vertex", "Willow")
SUFFIXES = ("Ltd", "Limited", "LLP", "plc", "Group", "& Co", "Holdings", "Partners", "GmbH")
TLDS = ("com", "co.uk", "org.uk", "net", "org", "de", "fr", "nl", "ie", "eu", "io")


def make_csv(path: Path, rows: int, seed: int = 7) -> None:
    """A realistic upload: Excel's CSV UTF-8 (BOM, CRLF), optional columns often blank."""
    rnd = random.Random(seed)
    catalog = load_catalog()
    products = [p for p in catalog.products if not p.needs_seats]
    seated = [p for p in catalog.products if p.needs_seats]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(FIELD_LABELS.values())
        for i in range(rows):
            words = rnd.sample(WORDS, rnd.choice((1, 2, 2, 3)))
            name = f"{' '.join(words)} {rnd.choice(SUFFIXES)}"
            domain = f"{''.join(words).lower()}{i}.{rnd.choice(TLDS)}"
            lead = rnd.randrange(len(LEADS))
            second = ""
            if rnd.random() < 0.3:
                other = rnd.choice([k for k in range(len(LEADS)) if k != lead])
                second = LEADS[other][0]  # by exact name, as people often write
            chosen = [p.name for p in rnd.sample(products, rnd.choice((0, 1, 1, 2, 3)))]
            if rnd.random() < 0.15:
                chosen.append(f"{seated[0].name}:{rnd.randint(1, 400)}")
            out.writerow([
                rnd.choice(catalog.company_types), name, domain,
                f"https://www.{domain}" if rnd.random() < 0.4 else "",
                rnd.choice(catalog.sectors), LEADS[lead][1], second,
                f"{rnd.randint(2026, 2028)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                if rnd.random() < 0.5 else "",
                str(rnd.randint(5, 5000)) if rnd.random() < 0.6 else "",
                "; ".join(chosen),
            ])


def make_db(path: Path) -> None:
    """A data file holding the leads the CSV names."""
    store = Store(path)
    for name, email in LEADS:
        store.add_user(User(name=name, email=email, implementation_lead=True))
    store.close()


def csv_pass(path: Path) -> int:
    """The floor: every row through a plain csv.reader."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(cmd: list[str], **kw: object) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def find_vd(given: str | None) -> str | None:
    if given:
        return given
    return shutil.which("vd") or shutil.which("visidata")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--vd", help="the VisiData executable (default: vd on PATH)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        source = work / "prospects.csv"
        make_csv(source, args.rows)
        template_db = work / "template" / "db.json"
        template_db.parent.mkdir()
        make_db(template_db)
        size = source.stat().st_size
        print(f"{args.rows:,} rows, {size / 1e6:.1f} MB CSV; {args.repeat} runs each; "
              f"median seconds")

        # 1. parse + validate, in process, vs csv.reader.
        floor, step = [], []
        plans: list[object] = []
        for n in range(args.repeat):
            floor.append(timed(lambda: csv_pass(source)))
            db = work / f"step{n}" / "db.json"
            db.parent.mkdir()
            shutil.copy(template_db, db)
            store = Store(db)
            step.append(timed(lambda store=store: plans.append(make_plan(source, store))))
            store.close()
        plan = plans[0]
        print(f"  plan: {plan.summary()}")  # type: ignore[attr-defined]
        f_med, s_med = statistics.median(floor), statistics.median(step)
        print(f"  csv.reader pass            {f_med:6.2f} s")
        print(f"  parse + validate (plan)    {s_med:6.2f} s   ratio {s_med / f_med:4.1f}x "
              f"(target <= 4x)")

        # 2. whole process import vs VisiData load + save (or a csv.reader process).
        vd = find_vd(args.vd)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        whole, other = [], []
        for n in range(args.repeat):
            db = work / f"whole{n}" / "db.json"
            db.parent.mkdir()
            shutil.copy(template_db, db)
            cmd = [sys.executable, "-m", "tui", "--db", str(db), "import", str(source)]
            whole.append(timed(lambda cmd=cmd: run(cmd, env=env, cwd=ROOT)))
            if vd:
                out = work / f"vd{n}.csv"
                vd_cmd = [vd, "-b", str(source), "-o", str(out)]
                other.append(timed(lambda vd_cmd=vd_cmd: run(vd_cmd)))
            else:
                code = (f"import csv; f=open({str(source)!r}, encoding='utf-8-sig', newline='');"
                        "print(sum(1 for _ in csv.reader(f)))")
                other.append(timed(lambda code=code: run([sys.executable, "-c", code])))
        w_med, o_med = statistics.median(whole), statistics.median(other)
        label = "VisiData vd -b load + save" if vd else "csv.reader process (no VisiData)"
        print(f"  {label:26} {o_med:6.2f} s")
        print(f"  import process (whole)     {w_med:6.2f} s   ratio {w_med / o_med:4.2f}x "
              f"(target <= 1x{'' if vd else ' of VisiData; VisiData not installed'})")
        check = Store(work / "whole0" / "db.json")
        print(f"  check: {len(check.prospect_rows()):,} prospects in the file after import")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
