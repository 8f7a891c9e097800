"""Digests end to end: ticks over a day and a half across a DST change, then sent and received.

Three subscribers at 06:00/18:00 (Jakarta), 01:30/18:00 (London, whose clocks jump from 01:00 to
02:00 on 29 March 2026, so 01:30 does not exist that night) and 06:00/18:00 (New York). The
tick runs every ten minutes of simulated time, twice each time (two workers), with a "restart"
half-way; then the real sender delivers the outbox to the local Bot API server.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from kabar import digest
from kabar.config import load_settings
from kabar.db import Database
from kabar.db.models import Outbox
from tests.botapi import BotApiServer
from tests.delivery import factory
from tests.delivery.harness import drain

START = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
END = datetime(2026, 3, 29, 20, 0, tzinfo=UTC)
EXPECTED = {
    "jakarta": {"2026-03-29T06:00": "06:00", "2026-03-29T18:00": "18:00"},
    # 01:30 on the night the clocks spring forward fires when they reach 02:00 BST.
    "london": {
        "2026-03-28T18:00": "18:00",
        "2026-03-29T01:30": "02:00",
        "2026-03-29T18:00": "18:00",
    },
    "new_york": {"2026-03-28T18:00": "18:00", "2026-03-29T06:00": "06:00"},
}


async def test_digests_arrive_once_per_local_slot_across_a_dst_change(
    db: Database, botapi_factory: Any
) -> None:
    server: BotApiServer = await botapi_factory()
    feed = await factory.feed(db, "Antara")
    zones = {
        "jakarta": ("Asia/Jakarta", ["06:00", "18:00"]),
        "london": ("Europe/London", ["01:30", "18:00"]),
        "new_york": ("America/New_York", ["06:00", "18:00"]),
    }
    chats: dict[str, tuple[int, int]] = {}
    for name, (zone, times) in zones.items():
        user = server.create_user(name.title())
        chat = await factory.chat(
            db,
            telegram_id=user.id,
            timezone=zone,
            digest_times=times,
            created_at=START - timedelta(days=1),
            last_digest_at=START,
        )
        await factory.subscribe(db, chat, feed_id=feed)
        chats[name] = (chat, user.id)
    settings = load_settings(_env_file=None)
    now = START
    n = 0
    while now <= END:
        if now.minute == 0 and now.hour % 2 == 0:  # news every two hours
            n += 1
            await factory.article(db, feed, f"Kabar ke-{n}", fetched=now, published=now)
        for _ in range(2):  # two workers tick at the same moment
            await digest.run_due(db, settings, now=now)
        now += timedelta(minutes=10)
    async with db.session() as session:
        rows = list(await session.scalars(select(Outbox).order_by(Outbox.id)))
    keys = sorted(r.dedupe_key for r in rows)
    expected_keys = sorted(
        f"digest:{chats[name][0]}:{slot}" for name, slots in EXPECTED.items() for slot in slots
    )
    assert keys == expected_keys
    await drain(server, db)
    for name, slots in EXPECTED.items():
        received = [html.unescape(m.text or "") for m in server.bot_messages(chats[name][1])]
        assert len(received) == len(slots), (name, received)
        shown = [text.splitlines()[0].rsplit(",", 1)[1].split("·")[0].strip() for text in received]
        assert shown == list(slots.values()), (name, shown)
        assert all("Kabar ke-" in text for text in received)
