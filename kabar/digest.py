"""Digests: which chats are due, what goes into each, and queueing it once per slot.

A digest at time T, after one at time P, covers the articles Kabar fetched in
(P - SETTLE, T - SETTLE]: windows meet end to end, so each article is in exactly one digest, and
the two-minute shift lets an article being stored right at T land in the next one rather than
in neither. The window (P, T] is encoded in the page buttons, so any page can be rendered again
later from the same window; T is also the time the digest's header shows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kabar import outbox, slots
from kabar.callbacks import DigestPage
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Feed, Mute, OutboxKind, Subscription
from kabar.digest_rank import Candidate, Item, rank
from kabar.digest_render import Page, Style, Window, render_page

log = logging.getLogger(__name__)

SETTLE = timedelta(minutes=2)  # articles stored in the last two minutes wait for the next one
FIRST_WINDOW = timedelta(hours=24)  # a first digest looks back this far
MAX_WINDOW = timedelta(hours=48)  # however long since the last digest
MAX_AGE = timedelta(days=3)  # older articles (a newly added feed's archive) are never news
MAX_CANDIDATES = 600
LEAD_CHARS = 600


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


@dataclass(frozen=True, slots=True)
class Digest:
    """A composed digest: its window, ranked stories, and the page asked for."""

    window: Window
    items: list[Item]
    page: Page | None  # None: nothing new


def _whole(moment: datetime) -> datetime:
    """Whole seconds (the page buttons carry seconds)."""
    return moment.replace(microsecond=0)


def window_for(last_digest_at: datetime | None, until: datetime) -> Window:
    """The window of a digest at `until` after one at `last_digest_at` (nominal times)."""
    until = _whole(until)
    since = until - FIRST_WINDOW if last_digest_at is None else _whole(last_digest_at)
    return Window(max(since, until - MAX_WINDOW), until)


async def load_reader(session: AsyncSession, chat_id: int) -> Reader | None:
    """The chat's digest preferences, or None if there is no such chat."""
    chat = await session.get(Chat, chat_id)
    if chat is None:
        return None
    subs = (
        await session.execute(
            select(Subscription.feed_id, Subscription.topic).where(Subscription.chat_id == chat_id)
        )
    ).all()
    muted = await session.scalars(select(Mute.feed_id).where(Mute.chat_id == chat_id))
    return Reader(
        chat_id=chat.id,
        telegram_id=chat.telegram_id,
        language=chat.language,
        timezone=chat.timezone,
        sentences=chat.summary_sentences,
        feeds=frozenset(s.feed_id for s in subs if s.feed_id is not None),
        topics=frozenset(s.topic for s in subs if s.topic is not None),
        muted=frozenset(muted),
        last_digest_at=chat.last_digest_at,
    )


