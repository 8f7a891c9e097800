"""Articles stored by the real ingest writer are searchable at once, once each."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import text

import kabar.search  # noqa: F401  (installs the index hook, as the application does)
from kabar import sources
from kabar.db import Database
from kabar.feeds.fetch import Fetcher, FetchResult
from kabar.feeds.model import FeedItem, ParsedFeed
from kabar.feedstore import Checked, FeedRef, FeedStore
from kabar.ingest import Ingestor
from kabar.search import search
from tests.feeds import samples
from tests.feeds.server import FeedServer
from tests.ingest.conftest import feed_ref, make_settings

NOW = datetime(2024, 11, 20, 12, tzinfo=UTC)


def _checked(ref: FeedRef, items: dict[str, str]) -> Checked:
    parsed = [
        FeedItem(guid=g, url=f"https://x.example/{g}", title=title, published_at=NOW)
        for g, title in items.items()
    ]
    result = FetchResult(ref.url, 200, b"<rss/>", {}, NOW)
    return Checked(ref, result, ParsedFeed(format="rss20", items=parsed))


async def test_ingested_articles_are_indexed_even_after_a_retried_batch(db: Database) -> None:
    store = FeedStore(make_settings(db), db, random.Random(1))
    store.defer_index = False  # index at insert, as a writer without summaries to follow does
    ref = await feed_ref(db, "https://a.example/rss")
    other = await feed_ref(db, "https://b.example/rss")
    # A duplicate GUID fails the whole batch; the writer retries feed by feed.
    await store.write(
        [
            _checked(ref, {"g1": "Banjir rob Semarang"}),
            _checked(other, {"h1": "Banjir bandang Garut"}),
            _checked(ref, {"g1": "Banjir rob Semarang", "g2": "Gempa Cianjur"}),
        ]
    )
    found = await search(db, "banjir")
    assert sorted(h.title for h in found.items) == ["Banjir bandang Garut", "Banjir rob Semarang"]
    assert [h.title for h in (await search(db, "gempa")).items] == ["Gempa Cianjur"]
    table = "search_fts" if db.is_sqlite else "search_documents"
    async with db.session() as session:
        assert await session.scalar(text(f"SELECT count(*) FROM {table}")) == 3


async def test_a_pass_with_summaries_indexes_each_article_once_with_its_summary(
    db: Database,
) -> None:
    """New articles wait for their summary; the pool analyzes them; nothing is left out."""
    server = await FeedServer().start()
    entries = samples.items(4)
    server.serve("/feed", samples.rss20(entries))
    settings = make_settings(db)
    fetcher, pool = Fetcher.from_settings(settings), ThreadPoolExecutor(2)
    try:
        await sources.add_feed(db, server.url("/feed"))
        report = await Ingestor(settings, db, fetcher, pool).run()
        assert report is not None
        assert (report.new, report.summarized) == (4, 4)
    finally:
        await fetcher.aclose()
        pool.shutdown()
        await server.stop()
    table = "search_fts" if db.is_sqlite else "search_documents"
    async with db.session() as session:
        assert await session.scalar(text(f"SELECT count(*) FROM {table}")) == 4
    # Words of the body are found, and the title ranks as a title.
    found = await search(db, "Jeneponto")
    assert len(found.items) == 4
    assert {h.title for h in (await search(db, '"nomor 2"')).items} == {"Judul berita nomor 2"}
