"""The batching writer: a failing batch is retried feed by feed; ids are reserved correctly."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import select

from kabar.db import Database
from kabar.db.models import Article
from kabar.feeds.fetch import FetchResult
from kabar.feeds.model import FeedItem, ParsedFeed
from kabar.feedstore import Checked, FeedRef, FeedStore, reserve_ids
from tests.ingest.conftest import articles, feed_ref, feed_row, make_settings

NOW = datetime(2024, 11, 20, 12, tzinfo=UTC)


def _checked(ref: FeedRef, guids: list[str]) -> Checked:
    items = [
        FeedItem(guid=g, url=f"https://x.example/{g}", title=g, published_at=NOW) for g in guids
    ]
    result = FetchResult(ref.url, 200, b"<rss/>", {"etag": '"e"'}, NOW)
    return Checked(ref, result, ParsedFeed(format="rss20", items=items))


async def test_a_failing_batch_is_retried_one_feed_at_a_time(db: Database) -> None:
    store = FeedStore(make_settings(db), db, random.Random(1))
    ref = await feed_ref(db, "https://a.example/rss")
    other = await feed_ref(db, "https://b.example/rss")
    # The same feed twice in one batch with the same GUID: the batch's insert violates the
    # unique (feed, guid) constraint, so the writer falls back to one transaction per check.
    outcomes = await store.write(
        [_checked(ref, ["g1"]), _checked(other, ["h1"]), _checked(ref, ["g1", "g2"])]
    )
    assert [o.status for o in outcomes] == ["ok", "ok", "ok"]
    assert [o.new for o in outcomes] == [1, 1, 1]
    assert sorted(a.guid for a in await articles(db)) == ["g1", "g2", "h1"]
    assert (await feed_row(db, ref.id)).etag == '"e"'


async def test_reserved_ids_follow_the_stored_ones(db: Database) -> None:
    store = FeedStore(make_settings(db), db, random.Random(1))
    ref = await feed_ref(db, "https://a.example/rss")
    await store.write([_checked(ref, ["g1", "g2"])])
    async with db.transaction() as session:
        ids = await reserve_ids(session, 3)
        assert await reserve_ids(session, 0) == []
    stored = [a.id for a in await articles(db)]
    assert len(set(ids)) == 3 and min(ids) > max(stored)
    async with db.session() as session:
        assert [a.story_id for a in await session.scalars(select(Article))] == stored
