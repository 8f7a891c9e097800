"""Digests from the database: sources and topics, one story once, mutes, windows, slots once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kabar import callbacks, digest
from kabar.config import Settings, load_settings
from kabar.db import Database
from kabar.db.models import Chat, Outbox
from kabar.slots import Slot
from tests.delivery import factory

# 06:00:30 in Jakarta on Tuesday 10 March 2026.
NOW = datetime(2026, 3, 9, 23, 0, 30, tzinfo=UTC)
SLOT_AT = datetime(2026, 3, 9, 23, 0, tzinfo=UTC)


def cfg(**values: object) -> Settings:
    return load_settings(_env_file=None, **values)


async def _setup(db: Database) -> dict[str, int]:
    ids = {
        "kompas": await factory.feed(db, "Kompas", topic="nasional"),
        "tempo": await factory.feed(db, "Tempo", topic="nasional"),
        "bisnis": await factory.feed(db, "Bisnis", topic="ekonomi"),
        "bola": await factory.feed(db, "Bola", topic="olahraga"),
    }
    created = NOW - timedelta(days=3)
    ids["chat"] = await factory.chat(
        db, digest_times=["06:00"], created_at=created, last_digest_at=NOW - timedelta(days=1)
    )
    await factory.subscribe(db, ids["chat"], feed_id=ids["kompas"])
    await factory.subscribe(db, ids["chat"], feed_id=ids["tempo"])
    await factory.subscribe(db, ids["chat"], topic="ekonomi")
    return ids


def hours_ago(h: float) -> datetime:
    return NOW - timedelta(hours=h)


async def test_a_digest_takes_its_sources_and_topics_and_each_story_once(db: Database) -> None:
    ids = await _setup(db)
    await factory.article(
        db,
        ids["kompas"],
        "Banjir di Jakarta",
        published=hours_ago(5),
        fetched=hours_ago(4),
        story_id=1,
    )
    await factory.article(
        db,
        ids["tempo"],
        "Jakarta kebanjiran",
        published=hours_ago(4.5),
        fetched=hours_ago(4),
        story_id=1,
    )
    await factory.article(
        db,
        ids["bola"],
        "Banjir di stadion",
        published=hours_ago(4),
        fetched=hours_ago(4),
        story_id=1,
    )  # not followed, counts as a source
    await factory.article(
        db, ids["bisnis"], "Rupiah menguat", published=hours_ago(1), fetched=hours_ago(1)
    )
    await factory.article(
        db, ids["bola"], "Skor akhir", published=hours_ago(1), fetched=hours_ago(1)
    )  # topic not followed
    await factory.article(
        db, ids["kompas"], "Kemarin", published=hours_ago(30), fetched=hours_ago(26)
    )  # in the previous digest
    reader = await digest.reader_for(db, ids["chat"])
    assert reader is not None
    result = await digest.compose(db, reader, digest.window_for(reader.last_digest_at, NOW), cfg())
    titles = [i.main.title for i in result.items]
    # Three sources carry the flood story: it outranks a fresher single-source story.
    assert titles == ["Banjir di Jakarta", "Rupiah menguat"]
    flood = result.items[0]
    assert flood.sources == 3
    assert [a.source for a in flood.also] == ["Tempo"]
    assert result.page is not None
    assert "Juga di:" in result.page.text and "Tempo" in result.page.text
    assert "Skor akhir" not in result.page.text and "Kemarin" not in result.page.text


async def test_muted_sources_are_left_out(db: Database) -> None:
    ids = await _setup(db)
    await factory.article(db, ids["kompas"], "Dari Kompas", fetched=hours_ago(2))
    await factory.article(db, ids["tempo"], "Dari Tempo", fetched=hours_ago(2))
    await factory.mute(db, ids["chat"], ids["kompas"])
    reader = await digest.reader_for(db, ids["chat"])
    assert reader is not None
    result = await digest.compose(db, reader, digest.window_for(reader.last_digest_at, NOW), cfg())
    assert [i.main.title for i in result.items] == ["Dari Tempo"]


async def test_the_slot_is_queued_once_and_nothing_new_sends_nothing(db: Database) -> None:
    ids = await _setup(db)
    await factory.article(
        db, ids["kompas"], "Berita pagi", fetched=hours_ago(3), published=hours_ago(3)
    )
    settings = cfg()
    first = await digest.run_due(db, settings, now=NOW)
    assert (first.due, first.queued) == (1, 1)
    again = await digest.run_due(db, settings, now=NOW + timedelta(minutes=1))
    assert again.due == 0  # handled: the chat's last digest is now this slot
    async with db.session() as session:
        rows = list(await session.scalars(select(Outbox)))
        chat = await session.get(Chat, ids["chat"])
    assert [r.dedupe_key for r in rows] == [f"digest:{ids['chat']}:2026-03-10T06:00"]
    assert "Berita pagi" in rows[0].payload["text"]
    assert chat is not None and chat.last_digest_at == SLOT_AT
    # Even a tick that still thinks the slot is due (a second process) cannot queue it again.
    slot = Slot("2026-03-10T06:00", SLOT_AT)
    assert await digest.queue_slot(db, digest.Due(ids["chat"], slot), settings) == "skipped"
    # The next day, nothing new: nothing queued, the slot is still marked handled.
    tomorrow = NOW + timedelta(days=1)
    report = await digest.run_due(db, settings, now=tomorrow)
    assert (report.due, report.queued, report.empty) == (1, 0, 1)


async def test_only_chats_whose_local_hour_it_is_are_due(db: Database) -> None:
    feed = await factory.feed(db, "Antara")
    zones: dict[str, int] = {}
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):
        zones[zone] = await factory.chat(
            db, timezone=zone, digest_times=["06:00"], created_at=NOW - timedelta(days=2)
        )
        await factory.subscribe(db, zones[zone], feed_id=feed)
    await factory.chat(db, digest_times=["06:00"], paused=True, created_at=NOW - timedelta(days=2))
    await factory.chat(db, digest_times=["06:00"], created_at=NOW)  # joined after the slot
    found = await digest.due(db, NOW, timedelta(minutes=60))
    assert [d.chat_id for d in found] == [zones["Asia/Jakarta"]]
    # Two hours earlier it was 06:00 in Jayapura (UTC+9), an hour earlier in Makassar.
    earlier = await digest.due(db, NOW - timedelta(hours=2), timedelta(minutes=60))
    assert [d.chat_id for d in earlier] == [zones["Asia/Jayapura"]]


async def _on_demand(
    db: Database, chat_id: int, settings: Settings, now: datetime
) -> digest.Digest | None:
    """/digest's two steps: compose, then record."""
    composed = await digest.compose_now(db, chat_id, settings, now=now)
    if composed is not None:
        await digest.record_now(db, chat_id, composed)
    return composed


