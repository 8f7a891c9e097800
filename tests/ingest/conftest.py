"""Fixtures for ingest tests: settings, a loopback feed server and an Ingestor on a real DB."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from kabar import sources
from kabar.config import Settings, load_settings
from kabar.db import Database
from kabar.db.models import Article, Feed
from kabar.feeds.fetch import Fetcher
from kabar.feedstore import FeedRef
from kabar.ingest import Ingestor
from tests.feeds.server import FeedServer

MakeIngestor = Callable[..., Ingestor]


def make_settings(db: Database, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db.url,
        "allow_private_networks": True,
        "import_catalog": False,
        "fetch_timeout_seconds": 2.0,
        "max_feed_bytes": 1_000_000,
        "max_feed_errors": 3,
        "fetch_full_text": False,
        "admins": "111,222",
        "summary_workers": 1,
        "retention_days": 0,  # the sample feeds are dated 2024; retention has its own test
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    srv = await FeedServer().start()
    yield srv
    await srv.stop()


@pytest.fixture
async def make_ingestor(db: Database) -> AsyncIterator[MakeIngestor]:
    """Ingestors over `db` with a thread pool standing in for the process pool (same code path,
    no process start-up); one test elsewhere runs the real process pool."""
    made: list[tuple[Fetcher, ThreadPoolExecutor]] = []

    def build(fetcher: Fetcher | None = None, **overrides: Any) -> Ingestor:
        settings = make_settings(db, **overrides)
        fetcher = fetcher or Fetcher.from_settings(settings)
        pool = ThreadPoolExecutor(2)
        made.append((fetcher, pool))
        return Ingestor(settings, db, fetcher, pool)

    yield build
    for fetcher, pool in made:
        await fetcher.aclose()
        pool.shutdown()


async def feed_row(db: Database, feed_id: int) -> Feed:
    async with db.session() as session:
        feed = await session.get(Feed, feed_id)
    assert feed is not None
    return feed


async def feed_ref(db: Database, url: str) -> FeedRef:
    """A new feed at `url`, as the feed store sees it."""
    return FeedRef.of(await feed_row(db, await sources.add_feed(db, url)))


async def articles(db: Database, feed_id: int | None = None) -> list[Article]:
    stmt = select(Article).order_by(Article.id)
    if feed_id is not None:
        stmt = stmt.where(Article.feed_id == feed_id)
    async with db.session() as session:
        return list(await session.scalars(stmt))


async def count_articles(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Article)) or 0
