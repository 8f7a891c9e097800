"""Broadcasts: text checked, progress figures, cancel, and the final report; the sender lease."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from kabar import broadcast, leader, outbox
from kabar.db import Database, utcnow
from kabar.db.models import Outbox
from kabar.errors import DeliveryError
from kabar.outcomes import Outcome, Result, RetryPolicy, record
from tests.delivery import factory

LEASE = timedelta(seconds=30)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("<b>open", "never closed"),
        ("<script>x</script>", "not allowed"),
        ("<a>no href</a>", "href"),
        ("x" * 4097, "4097"),
        ("😀" * 2049, "4098"),  # emoji count twice, as Telegram counts them
    ],
)
async def test_text_telegram_would_refuse_is_refused_up_front(
    db: Database, text: str, problem: str
) -> None:
    with pytest.raises(DeliveryError, match=problem):
        await broadcast.create(db, text)


async def test_progress_cancel_and_report(db: Database) -> None:
    admin = await factory.chat(db, telegram_id=555, language="id", paused=True)
    await factory.chats(db, 10, first_telegram_id=100)
    bid = await broadcast.create(db, "<b>Halo</b> &amp; selamat", created_by=555)
    assert (await broadcast.progress(db, bid)).status == "draft"
    await broadcast.queue(db, bid)
    claimed = await outbox.claim(db, "me", 4, LEASE)
    outcomes = [
        Outcome(Result.SENT, message_id=1),
        Outcome(Result.SENT, message_id=2),
        Outcome(Result.BLOCKED, error="Forbidden: bot was blocked by the user"),
        Outcome(Result.UNCERTAIN, error="read timeout"),
    ]
    await record(db, list(zip(claimed, outcomes, strict=True)), RetryPolicy())
    await broadcast.finalize(db)
    p = await broadcast.progress(db, bid)
    assert (p.status, p.total, p.sent, p.blocked, p.uncertain, p.remaining) == (
        "running",
        10,
        2,
        1,
        1,
        6,
    )
    assert p.rate > 0 and p.eta_seconds is not None
    text = broadcast.render_progress("en", p)
    assert "Sent: 2 of 10" in text and "Blocked: 1" in text and "Remaining: 6" in text
    assert await broadcast.cancel(db, bid)
    assert not await broadcast.cancel(db, bid)
    p = await broadcast.progress(db, bid)
    assert (p.status, p.cancelled, p.remaining) == ("cancelled", 6, 0)
    assert "dibatalkan" in broadcast.render_report("id", p)
    assert admin


async def test_a_finished_broadcast_is_done_and_reported_once(db: Database) -> None:
    admin = await factory.chat(db, telegram_id=555, language="en", paused=True)
    await factory.chats(db, 3, first_telegram_id=100)
    bid = await broadcast.create(db, "hello", created_by=555)
    await broadcast.queue(db, bid)
    claimed = await outbox.claim(db, "me", 10, LEASE)
    await record(db, [(d, Outcome(Result.SENT, message_id=d.id)) for d in claimed], RetryPolicy())
    [report] = await broadcast.finalize(db)
    assert (report.status, report.sent, report.remaining) == ("done", 3, 0)
    assert await broadcast.finalize(db) == []
    async with db.session() as session:
        notices = list(await session.scalars(select(Outbox).where(Outbox.kind == "notice")))
    assert len(notices) == 1 and notices[0].chat_id == admin
    assert "Broadcast finished" in notices[0].payload["text"]
    assert "Sent: 3 of 3" in notices[0].payload["text"]


async def test_one_sender_at_a_time(db: Database) -> None:
    lease = timedelta(seconds=5)
    assert await leader.acquire(db, "host-a:1:x", lease)
    assert not await leader.acquire(db, "host-b:2:y", lease)
    assert await leader.acquire(db, "host-a:1:x", lease)  # renewal
    assert await leader.holder(db) == "host-a:1:x"
    later = utcnow() + timedelta(seconds=6)
    assert await leader.acquire(db, "host-b:2:y", lease, now=later)  # expired: taken over
    await leader.release(db, "host-b:2:y")
    assert await leader.holder(db) is None


async def test_a_dead_sender_on_this_host_is_replaced_at_once(db: Database) -> None:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await proc.wait()
    dead = f"{socket.gethostname()[:32]}:{proc.pid}:dead"
    alive = f"{socket.gethostname()[:32]}:{os.getpid()}:live"
    assert await leader.acquire(db, alive, timedelta(seconds=60))
    assert not await leader.acquire(db, "other:1:z", timedelta(seconds=60))
    await leader.release(db, alive)
    assert await leader.acquire(db, dead, timedelta(seconds=60))
    assert await leader.acquire(db, alive, timedelta(seconds=60))
