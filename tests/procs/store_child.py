"""Child processes for tests/test_store_processes.py; run as `python store_child.py MODE TARGET ...`.

TARGET is a data file or a postgresql:// URL; every mode opens its own Store on it.

saver TARGET COUNT TAG      creates prospect TAG.example, then saves it COUNT times, each a
                            new permitted_users (1..COUNT) on the version it just saved
racer TARGET DOMAIN GO      waits for the file GO, then creates DOMAIN; prints "won" or
                            "duplicate <message>"
importer TARGET ROWS        imports ROWS new prospects, prints "inserted" once they are in
                            the open write session (not committed) and waits there to be killed
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from store.errors import DuplicateError
from store.models import ImportBatch, Prospect
from store.rules.store import Store


def prospect(domain: str) -> Prospect:
    return Prospect(company_type="MSP", company_name=f"Company at {domain}", domain=domain,
                    sector="IT", implementation_lead=1)


def saver(target: str, count: str, tag: str) -> None:
    store = Store(target)
    saved = store.create_prospect(prospect(f"{tag}.example"))
    for n in range(1, int(count) + 1):
        saved = store.update_prospect(saved.model_copy(update={"permitted_users": n}))
    store.close()


def racer(target: str, domain: str, go: str) -> None:
    store = Store(target)
    while not os.path.exists(go):
        time.sleep(0.001)
    try:
        store.create_prospect(prospect(domain))
        print("won", flush=True)
    except DuplicateError as exc:
        print(f"duplicate {exc}", flush=True)
    store.close()


def importer(target: str, rows: str) -> None:
    store = Store(target)
    repo: Any = store._repo  # a test hook: stop inside the write session, then be killed
    real_writing = repo.writing

    @contextmanager
    def writing() -> Iterator[Any]:
        with real_writing() as session:
            real_insert_many = session.insert_many

            def insert_many(table: str, records: list[dict[str, Any]]) -> list[int]:
                ids: list[int] = real_insert_many(table, records)
                print("inserted", flush=True)
                time.sleep(3600)
                return ids

            session.insert_many = insert_many
            yield session

    repo.writing = writing
    records = [prospect(f"import{n}.example").model_dump(mode="json", exclude={"id"})
               for n in range(int(rows))]
    store.import_prospects(records, ImportBatch(file_name="big.csv", sha256="ab" * 32, rows=len(records)))


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"saver": saver, "racer": racer, "importer": importer}[mode](*args)
