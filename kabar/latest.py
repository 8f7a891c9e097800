"""The newest articles for a chat (its topics and sources) or for one topic: /latest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed
from kabar.render import ArticleView
from kabar.subscriptions import following

DEFAULT_WINDOW = timedelta(hours=24)


def view_of(article: Article, feed: Feed) -> ArticleView:
    """The message-ready view of an article row and its feed."""
    return ArticleView(
        id=article.id,
        feed_id=article.feed_id,
        title=article.title,
        url=article.url or article.canonical_url,
        source=feed.display_name,
        published_at=article.published_at,
        summary=article.summary or "",
        language=article.language,
    )


async def _newest(
    db: Database, where: Sequence[ColumnElement[bool]], limit: int, since: datetime
) -> list[ArticleView]:
    stmt = (
        select(Article, Feed)
        .join(Feed, Feed.id == Article.feed_id)
        .where(Article.published_at >= since, *where)
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit * 3)
    )
    async with db.session() as session:
        rows = (await session.execute(stmt)).all()
    seen: set[int | str] = set()
    views: list[ArticleView] = []
    for article, feed in rows:
        # The same story from several sources: show it once.
        key: int | str = article.story_id or article.content_hash or article.id
        if key in seen:
            continue
        seen.add(key)
        views.append(view_of(article, feed))
        if len(views) == limit:
            break
    return views


async def latest_for_chat(
    db: Database, telegram_id: int, *, limit: int = 8, window: timedelta = DEFAULT_WINDOW
) -> list[ArticleView]:
    """The newest articles from what the chat follows (everything if it follows nothing),
    leaving out muted sources."""
    follows = await following(db, telegram_id)
    where: list[ColumnElement[bool]] = []
    if not follows.empty:
        where.append(Feed.topic.in_(follows.topics) | Article.feed_id.in_(follows.feed_ids))
    if follows.muted:
        where.append(Article.feed_id.not_in(follows.muted))
    return await _newest(db, where, limit, utcnow() - window)


async def latest_everywhere(
    db: Database, *, limit: int = 8, window: timedelta = DEFAULT_WINDOW
) -> list[ArticleView]:
    """The newest articles from every source."""
    return await _newest(db, [], limit, utcnow() - window)


async def latest_for_topic(
    db: Database, topic: str, *, limit: int = 8, window: timedelta = DEFAULT_WINDOW
) -> list[ArticleView]:
    """The newest articles of one topic."""
    return await _newest(db, [Feed.topic == topic], limit, utcnow() - window)
