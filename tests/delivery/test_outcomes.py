"""Recording outcomes: sent, retried then dead, uncertain, blocked chats, stopped broadcasts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kabar import broadcast, outbox
from kabar.broadcast import Audience
from kabar.db import Database, utcnow
from kabar.db.models import Broadcast, Chat, Outbox, OutboxKind
from kabar.outbox import Message, NewRow
from kabar.outcomes import Outcome, Result, RetryPolicy, follow_migration, record
from tests.delivery import factory

LEASE = timedelta(seconds=30)
POLICY = RetryPolicy(max_attempts=3, base_seconds=10)


async def _one(
    db: Database, chat_id: int, key: str = "k", kind: OutboxKind = OutboxKind.DIGEST
) -> outbox.Delivery:
    await outbox.enqueue_one(db, NewRow(kind, chat_id, key, Message("hi")))
    [d] = await outbox.claim(db, "me", 1, LEASE)
    return d


async def _row(db: Database, row_id: int) -> Outbox:
    async with db.session() as session:
        row = await session.get(Outbox, row_id)
        assert row is not None
        return row


async def test_sent_rows_keep_telegram_message_id(db: Database) -> None:
    chat = await factory.chat(db)
    d = await _one(db, chat)
    await record(db, [(d, Outcome(Result.SENT, message_id=777))], POLICY)
    row = await _row(db, d.id)
    assert (row.status, row.telegram_message_id, row.attempts) == ("sent", 777, 1)
    assert row.sent_at is not None and row.lease_owner is None


async def test_retries_back_off_then_the_row_is_dead(db: Database) -> None:
    chat = await factory.chat(db)
    d = await _one(db, chat)
    before = utcnow()
    await record(db, [(d, Outcome(Result.RETRY, error="502 Bad Gateway"))], POLICY)
    row = await _row(db, d.id)
    assert row.status == "pending" and row.attempts == 1
    assert row.not_before >= before + timedelta(seconds=8)  # 10 s with jitter
    d.attempts = 2
    await record(db, [(d, Outcome(Result.RETRY, error="502 Bad Gateway"))], POLICY)
    row = await _row(db, d.id)
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "502 Bad Gateway")


async def test_uncertain_rows_are_not_resent(db: Database) -> None:
    chat = await factory.chat(db)
    d = await _one(db, chat)
    await record(db, [(d, Outcome(Result.UNCERTAIN, error="read timeout"))], POLICY)
    assert (await _row(db, d.id)).status == "uncertain"
    assert await outbox.claim(db, "me", 5, LEASE) == []


async def test_a_blocked_chat_is_closed_and_its_queue_cancelled(db: Database) -> None:
    chat = await factory.chat(db)
    other = await factory.chat(db)
    d = await _one(db, chat, "first")
    await outbox.enqueue_one(db, NewRow(OutboxKind.DIGEST, chat, "second", Message("x")))
    await outbox.enqueue_one(db, NewRow(OutboxKind.DIGEST, other, "other", Message("x")))
    effects = await record(
        db, [(d, Outcome(Result.BLOCKED, error="Forbidden: bot was blocked by the user"))], POLICY
    )
    assert effects.closed_chats == {chat}
    async with db.session() as session:
        row = await session.get(Chat, chat)
        assert row is not None and (row.active, row.blocked) == (False, True)
        statuses = {r.dedupe_key: r.status for r in await session.scalars(select(Outbox))}
    assert statuses == {"first": "blocked", "second": "cancelled", "other": "pending"}


async def test_chat_not_found_closes_the_chat_without_calling_it_blocked(db: Database) -> None:
    chat = await factory.chat(db)
    d = await _one(db, chat)
    await record(db, [(d, Outcome(Result.CHAT_GONE, error="Bad Request: chat not found"))], POLICY)
    async with db.session() as session:
        row = await session.get(Chat, chat)
        assert row is not None and (row.active, row.blocked) == (False, False)
    assert (await _row(db, d.id)).status == "failed"


async def test_a_rejected_broadcast_stops_and_its_admin_is_told(db: Database) -> None:
    admin = await factory.chat(db, telegram_id=999, language="en", paused=True)
    await factory.chats(db, 5, first_telegram_id=100)
    bid = await broadcast.create(db, "<b>hi</b>", created_by=999)
    assert await broadcast.queue(db, bid) == 5
    claimed = await outbox.claim(db, "me", 2, LEASE)
    bad = Outcome(Result.REJECTED, error="Bad Request: can't parse entities")
    effects = await record(db, [(claimed[0], bad)], POLICY)
    assert effects.stopped_broadcasts == {bid}
    figures = await broadcast.progress(db, bid)
    assert (figures.status, figures.failed, figures.cancelled, figures.remaining) == (
        "stopped",
        1,
        4,
        0,
    )
    async with db.session() as session:
        notice = await session.scalar(select(Outbox).where(Outbox.kind == "notice"))
        row = await session.get(Broadcast, bid)
    assert notice is not None and notice.chat_id == admin
    assert "stopped" in notice.payload["text"] and "parse entities" in notice.payload["text"]
    assert row is not None and row.last_error == bad.error


async def test_a_chat_specific_400_does_not_stop_the_broadcast(db: Database) -> None:
    await factory.chats(db, 3, first_telegram_id=100)
    bid = await broadcast.create(db, "hi")
    await broadcast.queue(db, bid)
    [d] = await outbox.claim(db, "me", 1, LEASE)
    no_rights = Outcome(Result.REJECTED, error="Bad Request: not enough rights", chat_specific=True)
    effects = await record(db, [(d, no_rights)], POLICY)
    assert effects.stopped_broadcasts == set()
    assert (await broadcast.progress(db, bid)).status == "queued"


async def test_a_migrated_group_keeps_its_settings_under_the_new_id(db: Database) -> None:
    group = await factory.chat(db, telegram_id=-100, type="group")
    assert await follow_migration(db, group, -100123) == group
    async with db.session() as session:
        row = await session.get(Chat, group)
    assert row is not None and (row.telegram_id, row.type) == (-100123, "supergroup")


async def test_a_migration_to_a_chat_we_already_know_moves_to_it(db: Database) -> None:
    old = await factory.chat(db, telegram_id=-200, type="group")
    new = await factory.chat(db, telegram_id=-100200, type="supergroup")
    assert await follow_migration(db, old, -100200) == new
    async with db.session() as session:
        row = await session.get(Chat, old)
    assert row is not None and not row.active


async def test_audiences(db: Database) -> None:
    news = await factory.feed(db, "Ekonomi Harian", topic="ekonomi")
    en = await factory.chat(db, language="en")
    topic = await factory.chat(db)
    by_feed = await factory.chat(db)
    await factory.chat(db, paused=True)
    await factory.chat(db, active=False)
    await factory.subscribe(db, topic, topic="ekonomi")
    await factory.subscribe(db, by_feed, feed_id=news)
    assert await broadcast.count_audience(db, Audience()) == 3
    assert await broadcast.count_audience(db, Audience("language", "en")) == 1
    assert await broadcast.count_audience(db, Audience("topic", "ekonomi")) == 2
    bid = await broadcast.create(db, "x", audience=Audience("topic", "ekonomi"))
    assert await broadcast.queue(db, bid) == 2
    assert await broadcast.queue(db, bid) == 2  # idempotent
    assert en not in {d.chat_id for d in await outbox.claim(db, "me", 10, LEASE)}
