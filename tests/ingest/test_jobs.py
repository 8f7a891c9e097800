"""The ingest tick on python-telegram-bot's job queue: registered once, never overlapping."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

from telegram.ext import ApplicationBuilder

from jobs.ingest import TICK_SECONDS, ingest_tick
from jobs.schedule import schedule_jobs
from kabar import sources
from kabar.config import load_settings
from kabar.db import Database
from kabar.db.migrate import upgrade
from kabar.feeds.fetch import Fetcher
from kabar.ingest import Ingestor
from kabar.services import Services
from tests.feeds import samples
from tests.feeds.server import FeedServer
from tests.ingest.conftest import count_articles


async def test_the_tick_is_registered_without_overlap(tmp_path: Path) -> None:
    cfg = load_settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    svc = Services(cfg, Database(cfg.database_url))
    app = ApplicationBuilder().token("123456:TEST").build()
    schedule_jobs(app, svc)
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name("ingest")
    assert job.job.max_instances == 1 and job.job.coalesce
    assert job.job.trigger.interval.total_seconds() == TICK_SECONDS
    await svc.db.dispose()


async def test_a_tick_runs_a_pass_and_skips_while_one_runs(
    tmp_path: Path, server: FeedServer
) -> None:
    cfg = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}",
        allow_private_networks=True,
        import_catalog=False,
        retention_days=0,  # the sample feeds are dated 2024
    )
    db = Database(cfg.database_url)
    await upgrade(db)
    svc = Services(cfg, db)
    svc._fetcher = Fetcher.from_settings(cfg)
    svc._pool = ThreadPoolExecutor(1)
    svc._ingestor = Ingestor(cfg, db, svc._fetcher, svc._pool)
    try:
        server.serve("/feed", samples.rss20(samples.items(2)))
        await sources.add_feed(db, server.url("/feed"))
        context = SimpleNamespace(job=SimpleNamespace(data=svc))
        async with svc._ingestor._lock:  # a pass is "running"
            await ingest_tick(context)  # type: ignore[arg-type]
        assert await count_articles(db) == 0
        await ingest_tick(context)  # type: ignore[arg-type]
        assert await count_articles(db) == 2
    finally:
        await svc.aclose()
        await db.dispose()
