"""Topics, sources and mutes a chat follows."""

from __future__ import annotations

import pytest

from kabar import subscriptions
from kabar.db import Database
from kabar.errors import NotFoundError
from tests.bot.factories import add_chat, add_feed


async def test_groups_count_only_active_sources(db: Database) -> None:
    await add_feed(db, "Kompas", topic="nasional")
    await add_feed(db, "Tempo", topic="nasional")
    await add_feed(db, "Bisnis", topic="ekonomi", region="jakarta")
    await add_feed(db, "Lama", topic="olahraga", paused=True)
    topics = await subscriptions.list_groups(db, "topic")
    assert [(g.name, g.feeds) for g in topics] == [("ekonomi", 1), ("nasional", 2)]
    regions = await subscriptions.list_groups(db, "region")
    assert [g.name for g in regions] == ["jakarta"]
    found = await subscriptions.find_group(db, "topic", topics[1].token)
    assert found is not None and found.name == "nasional"
    assert await subscriptions.find_group(db, "topic", "deadbeef") is None


async def test_toggle_topic_and_source(db: Database) -> None:
    await add_chat(db, 1)
    feed = await add_feed(db, "Kompas")
    assert await subscriptions.toggle_topic(db, 1, "nasional")
    assert await subscriptions.toggle_source(db, 1, feed)
    follows = await subscriptions.following(db, 1)
    assert follows.topics == {"nasional"} and follows.feed_ids == {feed}
    assert not await subscriptions.toggle_topic(db, 1, "nasional")
    assert (await subscriptions.following(db, 1)).topics == set()
    with pytest.raises(NotFoundError):
        await subscriptions.toggle_source(db, 1, 9999)


async def test_follow_everything_covers_topicless_sources(db: Database) -> None:
    await add_chat(db, 1)
    await add_feed(db, "Kompas", topic="nasional")
    loose = await add_feed(db, "Blog", topic=None)
    await subscriptions.follow_everything(db, 1)
    follows = await subscriptions.following(db, 1)
    assert follows.topics == {"nasional"} and follows.feed_ids == {loose}
    assert await subscriptions.follow_everything(db, 1) == 0  # twice adds nothing
    await subscriptions.unfollow_everything(db, 1)
    assert (await subscriptions.following(db, 1)).empty


async def test_mute_and_unmute_and_choosing_a_source_unmutes_it(db: Database) -> None:
    await add_chat(db, 1)
    feed = await add_feed(db, "Kompas")
    source = await subscriptions.mute_source(db, 1, feed)
    await subscriptions.mute_source(db, 1, feed)  # twice is fine
    assert source.name == "Kompas"
    assert [s.id for s in await subscriptions.muted_sources(db, 1)] == [feed]
    await subscriptions.toggle_source(db, 1, feed)
    assert (await subscriptions.following(db, 1)).muted == set()
    with pytest.raises(NotFoundError):
        await subscriptions.mute_source(db, 1, 9999)


async def test_deep_link_topic_by_slug(db: Database) -> None:
    await add_feed(db, "Fajar", topic="Sulawesi Selatan")
    assert await subscriptions.find_topic_by_slug(db, "sulawesi-selatan") == "Sulawesi Selatan"
    assert await subscriptions.find_topic_by_slug(db, "SULAWESI selatan") == "Sulawesi Selatan"
    assert await subscriptions.find_topic_by_slug(db, "papua") is None