async def test_on_demand_moves_the_window_and_pages_render_later(db: Database) -> None:
    ids = await _setup(db)
    for n in range(20):
        await factory.article(
            db, ids["tempo"], f"Berita {n}", fetched=hours_ago(2), published=hours_ago(2 + n / 10)
        )
    settings = cfg(KABAR_DIGEST_PAGE_ITEMS=8)
    result = await _on_demand(db, ids["chat"], settings, NOW)
    assert result is not None and result.page is not None and result.page.count == 3
    nav = result.page.buttons[-1][-1]
    button = callbacks.decode(nav.data)
    assert isinstance(button, callbacks.DigestPage) and button.page == 1
    second = await digest.page(db, ids["chat"], button, settings)
    assert second is not None and second.index == 1 and "Berita 8" in second.text
    async with db.session() as session:
        chat = await session.get(Chat, ids["chat"])
    assert chat is not None and chat.last_digest_at == NOW.replace(microsecond=0)
    # Right after, there is nothing new.
    empty = await _on_demand(db, ids["chat"], settings, NOW + timedelta(minutes=5))
    assert empty is not None and empty.page is None


async def test_preview_shows_every_page_without_recording(db: Database) -> None:
    ids = await _setup(db)
    for n in range(10):
        await factory.article(db, ids["kompas"], f"Kabar {n}", fetched=hours_ago(1))
    settings = cfg(KABAR_DIGEST_PAGE_ITEMS=4)
    pages = await digest.preview(db, ids["chat"], settings, now=NOW)
    assert [p.index for p in pages] == [0, 1, 2]
    again = await digest.preview(db, ids["chat"], settings, now=NOW)
    assert [p.text for p in again] == [p.text for p in pages]
