"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL via DATABASE_URL.

SQLAlchemy 1.4 is what rasa 3.6 allows; code here uses the 2.0-style API
(``future=True``, ``select()``) so it carries over unchanged. The schema is
owned by the Alembic migrations in ``migrations/``; ``create_schema`` runs them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, registry, sessionmaker
from sqlalchemy.orm.decl_api import DeclarativeMeta

from sotong.settings import PROJECT_ROOT, load_settings

# Named constraints so Alembic can alter them later (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
_registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class Base(metaclass=DeclarativeMeta):
    """Declarative base, spelled out (SQLAlchemy 1.4's documented form) so mypy sees a class."""

    __abstract__ = True
    registry = _registry
    metadata = _registry.metadata
    __init__ = _registry.constructor


_engines: dict[str, Engine] = {}


def _create_private_file(path: Path) -> None:
    """Create the database file owner-only (0600) before SQLite does (it would use the umask).

    It holds residents' phone numbers and addresses; SQLite gives its -wal/-shm files the
    database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def _sqlite_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        _create_private_file(Path(url[len("sqlite:///") :].split("?", 1)[0]))
    engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        # WAL: readers don't block the writer. isolation_level=None stops pysqlite from
        # issuing its own BEGIN, so SQLAlchemy's (below) and SAVEPOINTs work as documented.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        # IMMEDIATE takes the write lock up front. With a deferred BEGIN, a transaction
        # that read first and writes after another writer committed fails at once with
        # "database is locked" (stale WAL snapshot); IMMEDIATE waits (timeout) instead,
        # so two racing submissions serialise rather than one of them erroring.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process; creates the SQLite file's folder if needed."""
    url = url or load_settings().database_url
    if url in _engines:
        return _engines[url]
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        # Per-process pool (docs/production.md: three replicas must fit PostgreSQL's 100 connections).
        engine = create_engine(
            url,
            future=True,
            pool_pre_ping=True,
            pool_size=int(os.environ.get("SOTONG_DB_POOL_SIZE") or 5),
            max_overflow=int(os.environ.get("SOTONG_DB_MAX_OVERFLOW") or 10),
        )
    _engines[url] = engine
    return engine


def dispose_engine(url: str) -> None:
    """Close an engine's pooled connections and forget it (tests dropping a database)."""
    engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def import_models() -> None:
    """Register every table on ``Base.metadata`` (Alembic autogenerate and tests need all)."""
    import sotong.complaints.models
    import sotong.directory.models
    import sotong.handoff.models
    import sotong.notifications.models
    import sotong.open311.models
    import sotong.privacy.models
    import sotong.residents.models
    import sotong.residents.prefs_models
    import sotong.staff.models
    import sotong.studio.change_models
    import sotong.studio.release_models  # noqa: F401


def create_schema(engine: Engine | None = None) -> None:
    """Bring the database to the newest schema by running the Alembic migrations (idempotent).

    Migrations rather than ``create_all`` so a database created here can be upgraded
    later; a new table therefore needs a migration (tests/core/test_migrations.py
    fails while models and migrations differ).
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    with (engine or get_engine()).begin() as conn:
        cfg.attributes["connection"] = conn  # migrations/env.py uses this connection
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error."""
    factory = sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
