"""Rows for tests: feeds, articles and chats written through the real database."""

from __future__ import annotations

from datetime import datetime, timedelta

from kabar.chats import ChatRef, register_chat
from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Feed
from tests.rows import store


async def add_feed(
    db: Database,
    name: str,
    *,
    topic: str | None = "nasional",
    region: str | None = None,
    language: str = "id",
    paused: bool = False,
) -> int:
    """A feed row; returns its id."""
    return await store(
        db,
        Feed(
            url=f"http://127.0.0.1/{name.replace(' ', '-').lower()}.xml",
            name=name,
            topic=topic,
            region=region,
            language=language,
            paused=paused,
        ),
    )


async def add_article(
    db: Database,
    feed_id: int,
    title: str,
    *,
    summary: str = "Kalimat pertama.\nKalimat kedua.\nKalimat ketiga.",
    text: str = "",
    url: str | None = None,
    published: datetime | None = None,
    fetched: datetime | None = None,
    language: str = "id",
) -> int:
    """An article row (fetched when published, by default); returns its id."""
    published = published or utcnow() - timedelta(minutes=5)
    return await store(
        db,
        Article(
            feed_id=feed_id,
            guid=f"{feed_id}-{title}-{published.timestamp()}",
            url=url or f"http://127.0.0.1/a/{abs(hash(title))}",
            title=title,
            summary=summary,
            text=text or summary,
            published_at=published,
            fetched_at=fetched or published,
            language=language,
        ),
    )


async def add_chat(db: Database, telegram_id: int, *, language: str = "id") -> Chat:
    """A registered private chat."""
    chat, _ = await register_chat(
        db,
        ChatRef(telegram_id=telegram_id, language_code=language),
        default_language="id",
        default_timezone="Asia/Jakarta",
    )
    return chat
