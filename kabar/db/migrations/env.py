"""Alembic environment: runs on a connection handed in by kabar.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from kabar.db.migrate import include_object
from kabar.db.models import Base

target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    """Run the migrations inside the caller's transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `kabar db upgrade`, which opens the connection")
run_migrations(connection)
