"""Figures for admins: subscribers, articles, failing feeds, and delivery from the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from kabar import outbox
from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Feed


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
    outbox_uncertain: int  # in the last 24 hours
    per_minute: int  # messages sent in the last minute
    sent_today: int
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
    delivery = await outbox.stats(db, now=now)
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
        outbox_pending=delivery.depth.total,
        outbox_uncertain=delivery.uncertain_today,
        per_minute=delivery.per_minute,
        sent_today=delivery.sent_today,
        last_429=_moment((delivery.last_429 or {}).get("at")),
    )


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
