"""Keyword alerts as they happen: new articles matched against saved queries, queued at once."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.callbacks import MuteSource, encode
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.db.models import Alert, Article, Chat, Feed, Outbox, OutboxKind
from kabar.i18n import t
from kabar.latest import view_of
from kabar.outbox import Button, Message, queue_alert
from kabar.render import article_html, clip, plain
from kabar.search import matches
from kabar.state import get_state, set_state

WATERMARK_KEY = "watermark.alerts"
BATCH = 500
MAX_AGE = timedelta(days=2)  # an old article stored late (a new feed's archive) is not news
SUMMARY_WAIT = timedelta(minutes=5)  # how long a new article may wait for its summary
HOUR = timedelta(hours=1)


@dataclass(slots=True)
class DispatchReport:
    """What one pass over newly stored articles did."""

    articles: int = 0
    queued: int = 0
    capped: int = 0  # matches dropped by the per-hour cap


async def dispatch_new(
    db: Database, settings: Settings, pool: Executor | None = None
) -> DispatchReport:
    """Queue an alert for each new article a saved query matches, then move the watermark.

    Articles are read in id order after a watermark kept in app_state, so each is looked at
    once (the outbox key per article and chat makes a repeat harmless anyway). One that has no
    summary yet waits for it, a few minutes at most. Matching (text analysis, CPU work) runs in
    `pool` when given, off the event loop. A chat gets one alert per article however many of
    its queries match, none while paused or unsubscribed, and at most settings.alerts_per_hour
    in any hour. The first pass only sets the watermark: alerts are about news from now on.
    """
    report = DispatchReport()
    mark = await get_state(db, WATERMARK_KEY)
    if mark is None:
        await set_state(db, WATERMARK_KEY, {"article_id": await _last_id(db)})
        return report
    now = utcnow()
    articles = await _new_articles(db, int(mark.get("article_id", 0)), now)
    if not articles:
        return report
    report.articles = len(articles)
    alerts = await _live_alerts(db)
    fresh = [(a, f) for a, f in articles if a.published_at >= now - MAX_AGE]
    if alerts and fresh:
        found = await _match(alerts, [a for a, _ in fresh], pool)
        rows = {article.id: (article, feed) for article, feed in fresh}
        report.queued, report.capped = await _queue(
            db, settings.alerts_per_hour, _by_article_and_chat(alerts, found), rows, now
        )
    await set_state(db, WATERMARK_KEY, {"article_id": articles[-1][0].id})
    return report


async def _match(
    alerts: list[tuple[Alert, Chat]], articles: list[Article], pool: Executor | None
) -> list[tuple[int, int]]:
    """(article id, alert id) for every match."""
    queries = [(alert.id, alert.query) for alert, _ in alerts]
    docs = [(a.id, a.title, a.summary, a.text, a.language) for a in articles]
    if pool is None:
        return match_batch(queries, docs)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, partial(match_batch, queries, docs))


def match_batch(
    queries: list[tuple[int, str]],
    articles: list[tuple[int, str, str | None, str, str | None]],
) -> list[tuple[int, int]]:
    """(article id, alert id) pairs that match; a pure function, so it can run in a pool."""
    found: list[tuple[int, int]] = []
    for article_id, title, summary, text, language in articles:
        fields = {"title": title, "summary": summary, "text": text}
        found.extend(
            (article_id, alert_id)
            for alert_id, query in queries
            if matches(query, fields, language)
        )
    return found


Hits = dict[tuple[int, int], tuple[Chat, list[Alert]]]


def _by_article_and_chat(alerts: list[tuple[Alert, Chat]], found: list[tuple[int, int]]) -> Hits:
    """The matched alerts of each (article, chat): one message each, whatever the count."""
    by_id = {alert.id: (alert, chat) for alert, chat in alerts}
    hits: Hits = {}
    for article_id, alert_id in found:
        alert, chat = by_id[alert_id]
        hits.setdefault((article_id, chat.id), (chat, []))[1].append(alert)
    return hits


async def _queue(
    db: Database, per_hour: int, hits: Hits, rows: dict[int, tuple[Article, Feed]], now: datetime
) -> tuple[int, int]:
    """Queue one alert per matched (article, chat) within each chat's hourly cap;
    returns (queued, capped)."""
    queued = capped = 0
    sent: dict[int, int] = {}
    async with db.transaction() as session:
        for (article_id, chat_id), (chat, matched) in sorted(hits.items()):
            if chat_id not in sent:
                sent[chat_id] = await _sent_last_hour(session, chat_id, now)
            if sent[chat_id] >= per_hour:
                capped += 1
                continue
            article, feed = rows[article_id]
            message = render_alert(chat, article, feed, matched[0].query)
            if await queue_alert(session, chat_id, article_id, message):
                sent[chat_id] += 1
                queued += 1
                await session.execute(
                    update(Alert)
                    .where(Alert.id.in_([a.id for a in matched]))
                    .values(last_matched_at=now)
                )
    return queued, capped


async def _last_id(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.max(Article.id))) or 0)


async def _new_articles(db: Database, after: int, now: datetime) -> list[tuple[Article, Feed]]:
    """Articles after the watermark, in id order, up to the first still waiting for a summary."""
    stmt = (
        select(Article, Feed)
        .join(Feed, Feed.id == Article.feed_id)
        .where(Article.id > after)
        .order_by(Article.id)
        .limit(BATCH)
    )
    async with db.session() as session:
        rows = [(a, f) for a, f in (await session.execute(stmt)).all()]
    ready: list[tuple[Article, Feed]] = []
    for article, feed in rows:
        if article.summary is None and article.fetched_at > now - SUMMARY_WAIT:
            break
        ready.append((article, feed))
    return ready


async def _live_alerts(db: Database) -> list[tuple[Alert, Chat]]:
    """Every alert of a chat that is subscribed and not paused."""
    stmt = (
        select(Alert, Chat)
        .join(Chat, Chat.id == Alert.chat_id)
        .where(Chat.active.is_(True), Chat.paused.is_(False))
    )
    async with db.session() as session:
        return [(a, c) for a, c in (await session.execute(stmt)).all()]


async def _sent_last_hour(session: AsyncSession, chat_id: int, now: datetime) -> int:
    """Alerts queued for the chat in the last hour (sent or on their way)."""
    stmt = (
        select(func.count())
        .select_from(Outbox)
        .where(
            Outbox.chat_id == chat_id,
            Outbox.kind == OutboxKind.ALERT,
            Outbox.created_at > now - HOUR,
        )
    )
    return int(await session.scalar(stmt) or 0)


def render_alert(chat: Chat, article: Article, feed: Feed, query: str) -> Message:
    """The alert as the chat will see it: which alert, the article, and a mute button."""
    language = chat.language
    head = t(language, "alert.header", query=clip(query, 100))
    body = article_html(
        view_of(article, feed),
        language=language,
        zone=chat.timezone,
        sentences=chat.summary_sentences,
    )
    mute = Button(
        plain(t(language, "digest.mute", source=clip(feed.display_name, 24))),
        data=encode(MuteSource(feed.id)),
    )
    return Message(f"{head}\n\n{body}", ((mute,),))
