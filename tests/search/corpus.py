"""Helpers that store feeds and articles through the ORM, as ingestion does."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed
from tests.rows import store

_guids = itertools.count(1)
NOW = utcnow().replace(microsecond=0)


async def add_feed(
    db: Database, name: str = "Kabar Test", topic: str | None = None, language: str = "id"
) -> int:
    return await store(
        db,
        Feed(
            url=f"https://example.test/{name}/{next(_guids)}",
            name=name,
            topic=topic,
            language=language,
        ),
    )


async def add_article(
    db: Database,
    feed_id: int,
    title: str,
    text: str = "",
    summary: str | None = None,
    *,
    language: str | None = "id",
    published_at: datetime | None = None,
    age_days: float = 0,
) -> int:
    return await store(
        db,
        Article(
            feed_id=feed_id,
            guid=f"guid-{next(_guids)}",
            url=f"https://example.test/a/{next(_guids)}",
            title=title,
            text=text,
            summary=summary,
            language=language,
            published_at=published_at or NOW - timedelta(days=age_days),
        ),
    )
