"""Upgrading a database that already has articles indexes them (the migration backfills)."""

from __future__ import annotations

from sqlalchemy import insert

from kabar.db import Database, utcnow
from kabar.db.migrate import upgrade
from kabar.db.models import Article, Feed
from kabar.search import search


async def test_upgrade_indexes_existing_articles(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        await upgrade(db, "0001")
        async with db.transaction() as session:  # Core inserts, as before search existed
            await session.execute(insert(Feed).values(id=1, url="https://x.test/f", name="X"))
            await session.execute(
                insert(Article).values(
                    feed_id=1, guid="a", title="Gempa Cianjur", text="", published_at=utcnow()
                )
            )
        await upgrade(db)
        page = await search(db, "gempa")
        assert [h.title for h in page.items] == ["Gempa Cianjur"]
    finally:
        await db.dispose()
