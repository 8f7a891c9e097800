"""The Alembic migrations and the SQLAlchemy models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from kabar.db import Database
from kabar.db.migrate import current_revision, head_revision, include_object, is_up_to_date, upgrade
from kabar.db.models import Base


def _diff(connection: Connection) -> list[object]:
    ctx = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_object": include_object},
    )
    return list(compare_metadata(ctx, Base.metadata))


async def test_migrated_schema_matches_models(db: Database) -> None:
    async with db.session() as session:
        conn = await session.connection()
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_every_model_table_exists_after_upgrade(db: Database) -> None:
    async with db.session() as session:
        conn = await session.connection()
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables


async def test_upgrade_from_empty_then_again_is_a_no_op(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        assert await current_revision(db) is None
        assert not await is_up_to_date(db)
        await upgrade(db)
        assert await current_revision(db) == head_revision()
        await upgrade(db)  # a second run changes nothing and does not fail
        assert await is_up_to_date(db)
    finally:
        await db.dispose()