async def _candidates(session: AsyncSession, reader: Reader, window: Window) -> list[Candidate]:
    if not reader.feeds and not reader.topics:
        return []
    sources = []
    if reader.feeds:
        sources.append(Article.feed_id.in_(reader.feeds))
    if reader.topics:
        sources.append(Feed.topic.in_(reader.topics))
    query = (
        select(
            Article.id,
            Article.feed_id,
            func.coalesce(Feed.name, Feed.title, Feed.url).label("source"),
            Article.title,
            Article.url,
            Article.published_at,
            Article.language,
            Article.summary,
            func.substr(Article.text, 1, LEAD_CHARS).label("lead"),
            Article.story_id,
        )
        .join(Feed, Feed.id == Article.feed_id)
        .where(
            # Both ends shifted back by SETTLE: see the module docstring.
            Article.fetched_at > window.since - SETTLE,
            Article.fetched_at <= window.until - SETTLE,
            Article.published_at >= window.until - MAX_AGE,
            or_(*sources),
        )
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(MAX_CANDIDATES)
    )
    if reader.muted:
        query = query.where(Article.feed_id.not_in(reader.muted))
    rows = (await session.execute(query)).all()
    return [
        Candidate(
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
        for r in rows
    ]


async def _story_sources(session: AsyncSession, story_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(story_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Article.story_id, func.count(func.distinct(Article.feed_id)))
        .where(Article.story_id.in_(ids))
        .group_by(Article.story_id)
    )
    return {int(s): int(n) for s, n in rows if s is not None}


async def compose(
    db: Database, reader: Reader, window: Window, settings: Settings, *, page: int = 0
) -> Digest:
    """The digest of `reader` for `window`, rendered at `page`."""
    async with db.session() as session:
        found = await _candidates(session, reader, window)
        counts = await _story_sources(
            session, (c.story_id for c in found if c.story_id is not None)
        )
    items = rank(
        found,
        now=window.until,
        language=reader.language,
        story_sources=counts,
        limit=settings.digest_max_items,
    )
    if not items:
        return Digest(window, [], None)
    rendered = render_page(items, reader.style(), window, settings.digest_page_items, page)
    return Digest(window, items, rendered)


async def reader_for(db: Database, chat_id: int) -> Reader | None:
    """The Reader of one chat (by Chat.id)."""
    async with db.session() as session:
        return await load_reader(session, chat_id)


# -- scheduled digests -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    """A chat whose digest slot has come."""

    chat_id: int
    slot: slots.Slot


async def due(db: Database, now: datetime, catchup: timedelta) -> list[Due]:
    """Chats with a digest slot in (max(last digest, creation, now - catchup), now]."""
    oldest = now - catchup
    query = (
        select(Chat.id, Chat.timezone, Chat.digest_times, Chat.last_digest_at, Chat.created_at)
        .where(
            Chat.active.is_(True),
            Chat.paused.is_(False),
            Chat.blocked.is_(False),
            cast(Chat.digest_times, String) != "[]",
        )
        .execution_options(yield_per=2000)
    )
    found = []
    async with db.session() as session:
        result = await session.stream(query)
        async for row in result:
            after = max(oldest, row.created_at, row.last_digest_at or oldest)
            slot = slots.latest_due(row.digest_times or [], row.timezone, now, after=after)
            if slot is not None:
                found.append(Due(row.id, slot))
    return found


@dataclass(slots=True)
class TickReport:
    """What one digest tick did."""

    due: int = 0
    queued: int = 0
    empty: int = 0
    skipped: int = 0  # handled meanwhile by someone else
    left: int = 0  # not reached within the time budget; next tick


async def queue_slot(db: Database, item: Due, settings: Settings) -> str:
    """Compose and queue one chat's digest for one slot; "queued", "empty" or "skipped"."""
    reader = await reader_for(db, item.chat_id)
    if reader is None:
        return "skipped"
    digest = await compose(db, reader, window_for(reader.last_digest_at, item.slot.at), settings)
    async with db.transaction() as session:
        # The guard: a slot is handled once, whoever gets here first (ticks in two processes).
        claimed = await session.execute(
            update(Chat)
            .where(
                Chat.id == item.chat_id,
                or_(Chat.last_digest_at.is_(None), Chat.last_digest_at < item.slot.at),
            )
            .values(last_digest_at=item.slot.at)
        )
        if not getattr(claimed, "rowcount", 0):
            return "skipped"
        if digest.page is None:
            return "empty"
        message = outbox.Message(digest.page.text, digest.page.buttons)
        new = await outbox.enqueue(
            session,
            [
                outbox.NewRow(
                    OutboxKind.DIGEST,
                    item.chat_id,
                    outbox.digest_key(item.chat_id, item.slot.key),
                    message,
                )
            ],
        )
        return "queued" if new else "skipped"


async def run_due(
    db: Database, settings: Settings, *, now: datetime | None = None, budget: float = 50.0
) -> TickReport:
    """One tick: queue the digest of every chat whose slot has come (within `budget` seconds)."""
    now = now or utcnow()
    started = time.monotonic()
    report = TickReport()
    found = await due(db, now, timedelta(minutes=settings.digest_catchup_minutes))
    report.due = len(found)
    for index, item in enumerate(found):
        if time.monotonic() - started > budget:
            report.left = len(found) - index
            break
        outcome = await queue_slot(db, item, settings)
        setattr(report, outcome, getattr(report, outcome) + 1)
    if report.due:
        log.info(
            "digest tick: %d due, %d queued, %d empty, %d skipped, %d left",
            report.due,
            report.queued,
            report.empty,
            report.skipped,
            report.left,
        )
    return report


# -- on demand, paging, preview ----------------------------------------------------------------


async def on_demand(
    db: Database, chat_id: int, settings: Settings, *, now: datetime | None = None
) -> Digest | None:
    """The digest for /digest: news since the last one up to now; None for an unknown chat.

    When it has news, it counts as the chat's latest digest (the next scheduled one starts here).
    """
    now = _whole(now or utcnow())
    reader = await reader_for(db, chat_id)
    if reader is None:
        return None
    digest = await compose(db, reader, window_for(reader.last_digest_at, now), settings)
    if digest.page is not None:
        async with db.transaction() as session:
            await session.execute(
                update(Chat)
                .where(
                    Chat.id == chat_id,
                    or_(Chat.last_digest_at.is_(None), Chat.last_digest_at < now),
                )
                .values(last_digest_at=now)
            )
    return digest


async def page(db: Database, chat_id: int, button: DigestPage, settings: Settings) -> Page | None:
    """Another page of a digest this chat received (the page buttons); None if it is gone."""
    reader = await reader_for(db, chat_id)
    if reader is None:
        return None
    window = Window(button.since.astimezone(UTC), button.until.astimezone(UTC))
    digest = await compose(db, reader, window, settings, page=button.page)
    return digest.page


async def preview(
    db: Database, chat_id: int, settings: Settings, *, now: datetime | None = None
) -> list[Page]:
    """Every page of the digest `chat_id` would get now, without recording anything."""
    now = _whole(now or utcnow())
    reader = await reader_for(db, chat_id)
    if reader is None:
        return []
    window = window_for(reader.last_digest_at, now)
    first = await compose(db, reader, window, settings)
    if first.page is None:
        return []
    pages = [first.page]
    style = reader.style()
    for number in range(1, first.page.count):
        rendered = render_page(first.items, style, window, settings.digest_page_items, number)
        if rendered is not None:
            pages.append(rendered)
    return pages
