"""Where a digest's articles come from: each reader's sources, and the pool of recent articles.

A tick composes thousands of digests from the same few hundred recent articles, so it loads them
once (a Pool, by feed and fetch time) with the readers' preferences in batches, and picks each
chat's candidates in memory. A single digest (/digest, a page button, a preview) uses the same
code with a pool narrowed to that chat's feeds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar import slots
from kabar.db.models import Article, Chat, Feed, Mute, Subscription
from kabar.digest_rank import Candidate
from kabar.digest_render import Style, Window

SETTLE = timedelta(minutes=2)  # articles stored in the last two minutes wait for the next one
MAX_AGE = timedelta(days=3)  # older articles (a newly added feed's archive) are never news
MAX_CANDIDATES = 600  # per digest, newest first
LEAD_CHARS = 600
_IN_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True, slots=True)
class Reader:
    """A chat as digests see it: where its news comes from and how it reads."""

    chat_id: int
    telegram_id: int
    language: str
    timezone: str
    sentences: int
    feeds: frozenset[int]
    topics: frozenset[str]
    muted: frozenset[int]
    last_digest_at: datetime | None

    def style(self) -> Style:
        """Language, zone and summary length."""
        zone = slots.zone(self.timezone) or slots.zone("UTC")
        assert zone is not None
        return Style(self.language, zone, self.sentences)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


async def load_readers(session: AsyncSession, chat_ids: Sequence[int]) -> dict[int, Reader]:
    """The Reader of each chat in `chat_ids` that exists (three queries per 500 chats)."""
    readers: dict[int, Reader] = {}
    for ids in _chunks(list(chat_ids)):
        feeds: dict[int, set[int]] = defaultdict(set)
        topics: dict[int, set[str]] = defaultdict(set)
        subs = await session.execute(
            select(Subscription.chat_id, Subscription.feed_id, Subscription.topic).where(
                Subscription.chat_id.in_(ids)
            )
        )
        for chat_id, feed_id, topic in subs:
            if feed_id is not None:
                feeds[chat_id].add(feed_id)
            if topic is not None:
                topics[chat_id].add(topic)
        muted: dict[int, set[int]] = defaultdict(set)
        for chat_id, feed_id in await session.execute(
            select(Mute.chat_id, Mute.feed_id).where(Mute.chat_id.in_(ids))
        ):
            muted[chat_id].add(feed_id)
        chats = await session.execute(
            select(
                Chat.id,
                Chat.telegram_id,
                Chat.language,
                Chat.timezone,
                Chat.summary_sentences,
                Chat.last_digest_at,
            ).where(Chat.id.in_(ids))
        )
        for c in chats:
            readers[c.id] = Reader(
                chat_id=c.id,
                telegram_id=c.telegram_id,
                language=c.language,
                timezone=c.timezone,
                sentences=c.summary_sentences,
                feeds=frozenset(feeds[c.id]),
                topics=frozenset(topics[c.id]),
                muted=frozenset(muted[c.id]),
                last_digest_at=c.last_digest_at,
            )
    return readers


def cut(window: Window) -> tuple[datetime, datetime]:
    """The fetch times a window covers: (since - SETTLE, until - SETTLE]."""
    return window.since - SETTLE, window.until - SETTLE


@dataclass
class Pool:
    """Articles fetched in (low, high], by feed in fetch order, with every feed's topic."""

    low: datetime
    high: datetime
    by_feed: dict[int, list[tuple[datetime, Candidate]]] = field(default_factory=dict)
    topics: dict[str, frozenset[int]] = field(default_factory=dict)
    stories: dict[int, int] = field(default_factory=dict)  # story -> sources carrying it

    def covers(self, low: datetime, high: datetime) -> bool:
        """Whether every article fetched in (low, high] is here."""
        return self.low <= low and high <= self.high

    def feeds_of(self, reader: Reader) -> set[int]:
        """The reader's sources: its feeds and its topics' feeds, minus the muted ones."""
        feeds = set(reader.feeds)
        for topic in reader.topics:
            feeds |= self.topics.get(topic, frozenset())
        return feeds - reader.muted

    def pick(self, reader: Reader, window: Window) -> list[Candidate]:
        """The reader's candidates for `window`, newest first, at most MAX_CANDIDATES."""
        low, high = cut(window)
        floor = window.until - MAX_AGE
        found: list[Candidate] = []
        for feed_id in self.feeds_of(reader):
            items = self.by_feed.get(feed_id)
            if not items:
                continue
            start = bisect_right(items, low, key=lambda pair: pair[0])
            stop = bisect_right(items, high, key=lambda pair: pair[0])
            found.extend(c for _, c in items[start:stop] if c.published_at >= floor)
        found.sort(key=lambda c: (c.published_at, c.article_id), reverse=True)
        return found[:MAX_CANDIDATES]


async def load_pool(
    session: AsyncSession,
    low: datetime,
    high: datetime,
    *,
    only_for: Iterable[Reader] | None = None,
) -> Pool:
    """Every article fetched in (low, high]; with `only_for`, just those readers' sources."""
    pool = Pool(low, high)
    topics: dict[str, set[int]] = defaultdict(set)
    for feed_id, topic in await session.execute(
        select(Feed.id, Feed.topic).where(Feed.topic.is_not(None))
    ):
        if topic is not None:
            topics[topic].add(feed_id)
    pool.topics = {t: frozenset(ids) for t, ids in topics.items()}
    query = (
        select(
            Article.id,
            Article.feed_id,
            func.coalesce(Feed.name, Feed.title, Feed.url).label("source"),
            Article.title,
            Article.url,
            Article.published_at,
            Article.fetched_at,
            Article.language,
            Article.summary,
            # The text's start is shown only when there is no summary: do not carry it otherwise.
            case(
                (Article.summary.is_(None), func.substr(Article.text, 1, LEAD_CHARS)), else_=""
            ).label("lead"),
            Article.story_id,
        )
        .join(Feed, Feed.id == Article.feed_id)
        .where(
            Article.fetched_at > low,
            Article.fetched_at <= high,
            Article.published_at >= low - MAX_AGE,  # pick() applies each window's own floor
        )
        .order_by(Article.fetched_at, Article.id)
    )
    if only_for is not None:
        wanted: set[int] = set()
        for reader in only_for:
            wanted |= pool.feeds_of(reader)
        if not wanted:
            return pool
        query = query.where(Article.feed_id.in_(wanted))
    by_feed: dict[int, list[tuple[datetime, Candidate]]] = defaultdict(list)
    for r in await session.execute(query):
        candidate = Candidate(
            article_id=r.id,
            feed_id=r.feed_id,
            source=r.source,
            title=r.title or "",
            url=r.url,
            published_at=r.published_at,
            language=r.language,
            summary=r.summary,
            lead=r.lead or "",
            story_id=r.story_id,
        )
        by_feed[r.feed_id].append((r.fetched_at, candidate))
    pool.by_feed = dict(by_feed)
    stories = sorted({c.story_id for items in by_feed.values() for _, c in items if c.story_id})
    pool.stories = await _story_sources(session, stories)
    return pool


async def _story_sources(session: AsyncSession, story_ids: Sequence[int]) -> dict[int, int]:
    """How many feeds carry each story (over all stored articles)."""
    counts: dict[int, int] = {}
    for ids in _chunks(story_ids):
        rows = await session.execute(
            select(Article.story_id, func.count(func.distinct(Article.feed_id)))
            .where(Article.story_id.in_(ids))
            .group_by(Article.story_id)
        )
        counts.update({int(s): int(n) for s, n in rows if s is not None})
    return counts
