"""Retention: old articles and finished deliveries go, the search index follows, the rest stays."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Outbox, OutboxStatus
from kabar.retention import prune, retention_cutoff
from kabar.search import search
from tests.search.corpus import add_article, add_feed


async def _outbox(db: Database, status: str, age_days: int, key: str) -> None:
    async with db.transaction() as session:
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == 7))
        if chat is None:
            chat = Chat(telegram_id=7, digest_times=[])
            session.add(chat)
            await session.flush()
        session.add(
            Outbox(
                dedupe_key=key,
                kind="digest",
                priority=3,
                chat_id=chat.id,
                status=status,
                created_at=utcnow() - timedelta(days=age_days),
            )
        )


async def test_prune_removes_only_what_is_past_the_window(db: Database) -> None:
    feed = await add_feed(db)
    old = await add_article(db, feed, "Banjir lama di Jakarta", age_days=100)
    fresh = await add_article(db, feed, "Banjir baru di Jakarta", age_days=2)
    await _outbox(db, OutboxStatus.SENT, 40, "old-sent")
    await _outbox(db, OutboxStatus.PENDING, 40, "old-pending")
    await _outbox(db, OutboxStatus.SENT, 5, "new-sent")

    pruned = await prune(db, retention_days=90, now=utcnow())

    assert (pruned.articles, pruned.outbox) == (1, 1)
    async with db.session() as session:
        ids = set(await session.scalars(select(Article.id)))
        keys = set(await session.scalars(select(Outbox.dedupe_key)))
    assert ids == {fresh}
    assert keys == {"old-pending", "new-sent"}  # a pending row is never dropped, however old
    page = await search(db, "banjir")
    assert [hit.article_id for hit in page.items] == [fresh]
    assert old not in [hit.article_id for hit in page.items]


async def test_zero_days_keeps_every_article(db: Database) -> None:
    feed = await add_feed(db)
    await add_article(db, feed, "Arsip sangat lama", age_days=4000)
    pruned = await prune(db, retention_days=0, now=utcnow())
    assert pruned.articles == 0
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Article)) == 1
    assert retention_cutoff(0, utcnow()) is None


async def test_prune_works_in_batches(db: Database, monkeypatch: object) -> None:
    import kabar.retention

    feed = await add_feed(db)
    for i in range(7):
        await add_article(db, feed, f"Berita {i}", age_days=200)
    monkeypatch.setattr(kabar.retention, "BATCH", 3)  # type: ignore[attr-defined]
    assert (await prune(db, retention_days=30, now=utcnow())).articles == 7
