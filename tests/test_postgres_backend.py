"""The PostgreSQL repository on a real throwaway cluster: records, constraints, changes, copies."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest

from bench.generate import make_db
from store.backends.base import BATCHES, ORDERS, PROSPECTS, TABLES, USERS, VIEWS, Changes, Record, Table
from store.backends.open import is_postgres_target
from store.backends.postgres import columns, repository, schema
from store.backends.postgres.repository import PostgresRepository
from store.backends.postgres.url import masked, scrubbed
from store.backends.tinydb.repository import TinyDBRepository
from store.errors import (
    ConnectionLostError,
    DuplicateError,
    LockTimeoutError,
    NotFoundError,
    SchemaError,
    StoreError,
)
from store.models import ImportBatch, Order, Prospect, User, View
from store.text import name_key
from tests.pg_cluster import Cluster

MODELS: dict[Table, Any] = {USERS: User, BATCHES: ImportBatch, PROSPECTS: Prospect, ORDERS: Order,
                            VIEWS: View}


def user(n: int, **fields: Any) -> Record:
    return User(name=f"User {n}", email=f"user{n}@example.com", **fields).model_dump(
        mode="json", exclude={"id"})


def prospect(domain: str, lead: int, **fields: Any) -> Record:
    fields = {"company_name": f"Name of {domain}", **fields}
    return Prospect(company_type="MSP", domain=domain, sector="IT", implementation_lead=lead,
                    **fields).model_dump(mode="json", exclude={"id"})


@pytest.fixture
def repo(pg_store_url: str) -> Iterator[PostgresRepository]:
    repository = PostgresRepository(pg_store_url)
    yield repository
    repository.close()


@pytest.fixture
def lead(repo: PostgresRepository) -> int:
    with repo.writing() as session:
        return session.insert(USERS, user(1, implementation_lead=True))


def full_records(lead: int, batch: int, first_prospect: int) -> dict[Table, Record]:
    """One record per table with every field set, hostile text and sub-second times included."""
    return {
        BATCHES: ImportBatch(file_name="prospects [Q3] & co.csv", sha256="ab" * 32,
                             imported_at="2026-03-04T05:06:07.250000Z", rows=3, created=2,
                             duplicates=1, errors=0, prospect_ids=[7, 8],
                             undone_at="2026-03-05T00:00:00Z").model_dump(mode="json", exclude={"id"}),
        PROSPECTS: prospect(
            "xn--bcher-kva.example", lead, company_name="Bücher [GmbH] \u202eRTL 🎉 " + "x" * 10_000,
            website="https://bücher.example", secondary_contact=lead,
            expected_provision_date="2027-02-28", permitted_users=25,
            products=[{"product": "Mail Filter", "seats": 25}, {"product": "Archive", "seats": None}],
            domain_check={"verdict": "mail", "message": "MX: mx.example", "mail_host": "mx.example",
                          "checked_at": "2026-01-02T03:04:05Z"},
            status="customer", created_at="2026-01-02T03:04:05Z",
            updated_at="2026-01-02T03:04:05.000001Z", import_batch=batch, version=7),
        ORDERS: Order(prospect=first_prospect, products=[{"product": "Mail Filter", "seats": 3}],
                      permitted_users=3, order_number="PO-1", covered_by_msa=True, authorised=True,
                      status="submitted", submitted_at="2026-06-07T08:09:10Z",
                      version=2).model_dump(mode="json", exclude={"id"}),
        VIEWS: View(name="Mine [x] 🎉 \u202eRTL", filter='product:"mail filter" -status:customer',
                    letter="m", sort="domain", descending=True, columns=["domain", "company_name"],
                    shared=True, owner="ada", updated_at="2026-01-02T03:04:05.5Z",
                    version=3).model_dump(mode="json", exclude={"id"}),
    }


def test_every_table_round_trips_exactly(repo: PostgresRepository, lead: int) -> None:
    with repo.writing() as session:
        batch = session.insert(BATCHES, full_records(lead, 0, 0)[BATCHES])
        records = full_records(lead, batch, 0)
        first = session.insert(PROSPECTS, records[PROSPECTS])
        records = full_records(lead, batch, first)
        records[USERS] = user(2, implementation_lead=False)
        order = session.insert(ORDERS, records[ORDERS])
        second_user = session.insert(USERS, records[USERS])
        view = session.insert(VIEWS, records[VIEWS])
        many = session.insert_many(PROSPECTS, [
            prospect(f"bulk{n}.example", lead, expected_provision_date="2026-12-31")
            for n in range(3)])
    ids = {BATCHES: batch, PROSPECTS: first, ORDERS: order, USERS: second_user, VIEWS: view}
    with repo.reading() as session:
        for table, record in records.items():
            got = session.get(table, ids[table])
            assert got == record, table
            model = MODELS[table]
            assert model.model_validate(got).model_dump(mode="json") == model.model_validate(
                record).model_dump(mode="json")
        assert [record_id for record_id, _ in session.scan(PROSPECTS)] == [first, *many]
        assert session.get(PROSPECTS, 10_000) is None
    assert dict(repo.prospect_rows())[first] == records[PROSPECTS]


def test_find_and_with_domains_use_the_keys(repo: PostgresRepository, lead: int) -> None:
    with repo.writing() as session:
        ada = session.insert(USERS, User(name="Ada", email="ÅDA@Example.COM").model_dump(
            mode="json", exclude={"id"}))
        first = session.insert(PROSPECTS, prospect("one.example", lead, company_name="  Ünïcode  Ltd "))
        session.insert(PROSPECTS, prospect("two.example", lead, secondary_contact=ada))
    with repo.reading() as session:
        assert [i for i, _ in session.find(USERS, "email_key", "ådа@example.com".replace("а", "a"))] == [ada]
        assert [i for i, _ in session.find(PROSPECTS, "name_key", name_key("ÜNÏCODE ltd"))] == [first]
        assert [r["domain"] for _, r in session.find(PROSPECTS, "secondary_contact", ada)] == [
            "two.example"]
        found = session.with_domains(["one.example", "three.example", "two.example"])
        assert sorted(found) == ["one.example", "two.example"]
        assert found["one.example"] == session.get(PROSPECTS, first)


def test_update_keeps_derived_keys_and_delete_ignores_missing(repo: PostgresRepository, lead: int) -> None:
    with repo.writing() as session:
        first = session.insert(PROSPECTS, prospect("one.example", lead))
        session.update(PROSPECTS, first, {"company_name": "Renamed Co", "version": 2,
                                          "products": [{"product": "Archive", "seats": 4}],
                                          "updated_at": "2026-05-05T05:05:05Z"})
        session.update(USERS, lead, {"email": "NEW@example.com"})
    with repo.reading() as session:
        record = session.get(PROSPECTS, first)
        assert record is not None
        assert (record["company_name"], record["version"], record["products"], record["updated_at"]) == (
            "Renamed Co", 2, [{"product": "Archive", "seats": 4}], "2026-05-05T05:05:05Z")
        assert [i for i, _ in session.find(PROSPECTS, "name_key", "renamed co")] == [first]
        assert [i for i, _ in session.find(USERS, "email_key", "new@example.com")] == [lead]
    with repo.writing() as session:
        session.delete(PROSPECTS, [first, 999])
    with repo.reading() as session:
        assert list(session.scan(PROSPECTS)) == []


def test_an_error_in_a_write_session_saves_nothing(repo: PostgresRepository, lead: int) -> None:
    with pytest.raises(ZeroDivisionError), repo.writing() as session:
        session.insert(PROSPECTS, prospect("one.example", lead))
        _ = 1 / 0
    with repo.reading() as session:
        assert list(session.scan(PROSPECTS)) == []


def refused(repo: PostgresRepository, *writes: tuple[str, Table, Any]) -> StoreError:
    with pytest.raises(StoreError) as caught, repo.writing() as session:
        for action, table, value in writes:
            if action == "insert":
                session.insert(table, value)
            else:
                session.update(table, value[0], value[1])
    return caught.value


def test_duplicate_domain_refused(repo: PostgresRepository, lead: int) -> None:
    error = refused(repo, ("insert", PROSPECTS, prospect("same.example", lead)),
                    ("insert", PROSPECTS, prospect("same.example", lead)))
    assert isinstance(error, DuplicateError)
    assert str(error).startswith("Domain: 'same.example' is already a prospect")
    with repo.reading() as session:
        assert list(session.scan(PROSPECTS)) == []  # the first insert went with the transaction


def test_duplicate_folded_email_refused(repo: PostgresRepository, lead: int) -> None:
    error = refused(repo, ("insert", USERS, User(name="Shouty", email="USER1@EXAMPLE.COM").model_dump(
        mode="json", exclude={"id"})))
    assert isinstance(error, DuplicateError)
    assert "E-mail: 'user1@example.com' already belongs to another user" in str(error)


@pytest.mark.parametrize(("fields", "message"), [
    ({"products": [{"product": "A", "seats": 2}, {"product": "B", "seats": 0}]},
     "Products: seats must be 1 or more"),
    ({"permitted_users": 0}, "Permitted users: must be 1 or more"),
    ({"status": "archived"}, "Status: must be 'prospect' or 'customer'"),
])
def test_checks_refuse_bad_values(repo: PostgresRepository, lead: int, fields: Record,
                                  message: str) -> None:
    record = prospect("one.example", lead)
    error = refused(repo, ("insert", PROSPECTS, {**record, **fields}))
    assert str(error).startswith(message)
    with repo.writing() as session:
        first = session.insert(PROSPECTS, record)
    assert str(refused(repo, ("update", PROSPECTS, (first, fields)))).startswith(message)


def test_unknown_lead_refused_at_commit(repo: PostgresRepository, lead: int) -> None:
    error = refused(repo, ("insert", PROSPECTS, prospect("one.example", 4242)))
    assert isinstance(error, NotFoundError)
    assert str(error).startswith("Implementation lead: user '4242' does not exist")


def test_one_live_import_batch_per_file(repo: PostgresRepository) -> None:
    batch = ImportBatch(file_name="a.csv", sha256="cd" * 32).model_dump(mode="json", exclude={"id"})
    error = refused(repo, ("insert", BATCHES, batch), ("insert", BATCHES, batch))
    assert isinstance(error, DuplicateError)
    assert "is already imported and not undone" in str(error)
    with repo.writing() as session:  # an undone batch does not count
        session.insert(BATCHES, {**batch, "undone_at": "2026-01-01T00:00:00Z"})
        session.insert(BATCHES, batch)
        assert len(session.find(BATCHES, "sha256", "cd" * 32)) == 2


def poll_until(repo: PostgresRepository, wanted: Any) -> Changes:
    """Poll until the changes satisfy `wanted` (notifications arrive a moment after the commit)."""
    deadline = time.monotonic() + 10
    seen = Changes()
    while time.monotonic() < deadline:
        changes = repo.poll()
        seen.prospects.update(changes.prospects)
        for flag in ("users", "orders", "batches", "everything"):
            setattr(seen, flag, getattr(seen, flag) or getattr(changes, flag))
        if wanted(seen):
            return seen
        time.sleep(0.02)
    return seen


def test_poll_delivers_another_sessions_changes(repo: PostgresRepository, lead: int,
                                                pg_store_url: str) -> None:
    other = PostgresRepository(pg_store_url)
    try:
        assert not other.poll()  # nothing since it opened
        with repo.writing() as session:
            first = session.insert(PROSPECTS, prospect("one.example", lead))
            second = session.insert(PROSPECTS, prospect("two.example", lead))
        with repo.reading() as session:
            fresh = session.get(PROSPECTS, first)
        changes = poll_until(other, lambda c: len(c.prospects) == 2)
        assert changes.prospects[first] == fresh
        assert not (changes.users or changes.orders or changes.everything)
        with repo.writing() as session:
            session.delete(PROSPECTS, [second])
            session.update(PROSPECTS, first, {"version": 2})
            session.insert(USERS, user(9))
        changes = poll_until(other, lambda c: second in c.prospects and c.users)
        assert changes.prospects[second] is None
        assert changes.prospects[first] is not None and changes.prospects[first]["version"] == 2
        assert changes.orders  # a deleted prospect's orders go with it
    finally:
        other.close()


def test_poll_says_everything_when_the_ids_do_not_fit(repo: PostgresRepository, lead: int) -> None:
    with repo.writing() as session:
        session.insert_many(PROSPECTS, [prospect(f"d{n}.example", lead) for n in range(3000)])
    changes = poll_until(repo, lambda c: c.everything)
    assert changes.everything and not changes.prospects


def fill(repo: PostgresRepository, lead: int) -> None:
    with repo.writing() as session:
        batch = session.insert(BATCHES, full_records(lead, 0, 0)[BATCHES])
        first = session.insert(PROSPECTS, full_records(lead, batch, 0)[PROSPECTS])
        session.insert(ORDERS, full_records(lead, batch, first)[ORDERS])
        session.insert(VIEWS, full_records(lead, batch, first)[VIEWS])
        gone = session.insert_many(PROSPECTS, [prospect(f"d{n}.example", lead) for n in range(5)])
        session.delete(PROSPECTS, gone[-2:])  # ids with gaps, and deleted ids at the end


def test_dump_and_load_are_exact_and_ids_continue(repo: PostgresRepository, lead: int,
                                                  pg_cluster: Cluster) -> None:
    fill(repo, lead)
    dumped = repo.dump()
    copy = PostgresRepository(pg_cluster.create_database())
    try:
        assert copy.is_empty() and not repo.is_empty()
        handed_out = repo.highest_ids()
        # The deleted prospects at the end: their ids were handed out, and stay used.
        assert handed_out[PROSPECTS] > max(record_id for record_id, _ in dumped[PROSPECTS])
        copy.load(dumped, handed_out)
        assert copy.dump() == dumped and copy.highest_ids() == handed_out
        with copy.writing() as session:
            for table in TABLES:
                new_id = session.insert(table, {**dumped[table][0][1], **_unique(table)})
                assert new_id == handed_out[table] + 1
        with pytest.raises(StoreError, match="is not empty: copy into an empty database only"):
            copy.load(dumped, handed_out)
    finally:
        copy.close()


def _unique(table: Table) -> Record:
    return {PROSPECTS: {"domain": "fresh.example"}, BATCHES: {"sha256": "ef" * 32},
            USERS: {"email": "fresh@example.com"}, VIEWS: {"name": "Fresh"}}.get(table, {})


def test_opening_creates_the_schema_once(pg_url: str) -> None:
    first = PostgresRepository(pg_url)
    second = PostgresRepository(pg_url)
    assert (first.created_new, second.created_new) == (True, False)
    assert first.upgrade().startswith("the schema is up to date")
    first.close()
    second.close()


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    PostgresRepository(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (schema.VERSION + 1,))
    with pytest.raises(SchemaError, match=re.escape(
            f"version {schema.VERSION + 1}, newer than this app knows (version {schema.VERSION})")):
        PostgresRepository(pg_url)


def test_an_older_schema_is_refused_until_db_upgrade(pg_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    PostgresRepository(pg_url).close()
    # This app, one version later: a migration that adds an index.
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS,
                                               "CREATE INDEX prospects_sector ON prospects (sector)"))
    monkeypatch.setattr(schema, "VERSION", schema.VERSION + 1)
    repo = PostgresRepository(pg_url)  # opens, so that `db upgrade` can run
    try:
        for use in (repo.prospect_rows, repo.poll, repo.is_empty):
            with pytest.raises(SchemaError, match="older than this app's .* run `prospects db upgrade`"):
                use()
        assert repo.upgrade() == f"upgraded the schema from version {schema.VERSION - 1} to {schema.VERSION}"
        assert repo.is_empty() and repo.upgrade().startswith("the schema is up to date")
    finally:
        repo.close()
    PostgresRepository(pg_url).close()  # opens cleanly now


def test_a_database_with_foreign_tables_refused(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE prospects (id int)")
    with pytest.raises(SchemaError, match="not this app's database"):
        PostgresRepository(pg_url)


@pytest.mark.parametrize(("url", "shown", "secret"), [
    ("postgresql://ann:s3cr%40t@db.example:5432/crm?sslmode=verify-full",
     "postgresql://ann:***@db.example:5432/crm?sslmode=verify-full", "s3cr@t"),
    ("postgres://ann:p@ss:w@rd@db.example/crm", "postgres://ann:***@db.example/crm", "p@ss:w@rd"),
    ("postgresql://db.example/crm?user=ann&password=s3cret&sslcert=/c.pem",
     "postgresql://db.example/crm?user=ann&password=***&sslcert=/c.pem", "s3cret"),
    ("postgresql://ann@db1:5432,db2:5433/crm", "postgresql://ann@db1:5432,db2:5433/crm", None),
    ("postgresql:", "postgresql:", None),
])
def test_masked_url_never_shows_the_password(url: str, shown: str, secret: str | None) -> None:
    assert is_postgres_target(url)
    assert masked(url) == shown
    if secret is not None:  # libpq's messages are scrubbed of it, as written or decoded
        message = scrubbed(f"failed for {url}: password {secret!r} refused", url)
        assert secret not in message and "***" in message


def test_not_postgres_targets() -> None:
    assert not any(map(is_postgres_target, ["prospects.json", "postgresql.json", "mysql://x/y"]))


def test_bare_scheme_uses_the_pg_variables(pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    name = urlsplit(pg_cluster.create_database()).path.lstrip("/")
    for variable, value in {"PGHOST": str(pg_cluster.dir), "PGUSER": "postgres",
                            "PGDATABASE": name}.items():
        monkeypatch.setenv(variable, value)
    repo = PostgresRepository("postgresql:")
    try:
        assert repo.created_new and repo.is_empty()
        assert repo.location.startswith("postgresql:")
    finally:
        repo.close()


def test_connection_lost_then_reconnects(pg_cluster: Cluster, lead: int, pg_store_url: str) -> None:
    # Trust authentication ignores the password: here only to prove it is never shown.
    url = pg_store_url.replace("postgres@", "postgres:Sup3rSecret@")
    repo = PostgresRepository(url)
    quiet = PostgresRepository(url)  # does nothing while the server is away
    try:
        with repo.writing() as session:
            session.insert(PROSPECTS, prospect("before.example", lead))
        pg_cluster.crash()
        try:
            with pytest.raises(ConnectionLostError) as lost, repo.writing() as session:
                session.insert(PROSPECTS, prospect("during.example", lead))
            with pytest.raises(ConnectionLostError) as unreachable:
                repo.prospect_rows()
            with pytest.raises(ConnectionLostError) as polled:
                repo.poll()
        finally:
            pg_cluster.start()
        for error in (lost.value, unreachable.value, polled.value):
            assert "Sup3rSecret" not in str(error)
            assert masked(url) in str(error)
        assert "reconnects by itself" in str(lost.value)
        assert [r["domain"] for _, r in repo.prospect_rows()] == ["before.example"]
        assert repo.poll().everything  # what happened meanwhile is unknown: re-read it all
        assert quiet.poll().everything  # its first poll after the restart answers, no error
        with repo.writing() as session:
            session.insert(PROSPECTS, prospect("after.example", lead))
        assert len(repo.prospect_rows()) == 2
    finally:
        repo.close()
        quiet.close()


def test_tinydb_to_postgres_to_tinydb_is_exact(pg_url: str, db_path: Path) -> None:
    make_db(db_path, 300, seed=5)
    source = TinyDBRepository(db_path, create_folders=False)
    with source.writing() as session:
        lead = next(i for i, r in session.scan(USERS) if r["implementation_lead"])
        batch = session.insert(BATCHES, full_records(lead, 0, 0)[BATCHES])
        first = session.insert(PROSPECTS, full_records(lead, batch, 0)[PROSPECTS])
        session.insert(ORDERS, full_records(lead, batch, first)[ORDERS])
        session.delete(PROSPECTS, [5, 6])
    original = source.dump()
    server = PostgresRepository(pg_url)
    server.load(original, source.highest_ids())
    assert server.dump() == original
    back = TinyDBRepository(db_path.with_name("back.json"), create_folders=False)
    back.load(server.dump(), server.highest_ids())
    assert back.dump() == original
    assert back.highest_ids() == server.highest_ids() == source.highest_ids()
    for opened in (source, server, back):
        opened.close()


def test_a_held_write_lock_times_out_with_a_message(repo: PostgresRepository, pg_store_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "_BEGIN_WRITE", repository._BEGIN_WRITE.replace(
        f"'{repository.LOCK_TIMEOUT_S}s'".encode(), b"'200ms'"))
    with psycopg.connect(pg_store_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (schema.WRITE_LOCK,))
        with pytest.raises(LockTimeoutError, match="another session has held the write lock"), \
                repo.writing() as session:
            session.insert(USERS, user(5))
    with repo.writing() as session:  # the session that gave up left nothing half-open
        session.insert(USERS, user(5))


def test_a_database_that_cannot_be_reached_is_named_without_its_password(pg_cluster: Cluster) -> None:
    url = f"postgresql://postgres:Sup3rSecret@/no_such_db?host={pg_cluster.dir}"
    with pytest.raises(ConnectionLostError) as caught:
        PostgresRepository(url)
    message = str(caught.value)
    assert message.startswith(f"cannot reach the database server {masked(url)} (")
    assert "no_such_db" in message and "Sup3rSecret" not in message


# A text column cannot hold NUL (a JSON column keeps it escaped, as the file does).
@pytest.mark.parametrize("bad", [{"company_name": "NUL \x00 inside"},
                                 {"website": "\x00"}])
def test_a_value_the_server_cannot_store_is_refused_whole(repo: PostgresRepository, lead: int,
                                                          bad: Record) -> None:
    good = prospect("good.example", lead)
    with pytest.raises(StoreError, match="nothing was done"), repo.writing() as session:
        session.insert_many(PROSPECTS, [good, {**prospect("bad.example", lead), **bad}])
    assert repo.prospect_rows() == []


def test_the_schema_has_a_column_for_every_model_field(repo: PostgresRepository,
                                                       pg_store_url: str) -> None:
    # A field added to a model needs a migration in store/backends/postgres/schema.py.
    with psycopg.connect(pg_store_url) as conn:
        for table in TABLES:
            found = [row[0] for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND table_schema = current_schema() ORDER BY ordinal_position", (table,))]
            assert sorted(found) == sorted(["id", *columns.insert_columns(table)]), table


def test_url_parameters_reach_libpq_untouched(pg_store_url: str) -> None:
    url = pg_store_url + "&sslmode=disable&application_name=team%20crm&connect_timeout=3"
    repo = PostgresRepository(url)
    try:
        with repo.reading() as session:
            row = session.conn.execute("SELECT current_setting('application_name')").fetchone()
        assert row == ("team crm",)
        assert repo.location == url  # no password: shown as given
    finally:
        repo.close()


def test_a_user_still_named_by_a_prospect_is_not_deleted(repo: PostgresRepository, lead: int) -> None:
    with repo.writing() as session:
        session.insert(PROSPECTS, prospect("one.example", lead))
    with pytest.raises(StoreError, match=r"record '1' is still named by prospects \(prospects_lead_fk\)"), \
            repo.writing() as session:
        session.delete(USERS, [lead])
    with repo.reading() as session:
        assert session.get(USERS, lead) is not None


def test_recorded_checks_keep_the_version_and_reach_other_sessions(pg_store_url: str) -> None:
    from store.models import DomainCheck
    from store.rules.store import Store

    store = Store(pg_store_url)
    lead_user = store.add_user(User(name="Ada", email="ada@example.com", implementation_lead=True))
    assert lead_user.id is not None
    made = store.create_prospect(Prospect(
        company_type="End Customer", company_name="Acme", domain="acme.example",
        sector="Retail", implementation_lead=lead_user.id))
    assert made.id is not None
    other = Store(pg_store_url)
    other.poll()
    good = DomainCheck(verdict="mail", message="m", gateway="Mimecast")
    assert store.record_checks({made.id: good, 999: good}) == 1  # 999: deleted meanwhile
    assert store.record_checks({made.id: DomainCheck(verdict="unknown", message="no")}) == 0
    saved = store.get_prospect(made.id)
    assert saved.domain_check is not None and saved.domain_check.gateway == "Mimecast"
    assert (saved.version, saved.updated_at) == (made.version, made.updated_at)
    deadline = time.monotonic() + 10
    while made.id not in (seen := other.poll()).prospects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen.prospects[made.id]["domain_check"]["gateway"] == "Mimecast"  # type: ignore[index]
    store.close()
    other.close()
