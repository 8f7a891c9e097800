"""Rows for delivery tests: chats, feeds, articles and subscriptions, written directly."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Feed, Mute, Subscription
from tests.rows import store

_ids = itertools.count(1)


async def chat(db: Database, telegram_id: int | None = None, **values: Any) -> int:
    """A chat; returns Chat.id."""
    row = Chat(
        telegram_id=telegram_id if telegram_id is not None else 10_000 + next(_ids),
        language=values.pop("language", "id"),
        timezone=values.pop("timezone", "Asia/Jakarta"),
        digest_times=values.pop("digest_times", []),
        **values,
    )
    async with db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id


async def chats(db: Database, count: int, *, first_telegram_id: int = 1, **values: Any) -> None:
    """Many private chats at once (telegram ids first_telegram_id, +1, ...)."""
    now = utcnow()
    rows = [
        {
            "telegram_id": first_telegram_id + i,
            "type": values.get("type", "private"),
            "language": values.get("language", "id"),
            "timezone": values.get("timezone", "Asia/Jakarta"),
            "digest_times": values.get("digest_times", []),
            "summary_sentences": 3,
            "active": True,
            "blocked": False,
            "paused": False,
            "onboarded": True,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    async with db.transaction() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Chat.__table__), rows[start : start + 5000])


async def feed(db: Database, name: str, *, topic: str | None = None, language: str = "id") -> int:
    """A feed; returns Feed.id."""
    return await store(
        db,
        Feed(
            url=f"https://{name.lower().replace(' ', '-')}.example/rss",
            name=name,
            topic=topic,
            language=language,
        ),
    )


async def article(
    db: Database,
    feed_id: int,
    title: str,
    *,
    published: datetime | None = None,
    fetched: datetime | None = None,
    story_id: int | None = None,
    summary: str | None = "Ringkasan satu.\nRingkasan dua.",
    language: str = "id",
) -> int:
    """An article; returns Article.id."""
    now = utcnow()
    return await store(
        db,
        Article(
            feed_id=feed_id,
            guid=f"g-{next(_ids)}",
            url=f"https://news.example/{next(_ids)}",
            title=title,
            published_at=published or now - timedelta(hours=1),
            fetched_at=fetched or now - timedelta(minutes=30),
            story_id=story_id,
            summary=summary,
            language=language,
            text="Teks lengkap artikel.",
        ),
    )


async def subscribe(
    db: Database, chat_id: int, *, feed_id: int | None = None, topic: str | None = None
) -> None:
    """The chat follows a feed or a topic."""
    async with db.transaction() as session:
        session.add(Subscription(chat_id=chat_id, feed_id=feed_id, topic=topic))


async def mute(db: Database, chat_id: int, feed_id: int) -> None:
    """The chat mutes a source."""
    async with db.transaction() as session:
        session.add(Mute(chat_id=chat_id, feed_id=feed_id))
