"""Alembic environment: the models' metadata and the configured database."""
from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from quizapp import models  # noqa: F401  (registers the tables)
from quizapp.config import get_settings
from quizapp.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # A batch migration rebuilds a table (copy, DROP, rename); with foreign
            # keys enforced the DROP fails once other rows refer to the table.
            # The pragma only takes effect outside a transaction: set it first.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
