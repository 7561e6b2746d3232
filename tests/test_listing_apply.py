"""ProspectList.apply: changes shown in place agree with a list built afresh."""

from __future__ import annotations

import random
import threading
from typing import Any

from store.backends.base import Changes
from store.listing import APPLY_LIMIT, SORT_FIELDS, ProspectList

NAMES = ["Acme", "acme", "Ácme", "  Zed", "", "42 Ltd", "Beta", "beta", "Café", "Ωmega", "Tom & [UK]",
         "zeta", "\u202eevil"]
QUERIES = ["", "a", "ac", "e", "xn", "münchen", "[uk]", "zzz", ".com"]
LETTER_PICKS = ["all", "a", "b", "z", "other"]


def random_record(rng: random.Random) -> dict[str, Any]:
    """A record as a file may hold it: valid values, empty ones, ties and hand edits."""
    return {
        "company_name": rng.choice(NAMES),
        "domain": rng.choice(["a.com", "b.com", "xn--mnchen-3ya.de", "", "c.co.uk", "b.com"]),
        "company_type": rng.choice(["End Customer", "Reseller", "", None]),
        "sector": rng.choice(["Retail", "retail", "", None, ["hand", "edit"], "Agriculture"]),
        "implementation_lead": rng.choice([1, 2, 3, 99, None]),
        "expected_provision_date": rng.choice(["2026-01-02", "2025-12-31", None]),
        "permitted_users": rng.choice([0, 5, 50, None, "many", 5]),
        "products": rng.choice([[], [{"product": "Cloud Archive"}],
                                [{"product": "Mimecast", "seats": 25}], "none"]),
        "status": rng.choice(["prospect", "customer", None]),
        "created_at": rng.choice(["2026-01-01T00:00:00", "2026-02-01T00:00:00"]),
        "updated_at": rng.choice(["2026-03-01T00:00:00", None]),
    }


def random_users(rng: random.Random) -> dict[int, str]:
    return {i: rng.choice(["Ada", "Grace", "ada", "Zoë", "Émile"]) for i in (1, 2, 3)}


def ids_of(p: ProspectList, rows: list[int]) -> list[int]:
    return [p.ids[i] for i in rows]


def assert_same(applied: ProspectList, records: dict[int, dict[str, Any]], users: dict[int, str],
                context: str) -> None:
    """Every order, search and letter of `applied` equals a fresh list of the same records
    (given in the order their rows were added, as a re-read of the file gives them)."""
    fresh = ProspectList(list(records.items()), users)
    assert len(applied) == len(fresh), context
    for prospect_id in records:
        row = applied.row_of(prospect_id)
        assert row is not None and applied.records[row] is records[prospect_id], context
    for key in SORT_FIELDS:
        for descending in (False, True):
            applied.sort(key, descending)
            fresh.sort(key, descending)
            for query in QUERIES:
                assert applied.letter_counts(query) == fresh.letter_counts(query), (context, query)
                for letter in LETTER_PICKS:
                    assert ids_of(applied, applied.matching(query, letter)) == \
                        ids_of(fresh, fresh.matching(query, letter)), (context, key, descending, query)
            shown = applied.matching()
            assert [[applied.cell(r, c) for c in SORT_FIELDS] for r in shown] == \
                [[fresh.cell(r, c) for c in SORT_FIELDS] for r in fresh.matching()], context


def random_changes(rng: random.Random, records: dict[int, dict[str, Any]], next_id: int,
                   deleted: set[int]) -> tuple[Changes, int]:
    changes = Changes()
    for _ in range(rng.randint(1, 6)):
        action = rng.random()
        if action < 0.35 or not records:
            changes.prospects[next_id] = random_record(rng)
            next_id += 1
        elif action < 0.75:
            prospect_id = rng.choice(list(records))
            # Sometimes only a field no key depends on, or the very record again (a re-poll).
            if rng.random() < 0.2:
                changes.prospects[prospect_id] = {**records[prospect_id], "website": "x"}
            elif rng.random() < 0.1:
                changes.prospects[prospect_id] = records[prospect_id]
            else:
                changes.prospects[prospect_id] = random_record(rng)
        elif action < 0.95:
            changes.prospects[rng.choice(list(records))] = None
        elif deleted:
            changes.prospects[rng.choice(sorted(deleted))] = None  # gone already: nothing to do
    return changes, next_id


