"""The bot and the jobs write at once: no "database is locked", no lost row."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from kabar.db import Database
from kabar.db.models import AppState, Feed


async def _writer(db: Database, worker: int, rows: int) -> None:
    for i in range(rows):
        # Read-then-write in one transaction: the pattern that deadlocks with a deferred BEGIN.
        async with db.transaction() as session:
            count = await session.scalar(select(func.count()).select_from(Feed))
            session.add(Feed(url=f"https://example.test/{worker}/{i}", title=str(count)))
            # FOR UPDATE makes PostgreSQL serialize the increment; SQLite's IMMEDIATE already has.
            row = await session.get(AppState, "counter", with_for_update=True)
            assert row is not None
            row.value = {"n": row.value["n"] + 1}


async def _make_counter(db: Database) -> None:
    async with db.transaction() as session:
        session.add(AppState(key="counter", value={"n": 0}))


async def test_concurrent_writers_lose_nothing(db: Database) -> None:
    workers, rows = 8, 25
    await _make_counter(db)
    await asyncio.gather(*(_writer(db, w, rows) for w in range(workers)))
    async with db.session() as session:
        feeds = await session.scalar(select(func.count()).select_from(Feed))
        counter = await session.get(AppState, "counter")
    assert feeds == workers * rows
    assert counter is not None
    assert counter.value["n"] == workers * rows


async def test_two_engines_on_one_sqlite_file_write_at_once(sqlite_url: str) -> None:
    """Two processes (bot and worker) are two engines: busy_timeout and BEGIN IMMEDIATE hold."""
    from kabar.db.migrate import upgrade

    first, second = Database(sqlite_url), Database(sqlite_url)
    try:
        await upgrade(first)
        await _make_counter(first)
        await asyncio.gather(
            *(_writer(first, w, 15) for w in range(3)),
            *(_writer(second, w + 10, 15) for w in range(3)),
        )
        async with first.session() as session:
            feeds = await session.scalar(select(func.count()).select_from(Feed))
            counter = await session.get(AppState, "counter")
        assert feeds == 6 * 15
        assert counter is not None
        assert counter.value["n"] == 6 * 15
    finally:
        await first.dispose()
        await second.dispose()


async def test_sqlite_connection_pragmas(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        async with db.session() as session:
            conn = await session.connection()
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
            fk = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
            busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    finally:
        await db.dispose()
    assert (mode, fk) == ("wal", 1)
    assert busy is not None
    assert busy >= 5000
