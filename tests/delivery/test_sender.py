"""The real sender against the local Bot API server enforcing Telegram's limits, with faults."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from kabar import broadcast, leader, outbox
from kabar.db import Database, utcnow
from kabar.db.models import Broadcast, Chat, Outbox, OutboxKind
from kabar.outbox import Message, NewRow
from kabar.outcomes import RetryPolicy
from tests.botapi import BotApiServer, LimitConfig
from tests.delivery import factory
from tests.delivery.harness import drain, running, statuses, telegram_chats, wait_for

FAST_RETRY = RetryPolicy(max_attempts=8, base_seconds=0.05)


async def _server(botapi_factory: Any, **limits: Any) -> BotApiServer:
    config = LimitConfig(enabled=True, **limits)
    server: BotApiServer = await botapi_factory(limits=config, auto_users=True)
    return server


async def _broadcast(
    db: Database, count: int, *, first: int = 1000, text: str = "Halo semua"
) -> int:
    await factory.chats(db, count, first_telegram_id=first)
    bid = await broadcast.create(db, text)
    await broadcast.queue(db, bid)
    return bid


def _per_chat(server: BotApiServer, telegram_ids: list[int]) -> list[int]:
    return [len(server.bot_messages(t)) if t in server.api.world.chats else 0 for t in telegram_ids]


async def test_at_the_limit_no_429_and_each_chat_gets_its_message_once(
    db: Database, botapi_factory: Any
) -> None:
    # The server allows 150/s with bursts of 10 (Telegram tolerates more), one a second per chat.
    server = await _server(botapi_factory, global_rate=150, global_burst=10, chat_burst=1)
    await _broadcast(db, 300)
    # Several messages to one chat and to one group exercise the per-chat pacing too.
    chat = await factory.chat(db, telegram_id=5)
    group_chat = server.create_group("Grup")
    group = await factory.chat(db, telegram_id=group_chat.id, type="group")
    server.create_user("Lima", id=5)
    for n in range(3):
        for target in (chat, group):
            await outbox.enqueue_one(
                db, NewRow(OutboxKind.NOTICE, target, f"n{target}-{n}", Message(f"pesan {n}"))
            )
    sender = await drain(server, db, KABAR_SEND_RATE=150)
    assert server.counters.too_many_requests == 0, server.counters.too_many_by_scope
    assert await statuses(db) == {"sent": 306}
    ids = sorted((await telegram_chats(db)).values())
    assert _per_chat(server, [i for i in ids if i not in (5, group_chat.id)]) == [1] * 300
    assert len(server.bot_messages(5)) == 3 and len(server.bot_messages(group_chat.id)) == 3
    # One chat never got two messages within a second.
    times = [e.message.date for e in server.journal if e.kind == "sent" and e.chat_id == 5]
    assert times == sorted(times) and times[-1] - times[0] >= 2
    assert sender.dispatcher.counters.sent == 306


async def test_a_429_storm_is_waited_out_and_nothing_is_lost_or_doubled(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory, global_rate=1000, global_burst=50)
    await _broadcast(db, 120)
    server.add_fault("too_many", retry_after=1, method="sendMessage", times=None, fraction=0.15)
    async with running(server, db, KABAR_SEND_RATE=300, retry=FAST_RETRY) as sender:
        await asyncio.sleep(0.5)
        server.flood(1.5, retry_after=1)  # then a global flood on top

        async def done() -> bool:
            return (await statuses(db)).get("sent") == 120

        server.api.faults.remove()
        await wait_for(done, 30, "every row sent")
        counters = sender.dispatcher.counters
    ids = sorted((await telegram_chats(db)).values())
    assert _per_chat(server, ids) == [1] * 120
    assert server.counters.too_many_requests >= 1
    assert counters.rate_limited == server.counters.too_many_requests
    # Each 429 paused everyone for retry_after: no hammering through the storm.
    assert counters.global_pauses == counters.rate_limited
    assert server.counters.too_many_requests < 20
    figures = await outbox.stats(db)
    assert figures.last_429 is not None and figures.last_429["scope"] == "global"
    assert figures.depth.total == 0 and figures.sent_today == 120


async def test_5xx_bursts_are_retried_with_backoff_and_delivered_once(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory, global_rate=1000, global_burst=50)
    await _broadcast(db, 60)
    server.add_fault("server_error", method="sendMessage", times=5)
    server.add_fault("bad_gateway", method="sendMessage", times=3)
    server.add_fault(action="drop", method="sendMessage", times=2)  # reset before processing
    sender = await drain(server, db, KABAR_SEND_RATE=300, retry=FAST_RETRY)
    assert await statuses(db) == {"sent": 60}
    assert _per_chat(server, sorted((await telegram_chats(db)).values())) == [1] * 60
    assert sender.dispatcher.counters.retried == 10


async def test_a_row_that_keeps_failing_is_dead_after_the_limit(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory)
    await _broadcast(db, 3, first=2000)
    server.add_fault("server_error", method="sendMessage", chat_id=2001, times=None)
    retry = RetryPolicy(max_attempts=3, base_seconds=0.02)
    await drain(server, db, retry=retry)
    async with db.session() as session:
        dead = await session.scalar(select(Outbox).where(Outbox.status == "dead"))
    assert (
        dead is not None
        and dead.attempts == 3
        and "Internal Server Error" in (dead.last_error or "")
    )
    assert await statuses(db) == {"sent": 2, "dead": 1}


async def test_timeouts_after_the_request_went_out_are_uncertain_not_resent(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory)
    await _broadcast(db, 10, first=3000)
    # Delivered, but the answer comes after the client gave up: must not be sent twice.
    server.add_fault(action="delay_after", seconds=1.5, chat_id=3001, times=1)
    # Never processed and the connection hangs: the client cannot know; recorded, not resent.
    server.add_fault(action="hang", seconds=1.5, chat_id=3002, times=1)
    # Slow but within the timeout: simply delivered.
    server.add_fault(action="delay", seconds=0.2, chat_id=3003, times=1)
    await drain(server, db, KABAR_SEND_TIMEOUT=0.5, retry=FAST_RETRY)
    assert await statuses(db) == {"sent": 8, "uncertain": 2}
    assert len(server.bot_messages(3001)) == 1  # delivered once, never resent
    assert len(server.bot_messages(3003)) == 1
    assert 3002 not in server.api.world.chats or not server.bot_messages(3002)
    async with db.session() as session:
        uncertain = list(await session.scalars(select(Outbox).where(Outbox.status == "uncertain")))
    assert all("no answer in time" in (r.last_error or "") for r in uncertain)


async def test_blocked_deactivated_and_kicked_chats_are_deactivated(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory)
    blocked = server.create_user("B")
    gone = server.create_user("D")
    kicked = server.create_group("G")
    fine = server.create_user("F")
    server.simulator.block(blocked.user)
    gone.user.deactivated = True
    server.simulator.set_bot_status(kicked.chat, fine.user, "kicked")
    ids = {}
    for name, tid, kind in (
        ("b", blocked.id, "private"),
        ("d", gone.id, "private"),
        ("k", kicked.id, "group"),
        ("f", fine.id, "private"),
    ):
        ids[name] = await factory.chat(db, telegram_id=tid, type=kind)
        for n in range(2):
            await outbox.enqueue_one(
                db, NewRow(OutboxKind.DIGEST, ids[name], f"{name}{n}", Message("x"))
            )
    await drain(server, db)
    async with db.session() as session:
        chats = {c.id: c for c in await session.scalars(select(Chat))}
        rows = {r.dedupe_key: r.status for r in await session.scalars(select(Outbox))}
    for name in ("b", "d", "k"):
        assert (chats[ids[name]].active, chats[ids[name]].blocked) == (False, True)
        # The first row is blocked; the chat's second row was cancelled, never tried.
        assert sorted((rows[f"{name}0"], rows[f"{name}1"])) == ["blocked", "cancelled"]
    assert chats[ids["f"]].active and rows["f0"] == rows["f1"] == "sent"
    assert server.counters.responses[403] == 3


async def test_chat_not_found_deactivates_the_chat(db: Database, botapi_factory: Any) -> None:
    server: BotApiServer = await botapi_factory(auto_users=False)
    ghost = await factory.chat(db, telegram_id=-987654)
    await outbox.enqueue_one(db, NewRow(OutboxKind.DIGEST, ghost, "g", Message("x")))
    await drain(server, db)
    async with db.session() as session:
        chat = await session.get(Chat, ghost)
    assert chat is not None and (chat.active, chat.blocked) == (False, False)
    assert await statuses(db) == {"failed": 1}


async def test_a_migrated_group_is_followed(db: Database, botapi_factory: Any) -> None:
    server: BotApiServer = await botapi_factory()
    creator = server.create_user("Pak RT")
    old = server.create_group("Warga", creator=creator)
    new = server.simulator.migrate(old.chat, creator.user)
    chat = await factory.chat(db, telegram_id=old.id, type="group")
    for n in range(2):
        await outbox.enqueue_one(
            db, NewRow(OutboxKind.DIGEST, chat, f"m{n}", Message(f"berita {n}"))
        )
    sender = await drain(server, db)
    async with db.session() as session:
        row = await session.get(Chat, chat)
    assert row is not None and row.telegram_id == new.id and row.active
    assert [m.text for m in server.bot_messages(new.id)] == ["berita 0", "berita 1"]
    assert await statuses(db) == {"sent": 2}
    assert sender.dispatcher.counters.migrated == 1


async def test_a_broadcast_telegram_rejects_is_stopped_and_the_admin_told(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory)
    admin_user = server.create_user("Admin", id=777, language_code="en")
    await factory.chat(db, telegram_id=admin_user.id, language="en", paused=True)
    bid = await _broadcast(db, 50, first=4000)
    async with db.transaction() as session:
        row = await session.get(Broadcast, bid)
        assert row is not None
        row.created_by = admin_user.id
    # The first copy is refused for its content: the other 49 would be too.
    server.add_fault(
        code=400,
        description="Bad Request: can't parse entities: unclosed tag",
        method="sendMessage",
        times=1,
    )
    await drain(server, db, KABAR_SEND_RATE=20)
    p = await broadcast.progress(db, bid)
    assert p.status == "stopped" and "parse entities" in (p.last_error or "")
    assert p.sent == 0 and p.failed == 1 and p.cancelled == 49
    [notice] = server.bot_messages(admin_user.id)
    assert "Broadcast stopped" in (notice.text or "")


async def test_a_digest_is_not_held_up_by_a_broadcast(db: Database, botapi_factory: Any) -> None:
    server = await _server(botapi_factory, global_rate=40, global_burst=5)
    await _broadcast(db, 200, first=5000)
    reader = await factory.chat(db, telegram_id=9)
    server.create_user("Pembaca", id=9)
    async with running(server, db, KABAR_SEND_RATE=40):
        await asyncio.sleep(1.0)
        queued_at = utcnow()
        await outbox.enqueue_one(
            db, NewRow(OutboxKind.DIGEST, reader, "digest", Message("<b>Kabar pagi</b>"))
        )

        async def delivered() -> bool:
            return bool(server.bot_messages(9))

        await wait_for(delivered, 10, "the digest")
        waited = (utcnow() - queued_at).total_seconds()
        sent_before = server.counters.sent
    # Behind 150-odd broadcast messages, the digest still went out within a couple of seconds.
    assert waited < 3.0
    assert sent_before < 150


async def test_paid_broadcasts_are_sent_with_allow_paid_broadcast(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory, global_rate=30, global_burst=5, paid_rate=1000)
    await _broadcast(db, 100, first=6000)
    await drain(server, db, KABAR_SEND_RATE=400, KABAR_PAID_BROADCAST=True)
    assert server.counters.sent_paid == 100
    assert server.counters.too_many_requests == 0


async def test_a_clean_stop_gives_back_every_row_and_the_lease(
    db: Database, botapi_factory: Any
) -> None:
    server = await _server(botapi_factory, global_rate=50, global_burst=5)
    await _broadcast(db, 300, first=7000)
    async with running(server, db, KABAR_SEND_RATE=50):
        await asyncio.sleep(1.0)
    left = await statuses(db)
    assert "sending" not in left and left["sent"] + left["pending"] == 300
    assert 20 <= left["sent"] <= 120
    assert await leader.holder(db) is None
    # The next sender (another process, say) picks up where this one stopped.
    await drain(server, db, KABAR_SEND_RATE=50)
    assert _per_chat(server, sorted((await telegram_chats(db)).values())) == [1] * 300


async def test_two_workers_never_send_at_once(db: Database, botapi_factory: Any) -> None:
    # Two processes both running the sender (say `kabar run` and `kabar run --role worker`):
    # each pacing at the full rate would together exceed it, so only the lease holder sends.
    server = await _server(botapi_factory, global_rate=100, global_burst=10)
    await _broadcast(db, 150, first=8000)
    other = Database(db.url)
    try:
        async with running(server, db, KABAR_SEND_RATE=100) as first:
            await asyncio.sleep(0.3)
            async with running(server, other, KABAR_SEND_RATE=100) as second:

                async def done() -> bool:
                    return (await statuses(db)).get("sent") == 150

                await wait_for(done, 30, "every row sent")
                assert first.dispatcher.leading and not second.dispatcher.leading
        assert (first.dispatcher.counters.sent, second.dispatcher.counters.sent) == (150, 0)
        assert server.counters.too_many_requests == 0
    finally:
        await other.dispose()


async def test_admin_notices_reach_admins_who_are_not_subscribers(
    db: Database, botapi_factory: Any
) -> None:
    """An admin without /start gets an inactive placeholder chat: notices yes, news no."""
    from kabar.config import load_settings
    from kabar.notices import queue_admin_notice

    server = await _server(botapi_factory)
    admin = server.create_user("Admin", id=4242, language_code="id")
    settings = load_settings(database_url=db.url, admins="4242")
    async with db.transaction() as session:
        await queue_admin_notice(
            session, settings, "feed-gone:1", "notice.feed_gone", name="Contoh", id=1, url="u"
        )
    async with db.session() as session:
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == 4242))
    assert chat is not None and not chat.active
    assert await broadcast.count_audience(db, broadcast.Audience()) == 0
    await drain(server, db)
    [notice] = server.bot_messages(admin.id)
    assert "Contoh" in (notice.text or "")
    assert await statuses(db) == {"sent": 1}
