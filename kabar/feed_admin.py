"""Admin use cases on one source beyond kabar.sources: its health card and "fetch it now"."""

from __future__ import annotations

from sqlalchemy import func, select

from kabar.db import Database
from kabar.db.models import Article, Feed
from kabar.errors import NotFoundError
from kabar.feedstore import FeedOutcome, FeedRef
from kabar.ingest import Ingestor
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


async def fetch_now(db: Database, ingestor: Ingestor, feed_id: int) -> FeedOutcome:
    """Check one source at once (fetch, parse, store); its summaries come with the next pass."""
    async with db.session() as session:
        feed = await session.get(Feed, feed_id)
    if feed is None:
        raise NotFoundError(f"no feed with id {feed_id}")
    (outcome,) = await ingestor.check_feeds([FeedRef.of(feed)])
    return outcome
