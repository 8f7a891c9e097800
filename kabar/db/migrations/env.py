"""Alembic environment: runs on a connection handed in by kabar.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from kabar.db.models import Base

target_metadata = Base.metadata


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave search-engine shadow tables (FTS5) to the migrations that create them."""
    return not (type_ == "table" and name is not None and name.startswith("search_"))


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
