"""Shared fixtures: a store on a real file in tmp_path, a throwaway PostgreSQL cluster, the loopback
DNS responder."""

from __future__ import annotations

import compileall
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from store.backends.base import TABLES
from store.backends.postgres.repository import PostgresRepository
from store.models import User
from store.rules.store import Store
from store.user_config import user_config
from tests.dns_responder import dns_server  # noqa: F401 - a fixture
from tests.pg_cluster import Cluster, NoPostgreSQL, throwaway_cluster

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    """Compile the project once, before the workers start: hundreds of CLI processes then
    read the bytecode rather than compile every module again (PYTHONDONTWRITEBYTECODE may
    be set, and an editable install has no bytecode of its own)."""
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        for package in ("store", "tui", "bench"):
            compileall.compile_dir(ROOT / package, quiet=2)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads the user's real data file, catalog, config or resolver settings."""
    # A folder of its own (a chosen path's folder must exist), outside the test's tmp_path.
    default = tmp_path_factory.mktemp("default")
    default.chmod(0o700)
    monkeypatch.setenv("PROSPECTS_DB", str(default / "prospects.json"))
    monkeypatch.delenv("PROSPECTS_CATALOG", raising=False)
    monkeypatch.delenv("PROSPECTS_NAMESERVER", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # The user's config folder (config.toml, columns.json): a fresh empty one, read afresh.
    config = tmp_path_factory.mktemp("config")
    config.chmod(0o700)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.delenv("PROSPECTS_USER", raising=False)
    user_config.cache_clear()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A data file path in a fresh private directory."""
    (tmp_path / "data").mkdir(mode=0o700)
    return tmp_path / "data" / "prospects.json"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module with BACKENDS = ("tinydb", "postgres") runs its `store` tests on each backend.

    Others stay on TinyDB under their own names (snapshot files are named after tests).
    """
    backends = getattr(metafunc.module, "BACKENDS", None)
    chosen = any(mark.args[0] == "backend" for mark in metafunc.definition.iter_markers("parametrize"))
    if backends and "backend" in metafunc.fixturenames and not chosen:  # a test may pick one
        metafunc.parametrize("backend", backends, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which backend the `store` fixture uses: "tinydb" unless the module asks for both."""
    return str(getattr(request, "param", "tinydb"))


@pytest.fixture
def db_target(backend: str, request: pytest.FixtureRequest) -> Path | str:
    """Where the `store` fixture's data is: a new file, or a new database on the test cluster."""
    if backend == "postgres":
        return str(request.getfixturevalue("pg_store_url"))
    path: Path = request.getfixturevalue("db_path")
    return path


@pytest.fixture
def store(db_target: Path | str) -> Iterator[Store]:
    """A Store on a new database, with one implementation lead (id 1) and one other user."""
    s = Store(db_target)
    s.add_user(User(name="Ada Lovelace", email="ada@example.com", implementation_lead=True))
    s.add_user(User(name="Bob Plain", email="bob@example.com"))
    yield s
    s.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL server per test process (each xdist worker has its own)."""
    try:
        with throwaway_cluster() as cluster:
            yield cluster
    except NoPostgreSQL as exc:
        pytest.fail(str(exc))  # a failure, never a skip: the PostgreSQL half must run


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database on the test cluster."""
    return pg_cluster.create_database()


@pytest.fixture(scope="session")
def _pg_store_database(pg_cluster: Cluster) -> str:
    """One database with the app's schema, emptied for each test that uses it."""
    url = pg_cluster.create_database()
    PostgresRepository(url).close()
    return url


@pytest.fixture
def pg_store_url(_pg_store_database: str) -> str:
    """The URL of a database with the schema and no records, ids starting at 1.

    Emptying one database is ten times faster than creating one for every test.
    """
    with psycopg.connect(_pg_store_database, autocommit=True) as conn:
        conn.execute("TRUNCATE " + ", ".join([*TABLES, "history"]) + " RESTART IDENTITY")
    return _pg_store_database
