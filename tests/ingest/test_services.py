"""The composition: Services owns the fetcher and the real process pool; catalog on first start."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from sqlalchemy import delete, func, select

from kabar import sources
from kabar.config import load_settings
from kabar.db.models import Feed
from kabar.services import open_services
from tests.feeds import samples
from tests.feeds.server import FeedServer
from tests.ingest.conftest import articles


async def test_a_pass_through_the_real_process_pool(tmp_path: Path, server: FeedServer) -> None:
    """Parsing and summaries cross a spawn-started process boundary: arguments and results
    must pickle, and the workers must import everything fresh."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    cfg = load_settings(
        database_url=url,
        allow_private_networks=True,
        import_catalog=False,
        summary_workers=1,
        retention_days=0,  # the sample feeds are dated 2024
    )
    server.serve("/feed", samples.rss20(samples.items(3)))
    async with open_services(cfg) as svc:
        await sources.add_feed(svc.db, server.url("/feed"))
        report = await svc.ingestor().run()
        assert report is not None and (report.new, report.summarized, report.errors) == (3, 3, 0)
        stored = await articles(svc.db)
        assert all(a.summary and a.simhash is not None for a in stored)
        assert svc.ingestor() is svc.ingestor()  # one per process: passes cannot overlap
    assert svc._pool is None and svc._fetcher is None  # closed on exit


async def test_catalog_is_imported_once_into_an_empty_install(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    expected = len({f.url for f in sources.parse_opml(sources.catalog_opml())})
    async with open_services(load_settings(database_url=url)) as svc:
        async with svc.db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Feed)) == expected
            topics = set(await session.scalars(select(Feed.topic).distinct()))
        assert {"nasional", "daerah", "internasional"} <= topics
        async with svc.db.transaction() as session:
            await session.execute(delete(Feed))
    async with open_services(load_settings(database_url=url)) as svc, svc.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Feed)) == 0


async def test_catalog_import_can_be_turned_off_and_never_touches_existing_feeds(
    tmp_path: Path,
) -> None:
    off = f"sqlite+aiosqlite:///{tmp_path / 'off.db'}"
    async with open_services(load_settings(database_url=off, import_catalog=False)) as svc:
        assert await sources.list_feeds(svc.db) == []
    mine = f"sqlite+aiosqlite:///{tmp_path / 'mine.db'}"
    async with open_services(load_settings(database_url=mine, import_catalog=False)) as svc:
        await sources.add_feed(svc.db, "https://example.org/feed")
    async with open_services(load_settings(database_url=mine)) as svc:
        assert [f.url for f in await sources.list_feeds(svc.db)] == ["https://example.org/feed"]


async def test_a_dead_worker_gets_the_pool_replaced(tmp_path: Path, server: FeedServer) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    cfg = load_settings(
        database_url=url,
        allow_private_networks=True,
        import_catalog=False,
        summary_workers=1,
        retention_days=0,  # the sample feeds are dated 2024
    )
    server.serve("/a", samples.rss20(samples.items(2, prefix="a")))
    async with open_services(cfg) as svc:
        await sources.add_feed(svc.db, server.url("/a"))
        ingestor = svc.ingestor()
        first = await ingestor.run(summaries=False)
        assert first is not None and first.new == 2
        old = svc.pool()
        for pid in list(getattr(old, "_processes", {})):
            os.kill(pid, signal.SIGKILL)  # as the OOM killer would
        server.serve("/a", samples.rss20(samples.items(3, prefix="a")))
        broken = await ingestor.run(all_feeds=True, summaries=False)
        assert broken is not None and broken.errors == 1
        assert "worker pool broke" in (broken.outcomes[0].error or "")
        assert svc.pool() is not old and ingestor.pool is svc.pool()
        healed = await ingestor.run(all_feeds=True, summaries=False)
        assert healed is not None and (healed.errors, healed.new) == (0, 1)
