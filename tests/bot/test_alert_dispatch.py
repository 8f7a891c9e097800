"""New articles matched against saved alerts: queued once, only for live chats, within the cap."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from kabar import alerts, chats
from kabar.alert_dispatch import dispatch_new
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.db.models import Article, Outbox, OutboxKind
from tests.bot.factories import add_article, add_chat, add_feed


def _settings(per_hour: int = 10) -> Settings:
    return Settings(_env_file=None, alerts_per_hour=per_hour)  # type: ignore[call-arg]


async def _rows(db: Database) -> list[Outbox]:
    async with db.session() as session:
        return list(
            (await session.scalars(select(Outbox).where(Outbox.kind == OutboxKind.ALERT))).all()
        )


async def _ready(db: Database) -> int:
    """A chat with alerts, a feed, and the watermark set by a first pass."""
    await add_chat(db, 1, language="en")
    await alerts.add_alert(db, 1, 'banjir "jakarta utara" -hoaks')
    await alerts.add_alert(db, 1, "banjir")
    feed = await add_feed(db, "Kompas")
    await add_article(db, feed, "Banjir di Bandung kemarin")  # before the watermark: not news
    report = await dispatch_new(db, _settings())
    assert report.queued == 0
    return feed


async def test_a_matching_article_is_queued_once_per_chat(db: Database) -> None:
    feed = await _ready(db)
    await add_article(
        db, feed, "Banjir rendam Jakarta Utara", summary="Air naik.\nWarga mengungsi."
    )
    await add_article(db, feed, "Harga beras naik")
    report = await dispatch_new(db, _settings())
    assert (report.articles, report.queued) == (2, 1)  # two alerts matched: one message
    (row,) = await _rows(db)
    text = row.payload["text"]
    assert "Banjir rendam Jakarta Utara" in text and "banjir" in text and "Air naik." in text
    assert row.payload["buttons"][0][0]["data"] == f"mu:{feed}"
    assert (await dispatch_new(db, _settings())).queued == 0  # the watermark moved on
    saved = await alerts.list_alerts(db, 1)
    assert all(a.last_matched_at is not None for a in saved)


async def test_exclusions_paused_and_stopped_chats(db: Database) -> None:
    feed = await _ready(db)
    await add_chat(db, 2)
    await alerts.add_alert(db, 2, "banjir -hoaks")
    await add_article(db, feed, "Hoaks banjir beredar", summary="Kabar bohong.")
    await chats.set_paused(db, 1, True)
    report = await dispatch_new(db, _settings())
    assert report.queued == 0  # chat 1 paused, chat 2 excludes "hoaks"
    await chats.set_paused(db, 1, False)
    await chats.stop_chat(db, 1)
    await add_article(db, feed, "Banjir lagi", summary="Air naik.")
    report = await dispatch_new(db, _settings())
    assert report.queued == 1  # only chat 2: chat 1 unsubscribed
    (row,) = await _rows(db)
    chat2 = await chats.get_chat(db, 2)
    assert chat2 is not None and row.chat_id == chat2.id


async def test_the_hourly_cap(db: Database) -> None:
    feed = await _ready(db)
    for n in range(3):
        await add_article(db, feed, f"Banjir nomor {n}")
    report = await dispatch_new(db, _settings(per_hour=2))
    assert (report.queued, report.capped) == (2, 1)
    await add_article(db, feed, "Banjir nomor 4")
    assert (await dispatch_new(db, _settings(per_hour=2))).capped == 1


async def test_articles_wait_for_their_summary_and_old_ones_are_skipped(db: Database) -> None:
    feed = await _ready(db)
    article_id = await add_article(db, feed, "Banjir menunggu ringkasan", fetched=utcnow())
    async with db.transaction() as session:
        article = await session.get(Article, article_id)
        assert article is not None
        article.summary = None
    await add_article(db, feed, "Banjir sesudahnya")
    assert (await dispatch_new(db, _settings())).articles == 0  # both wait behind the first
    async with db.transaction() as session:
        article = await session.get(Article, article_id)
        assert article is not None
        article.summary = "Sudah diringkas."
    old = utcnow() - timedelta(days=5)
    await add_article(db, feed, "Banjir lama sekali", published=old, fetched=utcnow())
    with ThreadPoolExecutor(1) as pool:  # the executor path (a process pool in production)
        report = await dispatch_new(db, _settings(), pool)
    assert (report.articles, report.queued) == (3, 2)  # the five-day-old one is not news
