"""Write checked feeds in batches: new articles (deduplicated, with story ids) and fetch state.

One transaction per batch of feeds rather than per feed: the per-statement and per-commit cost
is what limits ingest on SQLite, and a batch shares its dedup queries. If a batch fails, each
feed is retried alone so one bad feed cannot hold the others back.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.config import Settings
from kabar.db import Database
from kabar.db.models import Article, Feed
from kabar.db.types import utcnow
from kabar.errors import FeedError, FetchError, KabarError, StorageError
from kabar.feeds.dedup import StoryIndex
from kabar.feeds.fetch import FetchResult
from kabar.feeds.model import TITLE_MAX, FeedItem, ParsedFeed
from kabar.feeds.schedule import backoff_check, next_check
from kabar.notices import queue_admin_notice
from kabar.retention import retention_cutoff
from kabar.search.sync import DEFER_NEW

log = logging.getLogger(__name__)

STORY_WINDOW = timedelta(hours=48)  # near-duplicates further apart are separate stories
STORY_REBUILD = timedelta(hours=1)
IN_CHUNK = 500  # bound parameters per IN (...), well under SQLite's limit


@dataclass(frozen=True, slots=True)
class FeedRef:
    """What a pass needs to know about a feed, read once before fetching."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    language: str | None

    @classmethod
    def of(cls, feed: Feed) -> FeedRef:
        """Snapshot of a Feed row."""
        return cls(feed.id, feed.url, feed.etag, feed.last_modified, feed.language)


@dataclass(slots=True)
class Checked:
    """One feed's check, ready to be written: an answer (parsed unless 304) or an error."""

    ref: FeedRef
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class FeedOutcome:
    """How one feed's check went."""

    feed_id: int
    url: str
    status: str  # "ok", "not_modified", "error", "disabled", "removed"
    new: int = 0
    duplicates: int = 0
    error: str | None = None


