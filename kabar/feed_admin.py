"""Admin use cases on one source beyond kabar.sources: its health card and "check it now"."""

from __future__ import annotations

from sqlalchemy import func, select

from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed
from kabar.errors import NotFoundError
from kabar.sources import FeedInfo


async def feed_info(db: Database, feed_id: int) -> FeedInfo:
    """One source with its health and article count; NotFoundError if it was removed."""
    async with db.session() as session:
        feed = await session.get(Feed, feed_id)
        if feed is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        count = await session.scalar(
            select(func.count()).select_from(Article).where(Article.feed_id == feed_id)
        )
    return FeedInfo.from_row(feed, int(count or 0))


async def check_soon(db: Database, feed_id: int) -> FeedInfo:
    """Make the source due now, so the next ingest tick fetches it."""
    async with db.transaction() as session:
        feed = await session.get(Feed, feed_id)
        if feed is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        feed.next_check_at = utcnow()
    return await feed_info(db, feed_id)
