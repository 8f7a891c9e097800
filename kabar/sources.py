"""Use cases for managing news sources: add, list, remove, pause, import and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed
from kabar.errors import FeedError, NotFoundError
from kabar.feeds.discover import discover_feed
from kabar.feeds.fetch import Fetcher
from kabar.feeds.opml import OutlineFeed, parse_opml, render_opml
from kabar.state import get_state, set_state

CATALOG_KEY = "catalog.imported"


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A source as shown to operators, with its health."""

    id: int
    url: str
    name: str
    topic: str | None
    language: str | None
    region: str | None
    paused: bool
    disabled: bool
    error_count: int
    last_error: str | None
    last_success_at: datetime | None
    next_check_at: datetime | None
    articles: int
    last_checked_at: datetime | None = None
    last_warning: str | None = None

    @classmethod
    def from_row(cls, feed: Feed, articles: int) -> FeedInfo:
        """Build from a Feed row and its article count."""
        return cls(
            id=feed.id,
            url=feed.url,
            name=feed.display_name,
            topic=feed.topic,
            language=feed.language,
            region=feed.region,
            paused=feed.paused,
            disabled=feed.disabled,
            error_count=feed.error_count,
            last_error=feed.last_error,
            last_success_at=feed.last_success_at,
            next_check_at=feed.next_check_at,
            articles=articles,
            last_checked_at=feed.last_checked_at,
            last_warning=feed.last_warning,
        )


def check_url_shape(url: str) -> str:
    """The URL stripped, if it is an absolute http(s) URL with a host; else FeedError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError(f"not an http(s) URL: {url[:200]!r}")
    return url


async def add_feed(
    db: Database,
    url: str,
    *,
    name: str | None = None,
    title: str | None = None,
    language: str | None = None,
    topic: str | None = None,
    region: str | None = None,
    site_url: str | None = None,
) -> int:
    """Store a feed and return its id; a feed already stored is an error naming its id."""
    url = check_url_shape(url)
    async with db.transaction() as session:
        existing = await session.scalar(select(Feed.id).where(Feed.url == url))
        if existing is not None:
            raise FeedError(f"feed already exists with id {existing}: {url}")
        feed = Feed(
            url=url,
            name=name,
            title=title,
            language=language,
            topic=topic,
            region=region,
            site_url=site_url,
            next_check_at=utcnow(),
        )
        session.add(feed)
        await session.flush()
        return feed.id


async def discover_and_add(
    db: Database,
    fetcher: Fetcher,
    url: str,
    *,
    name: str | None = None,
    language: str | None = None,
    topic: str | None = None,
    region: str | None = None,
) -> tuple[int, str]:
    """Find the feed at `url` (a feed, or a page announcing one) and store it: (id, feed URL)."""
    found = await discover_feed(fetcher, check_url_shape(url))
    feed_id = await add_feed(
        db,
        found.url,
        name=name,
        title=found.title,
        language=language,
        topic=topic,
        region=region,
        site_url=found.site_url,
    )
    return feed_id, found.url


async def list_feeds(db: Database) -> list[FeedInfo]:
    """Every feed with its health, by topic then name."""
    counts = select(Article.feed_id, func.count().label("n")).group_by(Article.feed_id).subquery()
    stmt = (
        select(Feed, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.feed_id == Feed.id)
        .order_by(Feed.topic, Feed.id)
    )
    async with db.session() as session:
        rows = (await session.execute(stmt)).all()
    return [FeedInfo.from_row(feed, n) for feed, n in rows]


async def get_feed(db: Database, feed_id: int) -> Feed:
    """One feed by id, or NotFoundError."""
    async with db.session() as session:
        feed = await session.get(Feed, feed_id)
    if feed is None:
        raise NotFoundError(f"no feed with id {feed_id}")
    return feed


async def remove_feed(db: Database, feed_id: int) -> Feed:
    """Delete a feed and its articles; returns what was removed."""
    async with db.transaction() as session:
        feed = await session.get(Feed, feed_id)
        if feed is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        await session.execute(delete(Article).where(Article.feed_id == feed_id))
        await session.delete(feed)
        return feed


async def set_paused(db: Database, feed_id: int, paused: bool) -> Feed:
    """Pause or resume a feed; resuming also clears a failure-disable and checks it soon."""
    async with db.transaction() as session:
        feed = await session.get(Feed, feed_id)
        if feed is None:
            raise NotFoundError(f"no feed with id {feed_id}")
        feed.paused = paused
        if not paused:
            feed.disabled = False
            feed.error_count = 0
            feed.next_check_at = utcnow()
        return feed


async def import_opml(db: Database, data: bytes) -> tuple[int, int]:
    """Import every feed of an OPML document at once; returns (added, already present).

    The document is parsed in full before anything is written, and all rows go in one
    transaction, so an invalid file imports nothing.
    """
    outlines = parse_opml(data)
    for outline in outlines:
        check_url_shape(outline.url)
    if not outlines:
        return 0, 0
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    rows = [
        {
            "url": o.url.strip(),
            "title": o.title,
            "site_url": o.site_url,
            "language": o.language,
            "topic": o.topic,
            "region": o.region,
            "next_check_at": utcnow(),
            "created_at": utcnow(),
            "error_count": 0,
            "disabled": False,
            "paused": False,
        }
        for o in outlines
    ]
    async with db.transaction() as session:
        before = await session.scalar(select(func.count()).select_from(Feed)) or 0
        for start in range(0, len(rows), 500):  # stay under SQLite's bound-parameter limit
            chunk = rows[start : start + 500]
            stmt = insert(Feed).values(chunk).on_conflict_do_nothing(index_elements=["url"])
            await session.execute(stmt)
        after = await session.scalar(select(func.count()).select_from(Feed)) or 0
    added = after - before
    return added, len(rows) - added


async def export_opml(db: Database) -> bytes:
    """Every feed as an OPML 2.0 document."""
    async with db.session() as session:
        feeds = (await session.scalars(select(Feed).order_by(Feed.topic, Feed.id))).all()
    return render_opml(
        [
            OutlineFeed(
                url=f.url,
                title=f.display_name if f.display_name != f.url else None,
                site_url=f.site_url,
                language=f.language,
                topic=f.topic,
                region=f.region,
            )
            for f in feeds
        ]
    )


def catalog_opml() -> bytes:
    """The bundled source catalog (kabar/feeds/catalog.opml)."""
    return files("kabar.feeds").joinpath("catalog.opml").read_bytes()


async def import_catalog_if_empty(db: Database) -> int:
    """Import the bundled catalog into an install that has never had feeds; returns how many.

    Done once: after that (or if feeds already exist) a flag stays set, so an operator who
    removes every source does not get the catalog back at the next start.
    """
    if await get_state(db, CATALOG_KEY):
        return 0
    async with db.session() as session:
        existing = await session.scalar(select(func.count()).select_from(Feed)) or 0
    added = 0
    if not existing:
        added, _present = await import_opml(db, catalog_opml())
    await set_state(db, CATALOG_KEY, {"at": utcnow().isoformat(), "added": added})
    return added