def play(rng: random.Random, context: str) -> None:
    users = random_users(rng)
    records = {i: random_record(rng) for i in range(1, rng.randint(0, 25) + 1)}
    next_id, deleted = len(records) + 1, set[int]()
    listing = ProspectList(list(records.items()), users)
    # Some orders worked out before the changes (they are moved), some only after.
    for key in rng.sample(SORT_FIELDS, rng.randint(0, len(SORT_FIELDS))):
        listing.prepare_order(key, rng.random() < 0.5)
    listing.sort(rng.choice(SORT_FIELDS), rng.random() < 0.5)
    for step in range(rng.randint(1, 8)):
        if rng.random() < 0.5:
            listing.prepare_search()
        if rng.random() < 0.3:
            listing.prepare_sorts()
        changes, next_id = random_changes(rng, records, next_id, deleted)
        new_users = random_users(rng) if rng.random() < 0.2 else None
        assert listing.apply(changes, new_users)
        for prospect_id, record in changes.prospects.items():
            if record is None:
                deleted.add(prospect_id)
                records.pop(prospect_id, None)
            else:
                records[prospect_id] = record
        users = new_users or users
        # Searches and letters between changes, in the order shown then.
        query = rng.choice(QUERIES)
        assert ids_of(listing, listing.matching(query)) == ids_of(
            listing, [r for r in listing.matching() if r in set(listing.matching(query))])
        if rng.random() < 0.1:
            assert_same(listing, records, users, f"{context} step {step}")
    assert_same(listing, records, users, context)


def test_random_changes_applied_in_place_equal_a_fresh_list() -> None:
    for seed in range(200):
        play(random.Random(seed), f"seed {seed}")


def test_rows_keep_their_indexes_and_a_deleted_prospect_is_shown_nowhere() -> None:
    listing = ProspectList([(1, {"company_name": "Acme", "domain": "a.com"}),
                            (2, {"company_name": "Beta", "domain": "b.com"})], {})
    listing.prepare_search()
    table_rows = listing.matching()
    assert listing.apply(Changes(prospects={1: None, 3: {"company_name": "Able", "domain": "c.com"}}))
    assert listing.row_of(1) is None and listing.row_of(2) == 1 and listing.row_of(3) == 2
    assert listing.matching() is table_rows  # changed in place: the table's row indexes hold
    assert ids_of(listing, listing.matching()) == [3, 2]
    assert listing.matching("acme") == [] and listing.matching(letter="a") == [2]
    assert len(listing) == 2 and listing.letter_counts() == {**dict.fromkeys("abcdefghijklmnopqrstuvwxyz", 0),
                                                             "other": 0, "a": 1, "b": 1}


def test_a_renamed_lead_moves_its_rows_in_the_lead_order() -> None:
    records = [(i, {"company_name": f"Co {i}", "implementation_lead": 1 + i % 2}) for i in range(6)]
    listing = ProspectList(records, {1: "Ada", 2: "Bob"})
    listing.sort("implementation_lead")
    assert [listing.cell(r, "implementation_lead") for r in listing.matching()][0] == "Ada"
    assert listing.apply(Changes(users=True), {1: "Zoe", 2: "Bob"})
    assert [listing.cell(r, "implementation_lead") for r in listing.matching()] == ["Bob"] * 3 + ["Zoe"] * 3


def test_everything_or_too_many_changes_ask_for_a_rebuild() -> None:
    listing = ProspectList([(1, {"company_name": "Acme"})], {})
    assert not listing.apply(Changes(everything=True))
    many = Changes(prospects={i: {"company_name": "x"} for i in range(2, APPLY_LIMIT + 3)})
    assert not listing.can_apply(many) and not listing.apply(many)
    assert len(listing) == 1


def test_orders_worked_out_in_threads_while_changes_apply_stay_right() -> None:
    rng = random.Random(7)
    records = {i: random_record(rng) for i in range(1, 3001)}
    users = random_users(rng)
    listing = ProspectList(list(records.items()), users)
    stop = threading.Event()
    failures: list[BaseException] = []

    def prepare() -> None:
        try:
            while not stop.is_set():
                listing.prepare_search()
                listing.prepare_sorts()
                for key in ("created_at", "updated_at"):
                    listing.prepare_order(key, rng.random() < 0.5)
        except BaseException as error:  # noqa: BLE001  # reported below
            failures.append(error)

    worker = threading.Thread(target=prepare)
    worker.start()
    next_id, deleted = len(records) + 1, set[int]()
    try:
        for _ in range(150):
            changes, next_id = random_changes(rng, records, next_id, deleted)
            listing.apply(changes)
            for prospect_id, record in changes.prospects.items():
                if record is None:
                    deleted.add(prospect_id)
                    records.pop(prospect_id, None)
                else:
                    records[prospect_id] = record
    finally:
        stop.set()
        worker.join()
    assert not failures
    listing.prepare_search()
    assert_same(listing, records, users, "threads")
