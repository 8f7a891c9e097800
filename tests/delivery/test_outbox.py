"""The outbox table: unique keys, claims in priority order under a lease, and leases expiring."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from kabar import outbox
from kabar.db import Database, utcnow
from kabar.db.models import Chat, Outbox, OutboxKind, OutboxStatus
from kabar.outbox import Message, NewRow
from tests.delivery import factory

LEASE = timedelta(seconds=30)


async def _queue(db: Database, chat_id: int, kind: OutboxKind, key: str, **kw: object) -> bool:
    return await outbox.enqueue_one(db, NewRow(kind, chat_id, key, Message(f"text {key}"), **kw))  # type: ignore[arg-type]


async def _statuses(db: Database) -> dict[str, int]:
    async with db.session() as session:
        rows = await session.execute(select(Outbox.status, func.count()).group_by(Outbox.status))
        return {str(k): int(v) for k, v in rows}


async def test_a_key_is_queued_once(db: Database) -> None:
    chat = await factory.chat(db)
    key = outbox.digest_key(chat, "2026-03-10T06:00")
    assert await _queue(db, chat, OutboxKind.DIGEST, key)
    assert not await _queue(db, chat, OutboxKind.DIGEST, key)
    async with db.transaction() as session:
        rows = [NewRow(OutboxKind.ALERT, chat, outbox.alert_key(a, chat)) for a in (1, 2, 1)]
        assert await outbox.enqueue(session, rows) == 2
    assert (await _statuses(db)) == {"pending": 3}


async def test_claims_come_most_urgent_first_and_respect_not_before(db: Database) -> None:
    chat = await factory.chat(db)
    for n in range(3):
        await _queue(db, chat, OutboxKind.BROADCAST, f"b{n}")
    await _queue(db, chat, OutboxKind.DIGEST, "d")
    await _queue(db, chat, OutboxKind.ALERT, "a")
    await _queue(db, chat, OutboxKind.REPLY, "later", not_before=utcnow() + timedelta(hours=1))
    claimed = await outbox.claim(db, "me", 10, LEASE)
    assert [d.kind for d in claimed] == ["alert", "digest", "broadcast", "broadcast", "broadcast"]
    assert all(d.text == "" and d.payload["text"].startswith("text") for d in claimed)
    assert await outbox.claim(db, "me", 10, LEASE) == []  # all taken; the reply is not due


async def test_concurrent_claimers_never_share_a_row(db: Database) -> None:
    await factory.chats(db, 50)
    async with db.session() as session:
        ids = list(await session.scalars(select(Chat.id)))
    async with db.transaction() as session:
        await outbox.enqueue(
            session, [NewRow(OutboxKind.BROADCAST, i, f"k{i}", Message("x")) for i in ids]
        )
    other = Database(db.url)  # a second process
    try:
        results = await asyncio.gather(
            *(outbox.claim(d, f"owner{n}", 7, LEASE) for n, d in enumerate([db, other] * 5))
        )
    finally:
        await other.dispose()
    claimed = [d.id for batch in results for d in batch]
    assert len(claimed) == len(set(claimed)) == 50


async def test_expired_leases_are_taken_up_again(db: Database) -> None:
    chat = await factory.chat(db)
    for n in range(4):
        await _queue(db, chat, OutboxKind.DIGEST, f"d{n}")
    first = await outbox.claim(db, "dead", 2, timedelta(seconds=5))
    assert len(first) == 2
    assert await outbox.reclaim(db) == 0  # not expired yet
    assert await outbox.renew(db, "someone-else", [d.id for d in first], LEASE) == 0
    assert await outbox.reclaim(db, now=utcnow() + timedelta(seconds=6)) == 2
    again = await outbox.claim(db, "alive", 10, LEASE)
    assert {d.id for d in first} <= {d.id for d in again}


async def test_a_new_sole_sender_takes_over_every_other_senders_rows(db: Database) -> None:
    chat = await factory.chat(db)
    for n in range(3):
        await _queue(db, chat, OutboxKind.DIGEST, f"d{n}")
    mine = await outbox.claim(db, "me", 1, LEASE)
    await outbox.claim(db, "crashed", 2, LEASE)
    assert await outbox.reclaim(db, not_owner="me") == 2
    assert await outbox.renew(db, "me", [d.id for d in mine], LEASE) == 1


async def test_release_gives_rows_back_with_a_later_time(db: Database) -> None:
    chat = await factory.chat(db)
    await _queue(db, chat, OutboxKind.DIGEST, "d")
    [row] = await outbox.claim(db, "me", 1, LEASE)
    await outbox.release(db, "me", [row.id], not_before=utcnow() + timedelta(seconds=60))
    assert await outbox.claim(db, "me", 1, LEASE) == []
    assert (await _statuses(db)) == {"pending": 1}


async def test_a_stopping_sender_gives_back_all_it_holds_but_what_is_in_flight(
    db: Database,
) -> None:
    chat = await factory.chat(db)
    for n in range(5):
        await _queue(db, chat, OutboxKind.BROADCAST, f"b{n}")
    # "me" claimed three rows but, stopped mid-claim, knows only the first as in flight.
    in_flight, *_unseen = await outbox.claim(db, "me", 3, LEASE)
    await outbox.claim(db, "other", 2, LEASE)
    await outbox.release_owned(db, "me", keep=[in_flight.id])
    assert (await _statuses(db)) == {"pending": 2, "sending": 3}
    async with db.session() as session:
        rows = await session.execute(
            select(Outbox.id, Outbox.lease_owner).where(Outbox.status == OutboxStatus.SENDING)
        )
        owners = {row.id: row.lease_owner for row in rows}
    assert owners[in_flight.id] == "me"
    assert sorted(owners.values()) == ["me", "other", "other"]


async def test_rows_of_a_chat_that_left_are_cancelled_when_claimed(db: Database) -> None:
    gone = await factory.chat(db, active=False)
    here = await factory.chat(db)
    await _queue(db, gone, OutboxKind.DIGEST, "gone")
    await _queue(db, here, OutboxKind.DIGEST, "here")
    claimed = await outbox.claim(db, "me", 10, LEASE)
    assert [d.chat_id for d in claimed] == [here]
    assert (await _statuses(db)) == {"cancelled": 1, "sending": 1}


async def test_depth_and_sent_counts(db: Database) -> None:
    chat = await factory.chat(db)
    await _queue(db, chat, OutboxKind.DIGEST, "d")
    await _queue(db, chat, OutboxKind.BROADCAST, "b")
    depth = await outbox.depth(db)
    assert depth.by_kind == {"digest": 1, "broadcast": 1} and depth.total == 2
    assert await outbox.sent_since(db, utcnow() - timedelta(minutes=1)) == 0
    assert OutboxStatus.SENT == "sent"


async def test_an_alert_is_queued_once_per_article_and_chat(db: Database) -> None:
    chat = await factory.chat(db)
    feed = await factory.feed(db, "Antara")
    article = await factory.article(db, feed, "Gempa")
    async with db.transaction() as session:
        assert await outbox.queue_alert(session, chat, article, Message("Gempa!"))
        assert not await outbox.queue_alert(session, chat, article, Message("Gempa lagi!"))
    [row] = await outbox.claim(db, "me", 5, LEASE)
    assert (row.kind, row.payload["text"]) == ("alert", "Gempa!")
