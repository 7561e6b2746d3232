"""The Store's promises under real processes, on both backends: no lost saves, one winner of a
race, nothing left by a killed import; on PostgreSQL, a server stopped under an open Store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from store.errors import ConnectionLostError
from store.models import ImportBatch, Prospect
from store.rules.store import Store
from tests.pg_cluster import Cluster

BACKENDS = ("tinydb", "postgres")  # see tests/conftest.py

ROOT = Path(__file__).resolve().parents[1]
CHILD = Path(__file__).resolve().parent / "procs" / "store_child.py"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


def child(*args: object, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], env=ENV,
                            text=True, **kwargs)


SAVES = 200  # each; 8 x 200 writes contend for the lock as much as 8 x 500 did


def test_eight_processes_save_200_times_each_and_every_save_lands(store: Store,
                                                                  db_target: Path | str) -> None:
    savers = [child("saver", db_target, SAVES, f"writer{n}") for n in range(8)]
    assert [proc.wait(timeout=240) for proc in savers] == [0] * 8
    rows = [row for _, row in Store(db_target).prospect_rows()]
    assert sorted(row["domain"] for row in rows) == [f"writer{n}.example" for n in range(8)]
    # Each save wrote a new version on top of the last: none was lost to another process.
    assert sum(row["version"] - 1 for row in rows) == 8 * SAVES
    assert {row["permitted_users"] for row in rows} == {SAVES}


def test_two_sessions_creating_one_domain_at_once_one_wins(store: Store, db_target: Path | str,
                                                           tmp_path: Path) -> None:
    for attempt in range(3):
        go = tmp_path / f"go{attempt}"
        racers = [child("racer", db_target, f"race{attempt}.example", go, stdout=subprocess.PIPE)
                  for _ in range(2)]
        go.touch()
        said = sorted(proc.communicate(timeout=60)[0].strip() for proc in racers)
        assert said[0].startswith("duplicate Domain: race") and said[1] == "won", said
    domains = sorted(row["domain"] for _, row in store.prospect_rows())
    assert domains == [f"race{attempt}.example" for attempt in range(3)]


def test_a_client_killed_mid_import_leaves_nothing(store: Store, db_target: Path | str) -> None:
    proc = child("importer", db_target, 5_000, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "inserted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert store.prospect_rows() == [] and store.import_batches() == []
    # Nothing is left locked or half-claimed either: the same file imports now.
    again = Store(db_target)
    record = Prospect(company_type="MSP", company_name="After", domain="import0.example",
                      sector="IT", implementation_lead=1).model_dump(mode="json", exclude={"id"})
    batch, skipped = again.import_prospects([record], ImportBatch(file_name="big.csv", sha256="ab" * 32))
    assert (batch.created, skipped) == (1, [])


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_server_stopped_under_an_open_store(store: Store, pg_cluster: Cluster) -> None:
    first = store.create_prospect(Prospect(company_type="MSP", company_name="Before",
                                           domain="before.example", sector="IT",
                                           implementation_lead=1))
    pg_cluster.crash()
    try:
        with pytest.raises(ConnectionLostError, match="reconnects by itself"):
            store.update_prospect(first.model_copy(update={"company_name": "During"}))
    finally:
        pg_cluster.start()
    saved = store.update_prospect(first.model_copy(update={"company_name": "After"}))
    assert saved.version == 2
    assert store.get_prospect(first.id or 0).company_name == "After"
