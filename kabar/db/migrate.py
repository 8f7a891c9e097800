"""Apply Alembic migrations programmatically, on the application's own engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from kabar.db.engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")
SEARCH_TABLE_PREFIX = "search_"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave search-engine shadow tables (FTS5) to the migrations that create them."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE_PREFIX))


def alembic_config() -> Config:
    """An Alembic config that needs no alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _upgrade(connection: Connection, cfg: Config, revision: str) -> None:
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest)."""
    cfg = alembic_config()
    async with db.transaction() as session:
        conn = await session.connection()
        await conn.run_sync(_upgrade, cfg, revision)


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    async with db.session() as session:
        conn = await session.connection()
        return await conn.run_sync(_current)


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def is_up_to_date(db: Database) -> bool:
    """Whether no migration is pending."""
    return await current_revision(db) == head_revision()


def _revision(connection: Connection, cfg: Config, message: str) -> None:
    cfg.attributes["connection"] = connection
    command.revision(cfg, message=message, autogenerate=True)


async def autogenerate(db: Database, message: str) -> None:
    """Write a new migration from the difference between the models and `db` (developers)."""
    cfg = alembic_config()
    async with db.transaction() as session:
        conn = await session.connection()
        await conn.run_sync(_revision, cfg, message)