class FeedStore:
    """Applies checks to the database; keeps the recent-story index between batches."""

    def __init__(self, settings: Settings, db: Database, rng: random.Random) -> None:
        self.settings = settings
        self.db = db
        self._rng = rng
        self._stories = StoryIndex()
        self._stories_built: datetime | None = None
        # New articles are indexed when summarized, by the worker pool (see kabar.search.sync),
        # so the event loop spends no CPU analyzing them.
        self.defer_index = True

    async def write(self, batch: Sequence[Checked]) -> list[FeedOutcome]:
        """Write `batch` in one transaction; if that fails, each check on its own."""
        try:
            async with self.db.transaction() as session:
                session.info[DEFER_NEW] = self.defer_index
                return await self._apply(session, batch)
        except StorageError:
            self._stories_built = None  # the index holds rows that were rolled back: rebuild
            await self.refresh_stories()
            if len(batch) == 1:
                raise
        log.warning("a batch of %d feeds failed to store; storing them one by one", len(batch))
        outcomes = []
        for checked in batch:
            try:
                outcomes += await self.write([checked])
            except StorageError as exc:
                outcomes.append(await self._record_alone(checked.ref, exc))
        return outcomes

    async def _record_alone(self, ref: FeedRef, exc: StorageError) -> FeedOutcome:
        """Record a feed whose articles could not be stored; if even that fails, just report."""
        try:
            (outcome,) = await self.write([Checked(ref, error=exc)])
        except StorageError:
            log.exception("could not record the failure of feed %s", ref.id)
            return FeedOutcome(ref.id, ref.url, "error", error=describe(exc))
        return outcome

    async def known_guids(self, feed_id: int, guids: list[str]) -> set[str | None]:
        """Which of `guids` the feed already has."""
        async with self.db.session() as session:
            return await _existing(session, Article.guid, guids, Article.feed_id == feed_id)

    async def refresh_stories(self) -> None:
        """Load fingerprints stored since the last pass (by any process); rebuild hourly."""
        now = utcnow()
        if self._stories_built is None or now - self._stories_built > STORY_REBUILD:
            self._stories = StoryIndex()
            self._stories_built = now
        stmt = (
            select(Article.id, Article.simhash, Article.story_id)
            .where(
                Article.id > self._stories.last_id,
                Article.simhash.is_not(None),
                Article.fetched_at >= now - STORY_WINDOW,
            )
            .order_by(Article.id)
        )
        async with self.db.session() as session:
            for article_id, fingerprint, story_id in await session.execute(stmt):
                if fingerprint is not None:
                    self._stories.add(article_id, fingerprint, story_id or article_id)

    async def _apply(self, session: AsyncSession, batch: Sequence[Checked]) -> list[FeedOutcome]:
        ids = [c.ref.id for c in batch]
        feeds = {f.id: f for f in await session.scalars(select(Feed).where(Feed.id.in_(ids)))}
        parsed = [(feeds[c.ref.id], c.parsed) for c in batch if c.parsed and c.ref.id in feeds]
        counts = await self._store_items(session, parsed)
        outcomes = []
        for checked in batch:
            feed = feeds.get(checked.ref.id)
            if feed is None:  # removed while we were fetching
                outcomes.append(FeedOutcome(checked.ref.id, checked.ref.url, "removed"))
            elif checked.error is not None or checked.result is None:
                outcomes.append(await self._apply_failure(session, feed, checked.error))
            else:
                await self._apply_success(session, feed, checked.result, checked.parsed)
                new, duplicates = counts.get(feed.id, (0, 0))
                status = "not_modified" if checked.result.not_modified else "ok"
                outcomes.append(FeedOutcome(feed.id, checked.ref.url, status, new, duplicates))
        return outcomes

    async def _store_items(
        self, session: AsyncSession, parsed: list[tuple[Feed, ParsedFeed]]
    ) -> dict[int, tuple[int, int]]:
        """Insert the items no feed has yet; returns (new, duplicates) per feed id."""
        pairs = [(feed, item) for feed, p in parsed for item in p.items]
        if not pairs:
            return {}
        known = await _known_pairs(session, pairs)
        # Items older than the retention window were (or would at once be) pruned; storing them
        # again would bring deleted articles back as "new" at every pass.
        cutoff = retention_cutoff(self.settings.retention_days, utcnow())
        fresh = [
            (f, i)
            for f, i in pairs
            if (f.id, i.guid) not in known and (cutoff is None or i.published_at >= cutoff)
        ]
        urls = await _existing(session, Article.canonical_url, [i.canonical_url for _, i in fresh])
        hashes = await _existing(session, Article.content_hash, [i.content_hash for _, i in fresh])
        counts: dict[int, tuple[int, int]] = {}
        keep: list[tuple[int, FeedItem]] = []
        for feed, item in fresh:
            new, duplicates = counts.get(feed.id, (0, 0))
            if _seen(item.canonical_url, urls) or _seen(item.content_hash, hashes):
                counts[feed.id] = (new, duplicates + 1)
                continue
            counts[feed.id] = (new + 1, duplicates)
            keep.append((feed.id, item))
        ids = await reserve_ids(session, len(keep))
        now = utcnow()
        session.add_all(
            [
                self._article(id_, feed_id, item, now)
                for id_, (feed_id, item) in zip(ids, keep, strict=True)
            ]
        )
        await session.flush()
        return counts

    def _article(
        self, article_id: int, feed_id: int, item: FeedItem, fetched_at: datetime
    ) -> Article:
        fingerprint = item.simhash
        story = self._stories.find(fingerprint) if fingerprint is not None else None
        story_id = story if story is not None else article_id
        if fingerprint is not None:
            self._stories.add(article_id, fingerprint, story_id)
        values = {
            "id": article_id,
            "feed_id": feed_id,
            "guid": item.guid,
            "url": item.url,
            "canonical_url": item.canonical_url,
            "title": item.title[:TITLE_MAX],
            "author": item.author,
            "published_at": item.published_at,
            "fetched_at": fetched_at,
            "language": item.language,
            "text": item.text,
            "image_url": item.image_url,
            "content_hash": item.content_hash,
            "simhash": fingerprint,
            "story_id": story_id,
        }
        # Unset attributes are stored as NULL all the same; each set costs ORM bookkeeping.
        return Article(**{k: v for k, v in values.items() if v is not None})

    async def _apply_success(
        self, session: AsyncSession, feed: Feed, result: FetchResult, parsed: ParsedFeed | None
    ) -> None:
        now = utcnow()
        headers = result.headers
        if parsed is not None:  # after a 304 the previous warning still describes the content
            _apply_feed_info(feed, parsed)
        if result.moved_to and result.moved_to != feed.url:
            await _move(session, feed, result.moved_to)
        if result.not_modified:  # a 304 may refresh the validators; it never drops them
            feed.etag = headers.get("etag") or feed.etag
            feed.last_modified = headers.get("last-modified") or feed.last_modified
        else:
            feed.etag = (headers.get("etag") or "")[:512] or None
            feed.last_modified = (headers.get("last-modified") or "")[:128] or None
        feed.last_checked_at = now
        feed.last_success_at = now
        feed.error_count = 0
        feed.last_error = None
        feed.next_check_at = next_check(
            now,
            base_minutes=self.settings.fetch_interval_minutes,
            ttl_minutes=feed.ttl_minutes,
            headers=headers,
            rng=self._rng,
        )

    async def _apply_failure(
        self, session: AsyncSession, feed: Feed, exc: BaseException | None
    ) -> FeedOutcome:
        message = describe(exc)
        status = exc.status if isinstance(exc, FetchError) else None
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        now = utcnow()
        feed.error_count += 1
        feed.last_error = message
        feed.last_checked_at = now
        feed.next_check_at = backoff_check(
            now,
            errors=feed.error_count,
            base_minutes=self.settings.fetch_interval_minutes,
            retry_after=retry_after,
            rng=self._rng,
        )
        gone = status == 410
        if gone or feed.error_count >= self.settings.max_feed_errors:
            await self._disable(session, feed, gone=gone)
            return FeedOutcome(feed.id, feed.url, "disabled", error=message)
        return FeedOutcome(feed.id, feed.url, "error", error=message)

    async def _disable(self, session: AsyncSession, feed: Feed, *, gone: bool) -> None:
        feed.disabled = True
        stamp = int(utcnow().timestamp())
        await queue_admin_notice(
            session,
            self.settings,
            f"feed-disabled:{feed.id}:{stamp}",
            "notice.feed_gone" if gone else "notice.feed_disabled",
            name=feed.display_name,
            id=feed.id,
            url=feed.url,
            errors=feed.error_count,
            reason=feed.last_error or "",
        )
        log.warning("feed %s disabled: %s", feed.id, feed.last_error)


