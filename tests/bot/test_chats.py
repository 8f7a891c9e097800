"""Chat settings: times, zones, languages, stop and start, and migration to a supergroup."""

from __future__ import annotations

import pytest

from kabar import chats, subscriptions
from kabar.chats import ChatRef, parse_time, pick_language, resolve_timezone
from kabar.db import Database
from kabar.errors import InvalidInputError, NotFoundError
from tests.bot.factories import add_chat, add_feed


@pytest.mark.parametrize(
    ("typed", "slot"),
    [
        ("6", "06:00"),
        ("06:30", "06:30"),
        ("6.30", "06:30"),
        ("0630", "06:30"),
        (" 23:59 ", "23:59"),
        ("7h15", "07:15"),
    ],
)
def test_parse_time_accepts_what_people_type(typed: str, slot: str) -> None:
    assert parse_time(typed) == slot


@pytest.mark.parametrize("typed", ["", "24:00", "12:60", "noon", "12:3", "1:2:3", "9" * 50, "-1"])
def test_parse_time_refuses_nonsense_with_a_message_key(typed: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_time(typed)
    assert err.value.key == "settings.time_invalid"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("WIB", "Asia/Jakarta"),
        ("wita", "Asia/Makassar"),
        ("WIT", "Asia/Jayapura"),
        ("europe/london", "Europe/London"),
        ("Tokyo", "Asia/Tokyo"),
        ("new york", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_resolve_timezone(typed: str, zone: str) -> None:
    assert resolve_timezone(typed) == zone


@pytest.mark.parametrize("typed", ["Mars/Olympus", "", "<b>", "Asia"])
def test_resolve_timezone_refuses_unknown_zones(typed: str) -> None:
    with pytest.raises(InvalidInputError):
        resolve_timezone(typed)


def test_pick_language() -> None:
    assert pick_language("en-GB", "id") == "en"
    assert pick_language("in", "en") == "id"
    assert pick_language("de", "en") == "en"
    assert pick_language(None, "id") == "id"


async def test_digest_slots_toggle_sorted_and_capped(db: Database) -> None:
    await add_chat(db, 1)
    await chats.toggle_digest_time(db, 1, "18:00")
    chat = await chats.toggle_digest_time(db, 1, "6")
    assert chat.digest_times == ["06:00", "18:00"]
    chat = await chats.toggle_digest_time(db, 1, "18:00")
    assert chat.digest_times == ["06:00"]
    for hour in range(1, 6):
        await chats.add_digest_time(db, 1, f"{hour + 10}:00")
    with pytest.raises(InvalidInputError) as err:
        await chats.add_digest_time(db, 1, "23:00")
    assert err.value.key == "settings.times_full"
    chat = await chats.add_digest_time(db, 1, "06:00")  # already there: no change, no error
    assert len(chat.digest_times) == chats.MAX_DIGEST_SLOTS


async def test_settings_of_an_unknown_chat_are_not_found(db: Database) -> None:
    with pytest.raises(NotFoundError):
        await chats.set_language(db, 404, "en")


async def test_stop_then_start_brings_the_same_settings_back(db: Database) -> None:
    await add_chat(db, 7)
    feed = await add_feed(db, "Kompas")
    await chats.set_timezone(db, 7, "WITA")
    await chats.toggle_digest_time(db, 7, "07:00")
    await chats.set_language(db, 7, "en")
    await subscriptions.toggle_source(db, 7, feed)
    stopped = await chats.stop_chat(db, 7)
    assert stopped is not None and not stopped.active
    chat, created = await chats.register_chat(
        db, ChatRef(7, language_code="id"), default_language="id", default_timezone="Asia/Jakarta"
    )
    assert not created and chat.active
    assert (chat.language, chat.timezone, chat.digest_times) == ("en", "Asia/Makassar", ["07:00"])
    assert (await subscriptions.following(db, 7)).feed_ids == {feed}


async def test_migrated_group_keeps_settings_even_if_the_new_id_spoke_first(db: Database) -> None:
    group = ChatRef(-100, type="group", title="Warga")
    await chats.register_chat(db, group, default_language="en", default_timezone="Asia/Jakarta")
    await chats.set_timezone(db, -100, "WIT")
    await subscriptions.follow_topic(db, -100, "ekonomi")
    # The supergroup's first message was seen before the migration notice.
    await chats.register_chat(
        db, ChatRef(-1001, type="supergroup"), default_language="id", default_timezone="UTC"
    )
    assert await chats.migrate_chat(db, -100, -1001)
    assert await chats.get_chat(db, -100) is None
    moved = await chats.get_chat(db, -1001)
    assert moved is not None and moved.timezone == "Asia/Jayapura" and moved.type == "supergroup"
    assert (await subscriptions.following(db, -1001)).topics == {"ekonomi"}
    assert not await chats.migrate_chat(db, -100, -1001)  # the second notice changes nothing


async def test_thread_is_kept_when_start_comes_from_a_forum_topic(db: Database) -> None:
    ref = ChatRef(-200, type="supergroup", thread_id=42)
    chat, _ = await chats.register_chat(db, ref, default_language="id", default_timezone="UTC")
    assert chat.thread_id == 42
