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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, or_, select, update

from kabar import outbox, slots
from kabar.callbacks import DigestPage
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.db.models import Chat, OutboxKind
from kabar.digest_rank import Item, rank
from kabar.digest_render import Page, Window, render_page
from kabar.digest_source import Pool, Reader, cut, load_pool, load_readers

log = logging.getLogger(__name__)

FIRST_WINDOW = timedelta(hours=24)  # a first digest looks back this far
MAX_WINDOW = timedelta(hours=48)  # however long since the last digest
BATCH = 200  # chats composed and written together by a tick


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


def compose_from(
    pool: Pool, reader: Reader, window: Window, settings: Settings, *, page: int = 0
) -> Digest:
    """The digest of `reader` for `window` from an already loaded pool, rendered at `page`."""
    items = rank(
        pool.pick(reader, window),
        now=window.until,
        language=reader.language,
        story_sources=pool.stories,
        limit=settings.digest_max_items,
    )
    if not items:
        return Digest(window, [], None)
    rendered = render_page(items, reader.style(), window, settings.digest_page_items, page)
    return Digest(window, items, rendered)


async def compose(
    db: Database, reader: Reader, window: Window, settings: Settings, *, page: int = 0
) -> Digest:
    """The digest of one reader for `window`, rendered at `page`."""
    low, high = cut(window)
    async with db.session() as session:
        pool = await load_pool(session, low, high, only_for=[reader])
    return compose_from(pool, reader, window, settings, page=page)


async def reader_for(db: Database, chat_id: int) -> Reader | None:
    """The Reader of one chat (by Chat.id)."""
    async with db.session() as session:
        return (await load_readers(session, [chat_id])).get(chat_id)


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
    # Thousands of chats share a handful of (zone, times) settings: work their slots out once.
    recent: dict[tuple[str, tuple[str, ...]], list[slots.Slot]] = {}
    async with db.session() as session:
        result = await session.stream(query)
        async for row in result:
            key = (row.timezone, tuple(row.digest_times or ()))
            latest = recent.get(key)
            if latest is None:
                latest = recent[key] = slots.recent(key[1], key[0], now)
            after = max(oldest, row.created_at, row.last_digest_at or oldest)
            slot = slots.first_after(latest, after)
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

    def add(self, other: TickReport) -> None:
        """Add another batch's counts."""
        self.queued += other.queued
        self.empty += other.empty
        self.skipped += other.skipped


class PoolCache:
    """The articles a tick composes from, loaded once and widened when a batch needs more.

    It also remembers digests: chats with the same sources, window and reading style get the
    same digest, and many subscribers follow the same few topics.
    """

    def __init__(self) -> None:
        self.pool: Pool | None = None
        self.digests: dict[tuple[object, ...], Digest] = {}

    def compose(self, reader: Reader, window: Window, settings: Settings) -> Digest:
        """compose_from on the current pool, remembered by everything the digest depends on."""
        assert self.pool is not None
        key = (
            frozenset(self.pool.feeds_of(reader)),
            window,
            reader.language,
            reader.timezone,
            reader.sentences,
        )
        found = self.digests.get(key)
        if found is None:
            found = self.digests[key] = compose_from(self.pool, reader, window, settings)
        return found

    async def get(self, db: Database, low: datetime, high: datetime) -> Pool:
        """A pool covering (low, high]."""
        if self.pool is None or not self.pool.covers(low, high):
            if self.pool is not None:
                low, high = min(low, self.pool.low), max(high, self.pool.high)
            async with db.session() as session:
                self.pool = await load_pool(session, low, high)
            self.digests.clear()
        return self.pool


async def queue_slots(
    db: Database, items: list[Due], settings: Settings, cache: PoolCache | None = None
) -> TickReport:
    """Compose and queue the digests of a batch of due chats; one transaction for all."""
    report = TickReport()
    async with db.session() as session:
        readers = await load_readers(session, [i.chat_id for i in items])
    work = [(i, readers[i.chat_id]) for i in items if i.chat_id in readers]
    report.skipped += len(items) - len(work)
    if not work:
        return report
    windows = {i.chat_id: window_for(r.last_digest_at, i.slot.at) for i, r in work}
    low = min(cut(w)[0] for w in windows.values())
    high = max(cut(w)[1] for w in windows.values())
    cache = cache or PoolCache()
    await cache.get(db, low, high)
    digests = {i.chat_id: cache.compose(r, windows[i.chat_id], settings) for i, r in work}
    rows: list[outbox.NewRow] = []
    async with db.transaction() as session:
        for item, _ in work:
            # The guard: a slot is handled once, whoever gets here first (two workers' ticks).
            claimed = await session.execute(
                update(Chat)
                .where(
                    Chat.id == item.chat_id,
                    or_(Chat.last_digest_at.is_(None), Chat.last_digest_at < item.slot.at),
                )
                .values(last_digest_at=item.slot.at)
            )
            page = digests[item.chat_id].page
            if not getattr(claimed, "rowcount", 0):
                report.skipped += 1
            elif page is None:
                report.empty += 1
            else:
                key = outbox.digest_key(item.chat_id, item.slot.key)
                message = outbox.Message(page.text, page.buttons)
                rows.append(outbox.NewRow(OutboxKind.DIGEST, item.chat_id, key, message))
        new = await outbox.enqueue(session, rows)
    report.queued += new
    report.skipped += len(rows) - new
    return report


async def queue_slot(db: Database, item: Due, settings: Settings) -> str:
    """Compose and queue one chat's digest for one slot; "queued", "empty" or "skipped"."""
    report = await queue_slots(db, [item], settings)
    return "queued" if report.queued else "empty" if report.empty else "skipped"


async def run_due(
    db: Database, settings: Settings, *, now: datetime | None = None, budget: float = 50.0
) -> TickReport:
    """One tick: queue the digest of every chat whose slot has come (within `budget` seconds)."""
    now = now or utcnow()
    started = time.monotonic()
    report = TickReport()
    found = await due(db, now, timedelta(minutes=settings.digest_catchup_minutes))
    report.due = len(found)
    cache = PoolCache()
    for start in range(0, len(found), BATCH):
        if time.monotonic() - started > budget:
            report.left = len(found) - start
            break
        report.add(await queue_slots(db, found[start : start + BATCH], settings, cache))
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


# /digest comes in two steps so its reply never waits for the database's write lock (an ingest
# pass may hold it): compose what is new, reply, and only then record it as the chat's latest.


async def compose_now(
    db: Database, chat_id: int, settings: Settings, *, now: datetime | None = None
) -> Digest | None:
    """The digest for /digest: news since the last one up to now; None for an unknown chat."""
    now = _whole(now or utcnow())
    reader = await reader_for(db, chat_id)
    if reader is None:
        return None
    return await compose(db, reader, window_for(reader.last_digest_at, now), settings)


async def record_now(db: Database, chat_id: int, composed: Digest) -> None:
    """A digest that had news counts as the chat's latest (the next scheduled one starts there);
    the mark never moves back."""
    if composed.page is None:
        return
    until = composed.window.until
    async with db.transaction() as session:
        await session.execute(
            update(Chat)
            .where(
                Chat.id == chat_id,
                or_(Chat.last_digest_at.is_(None), Chat.last_digest_at < until),
            )
            .values(last_digest_at=until)
        )


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
