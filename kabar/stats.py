"""Figures for admins: subscribers, articles, failing feeds and delivery, from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Feed, Outbox, OutboxStatus
from kabar.state import get_state

# Where the sender records the last 429 it got (delivery writes it; None until it has).
LAST_429_KEYS = ("sender.last_429", "outbox.last_429", "last_429")
RATE_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Stats:
    """One snapshot of the figures /stats shows."""

    active: int
    blocked: int
    inactive: int
    paused: int
    articles_today: int
    articles_total: int
    feeds: int
    failing_feeds: int
    outbox_pending: int
    outbox_uncertain: int
    per_minute: float
    last_429: datetime | None


async def _count(db: Database, stmt: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(stmt) or 0)


async def collect(db: Database, *, now: datetime | None = None) -> Stats:
    """Count everything /stats shows; "today" is the last 24 hours."""
    now = now or utcnow()
    chats = select(func.count()).select_from(Chat)
    articles = select(func.count()).select_from(Article)
    feeds = select(func.count()).select_from(Feed)
    outbox = select(func.count()).select_from(Outbox)
    pending = (OutboxStatus.PENDING, OutboxStatus.SENDING)
    sent_recently = await _count(
        db,
        outbox.where(Outbox.status == OutboxStatus.SENT, Outbox.sent_at >= now - RATE_WINDOW),
    )
    return Stats(
        active=await _count(db, chats.where(Chat.active.is_(True))),
        blocked=await _count(db, chats.where(Chat.blocked.is_(True))),
        inactive=await _count(db, chats.where(Chat.active.is_(False), Chat.blocked.is_(False))),
        paused=await _count(db, chats.where(Chat.active.is_(True), Chat.paused.is_(True))),
        articles_today=await _count(db, articles.where(Article.fetched_at >= now - timedelta(1))),
        articles_total=await _count(db, articles),
        feeds=await _count(db, feeds),
        failing_feeds=await _count(
            db, feeds.where((Feed.error_count > 0) | Feed.disabled.is_(True))
        ),
        outbox_pending=await _count(db, outbox.where(Outbox.status.in_(pending))),
        outbox_uncertain=await _count(db, outbox.where(Outbox.status == OutboxStatus.UNCERTAIN)),
        per_minute=sent_recently / (RATE_WINDOW.total_seconds() / 60),
        last_429=await _last_429(db),
    )


async def _last_429(db: Database) -> datetime | None:
    for key in LAST_429_KEYS:
        value = await get_state(db, key)
        if value and isinstance(value.get("at"), str):
            try:
                return datetime.fromisoformat(value["at"])
            except ValueError:
                continue
    return None
