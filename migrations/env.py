"""Alembic environment: the schema of every Sotong table, on SQLite or PostgreSQL.

The URL comes from DATABASE_URL (sotong.settings). ``sotong.db.create_schema`` passes
an open connection in ``config.attributes["connection"]`` instead, so tests and the
CLI migrate exactly the engine they use.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from sotong.db import Base, get_engine, import_models

config = context.config
import_models()
target_metadata = Base.metadata


def _ours(obj, name, type_, reflected, compare_to) -> bool:
    """Rasa's tracker store shares the database (its `events` table): autogenerate
    must neither drop nor describe tables Sotong's models don't own."""
    return not (type_ == "table" and reflected and compare_to is None)


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_ours,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    from sotong.settings import load_settings

    context.configure(
        url=load_settings().database_url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _configure(given)
        return
    if config.config_file_name:
        # Only when run by the `alembic` command: don't reset an application's logging.
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    with get_engine().connect() as connection:
        _configure(connection)
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
