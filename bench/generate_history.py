"""History entries in the shapes the rules write (store/rules/history.py), at any count.

    add_history(target, 1_000_000, prospects=100_000, focus=42)

Entries go through the backend's own Session.add_history (TinyDB: one append to
`<data file>.history.jsonl`; PostgreSQL: COPY), in chunks, so a million of them take
seconds and never sit in memory at once. Times rise from entry to entry; `focus` gets
FOCUS_ENTRIES of them spread over the whole run, the way a busy prospect's history
is spread over a shared history.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

from bench.generate import _EPOCH, _SPAN, USERS, Weighted
from store.backends.base import Record
from store.backends.open import open_repository
from store.rules.history import entry

FOCUS_ENTRIES = 50
CHUNK = 20_000
LOGINS = tuple(email.split("@")[0] for _, email, _ in USERS)
# (what, share): edits dominate, as they do in a team's list.
SHAPES = Weighted(("edited", "verified", "created", "order", "handed over", "deleted",
                   "undone"), (60, 15, 10, 8, 3, 2, 2))
EDITS: tuple[tuple[str, object, object], ...] = (
    ("company_name", "Thames Logistics Ltd", "Thames Logistics & Freight Ltd"),
    ("website", "", "https://www.example.co.uk"),
    ("sector", "Retail", "Financial Services"),
    ("permitted_users", None, 250),
    ("expected_provision_date", "2026-03-01", "2027-06-01"),
    ("products", [], [{"product": "Mimecast for Mac", "seats": 25}]),
    ("status", "prospect", "customer"),
    ("secondary_contact", None, 3),
)


def _entry(rng: random.Random, prospect_id: int, at: str) -> Record:
    who = rng.choice(LOGINS)
    shape = SHAPES(rng)
    if shape == "edited":
        changes = {name: [old, new] for name, old, new in rng.sample(EDITS, rng.randint(1, 3))}
        return entry(prospect_id, "edited", changes, at=at, by=who)
    if shape == "verified":
        return entry(prospect_id, "verified: mail", {"verdict": [None, "mail"]}, at=at, by=who)
    if shape == "created":
        via = rng.choice(("form", "cli", f"import {rng.randint(1, 40)}"))
        return entry(prospect_id, f"created via {via}", at=at, by=who)
    if shape == "order":
        submitted = rng.random() < 0.4
        changes = {"status": ["prospect", "customer"]} if submitted else {}
        what = f"order {rng.randint(1, 5000)} {'submitted' if submitted else 'saved'}"
        return entry(prospect_id, what, changes, at=at, by=who)
    if shape == "handed over":
        return entry(prospect_id, "lead handed over", {"implementation_lead": [1, 3]}, at=at,
                     by=who)
    if shape == "deleted":
        return entry(prospect_id, "deleted", at=at, by=who)
    return entry(prospect_id, f"import {rng.randint(1, 40)} undone", at=at, by=who)


def history_entries(count: int, prospects: int, *, focus: int | None = None,
                    seed: int = 0) -> Iterator[Record]:
    """`count` entries on prospects 1..prospects, oldest first; FOCUS_ENTRIES on `focus`."""
    rng = random.Random(seed)
    every = max(1, count // FOCUS_ENTRIES)
    others = [i for i in range(1, prospects + 1) if i != focus] or [prospects + 1]
    for n in range(count):
        on_focus = focus is not None and n % every == every // 2 and n // every < FOCUS_ENTRIES
        prospect_id = focus if on_focus and focus is not None else rng.choice(others)
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(_EPOCH + _SPAN * n // count))
        yield _entry(rng, prospect_id, at)


def add_history(target: str, count: int, *, prospects: int, focus: int | None = None,
                seed: int = 0) -> None:
    """Add `count` generated entries to the history of the store at `target`."""
    repo = open_repository(target)
    try:
        chunk: list[Record] = []
        for item in history_entries(count, prospects, focus=focus, seed=seed):
            chunk.append(item)
            if len(chunk) == CHUNK:
                with repo.writing() as session:
                    session.add_history(chunk)
                chunk = []
        if chunk:
            with repo.writing() as session:
                session.add_history(chunk)
    finally:
        repo.close()