def describe(exc: BaseException | None) -> str:
    """A one-line reason for Feed.last_error."""
    if exc is None:
        text = "no answer"
    elif isinstance(exc, FeedError | KabarError):
        text = str(exc)
    elif type(exc).__name__ == "BrokenProcessPool":
        text = "internal error: the worker pool broke (out of memory?)"
    else:
        text = f"internal error: {type(exc).__name__}: {exc}"
    return " ".join(text.split())[:1000] or type(exc).__name__


def _seen(key: str | None, keys: set[str | None]) -> bool:
    """Whether `key` was met before; a new key is remembered (None never matches)."""
    if key is None:
        return False
    if key in keys:
        return True
    keys.add(key)
    return False


async def reserve_ids(session: AsyncSession, n: int) -> list[int]:
    """`n` fresh article ids, so new rows can be inserted in one executemany.

    Without ids the ORM inserts row by row on SQLite to learn each generated key. On SQLite
    the transaction holds the database's write lock (BEGIN IMMEDIATE), so max(id) is stable
    until commit; on PostgreSQL the table's own sequence hands them out.
    """
    if n == 0:
        return []
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        stmt = text(
            "SELECT nextval(pg_get_serial_sequence('articles', 'id')) FROM generate_series(1, :n)"
        )
        return [int(v) for v in await session.scalars(stmt, {"n": n})]
    start = await session.scalar(select(func.coalesce(func.max(Article.id), 0))) or 0
    return list(range(start + 1, start + n + 1))


def _apply_feed_info(feed: Feed, parsed: ParsedFeed) -> None:
    if parsed.title and not feed.title:
        feed.title = parsed.title
    if parsed.site_url and not feed.site_url:
        feed.site_url = parsed.site_url
    feed.ttl_minutes = parsed.ttl_minutes
    feed.last_warning = parsed.warning


async def _move(session: AsyncSession, feed: Feed, new_url: str) -> None:
    """Follow a permanent redirect, unless another feed already has that URL."""
    other = await session.scalar(select(Feed.id).where(Feed.url == new_url, Feed.id != feed.id))
    if other is None:
        log.info("feed %s moved permanently: %s -> %s", feed.id, feed.url, new_url)
        feed.url = new_url
    else:
        note = f"moved permanently to {new_url[:300]}, which is feed {other}"
        feed.last_warning = f"{feed.last_warning}; {note}" if feed.last_warning else note


async def _known_pairs(
    session: AsyncSession, pairs: list[tuple[Feed, FeedItem]]
) -> set[tuple[int, str]]:
    feed_ids = sorted({feed.id for feed, _ in pairs})
    guids = sorted({item.guid for _, item in pairs})
    known: set[tuple[int, str]] = set()
    for start in range(0, len(guids), IN_CHUNK):
        stmt = select(Article.feed_id, Article.guid).where(
            Article.feed_id.in_(feed_ids), Article.guid.in_(guids[start : start + IN_CHUNK])
        )
        known.update((feed_id, guid) for feed_id, guid in await session.execute(stmt))
    return known


async def _existing(
    session: AsyncSession, column: Any, values: Iterable[str | None], *where: Any
) -> set[str | None]:
    wanted = sorted({v for v in values if v})
    found: set[str | None] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        stmt = select(column).where(column.in_(chunk), *where)
        found.update(await session.scalars(stmt))
    return found
