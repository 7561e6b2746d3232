"""The Store: one transaction a change, stale saves refused, unique domains and e-mails."""

from pathlib import Path

import orjson
import pytest

from store.errors import ConflictError, DuplicateError, NotFoundError, StoreError
from store.models import Order, ProductLine, Prospect, User
from store.rules.store import Store
from tests.seed import seed_prospects

BACKENDS = ("tinydb", "postgres")  # the contract: every test here runs on both (tests/conftest.py)


def prospect(domain: str = "example.com", name: str = "Example Ltd", lead: int = 1) -> Prospect:
    return Prospect(company_type="End Customer", company_name=name, domain=domain,
                    sector="Retail", implementation_lead=lead)


def test_create_and_read_back_from_a_fresh_store(store: Store, db_target: Path | str) -> None:
    saved = store.create_prospect(prospect(name="Tom & Jerry [UK] Ltd \x1b[31m\u202e"))
    again = Store(db_target).get_prospect(saved.id or 0)
    assert again.company_name == "Tom & Jerry [UK] Ltd \x1b[31m\u202e"
    assert again.version == 1
    if isinstance(db_target, Path):  # TinyDB's file is JSON any tool can read
        assert set(orjson.loads(db_target.read_bytes())) >= {"prospects", "users"}


def test_duplicate_domain_refused(store: Store) -> None:
    store.create_prospect(prospect())
    with pytest.raises(DuplicateError, match="Domain: example.com is already prospect"):
        store.create_prospect(prospect(name="Other"))


def test_stale_save_is_a_conflict_and_keeps_theirs(store: Store, db_target: Path | str) -> None:
    mine = store.create_prospect(prospect())
    theirs = Store(db_target)
    theirs.update_prospect(mine.model_copy(update={"company_name": "Theirs"}))
    with pytest.raises(ConflictError, match="was changed by .* since you opened it"):
        store.update_prospect(mine.model_copy(update={"company_name": "Mine"}))
    assert Store(db_target).get_prospect(mine.id or 0).company_name == "Theirs"
    # the failed save left the cache consistent: a fresh read sees theirs too
    assert store.get_prospect(mine.id or 0).company_name == "Theirs"


def test_ids_never_reused_from_a_stale_cache(store: Store, db_target: Path | str) -> None:
    a = store.create_prospect(prospect("a.com"))
    other = Store(db_target)
    b = other.create_prospect(prospect("b.com"))
    c = store.create_prospect(prospect("c.com"))
    assert len({a.id, b.id, c.id}) == 3


def test_users_email_unique_and_lead_protected(store: Store) -> None:
    with pytest.raises(DuplicateError, match="ADA@example.com"):
        store.add_user(User(name="Other Ada", email="ADA@example.com"))
    p = store.create_prospect(prospect())
    ada = store.users()[0]
    with pytest.raises(StoreError, match="choose a replacement"):
        store.update_user(ada.model_copy(update={"implementation_lead": False}))
    grace = store.add_user(User(name="Grace", email="grace@example.com", implementation_lead=True))
    assert store.replace_lead(ada.id or 0, grace.id or 0) == 1
    assert store.get_prospect(p.id or 0).implementation_lead == grace.id
    store.update_user(ada.model_copy(update={"implementation_lead": False}))
    assert [u.name for u in store.leads()] == ["Grace"]


def test_order_submit_makes_a_customer_and_is_read_only(store: Store) -> None:
    p = store.create_prospect(prospect())
    draft = store.save_order(Order(prospect=p.id or 0, order_number="PO-1",
                                   products=[ProductLine(product="Email Security Cloud Gateway")]))
    assert draft.status == "draft" and store.get_prospect(p.id or 0).status == "prospect"
    submitted = store.save_order(draft, submit=True)
    assert submitted.status == "submitted"
    assert store.get_prospect(p.id or 0).status == "customer"
    with pytest.raises(ConflictError, match="read-only"):
        store.save_order(submitted)


def test_an_order_without_products_is_never_submitted(store: Store) -> None:
    p = store.create_prospect(prospect())
    draft = store.save_order(Order(prospect=p.id or 0, order_number="PO-1"))  # a draft may
    with pytest.raises(StoreError, match="no products"):
        store.save_order(draft, submit=True)
    assert store.get_prospect(p.id or 0).status == "prospect"
    assert store.orders_for(p.id or 0)[0].status == "draft"


def test_delete_needs_the_current_version(store: Store) -> None:
    p = store.create_prospect(prospect())
    store.update_prospect(p)
    with pytest.raises(ConflictError):
        store.delete_prospect(p.id or 0, p.version)
    store.delete_prospect(p.id or 0, p.version + 1)
    with pytest.raises(NotFoundError):
        store.get_prospect(p.id or 0)


def test_bulk_create_is_one_batch_and_undoable(store: Store) -> None:
    batch = seed_prospects(store, [prospect(f"d{i}.com") for i in range(50)])
    assert batch.created == 50 and len(store.prospect_rows()) == 50
    edited = store.get_prospect(batch.prospect_ids[0])
    store.update_prospect(edited)
    removed, kept = store.undo_batch(batch.id or 0)
    assert kept == [edited.id] and len(removed) == 49
    assert len(store.prospect_rows()) == 1


def test_ids_are_never_reused_after_a_delete(store: Store, db_target: Path | str) -> None:
    first = store.create_prospect(prospect("a.com"))
    store.delete_prospect(first.id or 0, first.version)
    again = Store(db_target).create_prospect(prospect("b.com"))
    assert again.id != first.id


def test_same_name_prospects_is_blind_to_case_accents_and_spacing(store: Store) -> None:
    cafe = store.create_prospect(prospect("cafe.example", "Café  Zoë Ltd"))
    store.create_prospect(prospect("other.example", "Other Ltd"))
    assert [p.id for p in store.same_name_prospects(" cafe zoe LTD ")] == [cafe.id]
    assert store.same_name_prospects("Café Zoë Ltd", exclude=cafe.id) == []
    assert store.same_name_prospects("Cafe Zoe") == []
    assert store.same_name_prospects("   ") == []
