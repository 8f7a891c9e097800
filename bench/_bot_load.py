"""Load for bench/bot_latency: an archive of stored articles, and an ingest pass to run."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web

from kabar import sources
from kabar.config import Settings
from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed
from kabar.ingest import IngestReport
from kabar.services import Services

WORDS = (
    "banjir",
    "jakarta",
    "utara",
    "warga",
    "mengungsi",
    "hujan",
    "deras",
    "pemerintah",
    "provinsi",
    "bantuan",
    "logistik",
    "pilkada",
    "jeneponto",
    "kpu",
    "suara",
    "pemilih",
    "aman",
    "polisi",
    "kapolres",
    "ekonomi",
    "rupiah",
    "inflasi",
    "bank",
    "indonesia",
    "suku",
    "bunga",
    "ekspor",
    "batu",
    "bara",
    "sawit",
    "petani",
    "harga",
    "beras",
    "pasar",
    "menteri",
    "presiden",
    "dpr",
    "undang-undang",
    "sidang",
    "gempa",
    "maluku",
    "bmkg",
    "tsunami",
    "sekolah",
    "guru",
    "siswa",
    "kesehatan",
    "rumah",
    "sakit",
)
TOPICS = ("nasional", "daerah", "ekonomi", "olahraga", "teknologi")


def sentence(rng: random.Random, words: int = 14) -> str:
    """A plausible Indonesian news sentence from the vocabulary."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


async def seed_archive(db: Database, articles: int, *, feeds: int = 20, seed: int = 7) -> None:
    """`articles` summarized articles over the last three days, from `feeds` sources."""
    rng = random.Random(seed)
    now = utcnow()
    async with db.transaction() as session:
        rows = [
            Feed(
                url=f"http://127.0.0.1:9/archive/{n}.xml",
                name=f"Arsip {n}",
                topic=TOPICS[n % len(TOPICS)],
                language="id",
                paused=True,  # archive only: the ingest pass leaves these alone
            )
            for n in range(feeds)
        ]
        session.add_all(rows)
        await session.flush()
        for n in range(articles):
            summary = "\n".join(sentence(rng) for _ in range(3))
            session.add(
                Article(
                    feed_id=rows[n % feeds].id,
                    guid=f"archive-{n}",
                    url=f"http://127.0.0.1:9/a/{n}",
                    title=sentence(rng, 8),
                    summary=summary,
                    text=summary + " " + " ".join(sentence(rng) for _ in range(10)),
                    published_at=now - timedelta(minutes=rng.randint(1, 3 * 24 * 60)),
                    language="id",
                )
            )


def article_text(rng: random.Random, paragraphs: int = 6) -> str:
    """A few paragraphs of news-like text, enough for the summarizer to do real work."""
    return "".join(
        "<p>" + " ".join(sentence(rng, rng.randint(10, 22)) for _ in range(4)) + "</p>"
        for _ in range(paragraphs)
    )


def feed_xml(base: str, feed: int, items: int, now: datetime, generation: int) -> str:
    """An RSS 2.0 feed whose items carry their full text (no page fetches needed); each
    generation is all new articles."""
    rng = random.Random(feed * 100_003 + generation)
    entries = []
    for i in range(items):
        published = format_datetime(now - timedelta(minutes=i))
        key = f"{feed}-{generation}-{i}"
        entries.append(
            f"<item><title>{escape(sentence(rng, 8))}</title>"
            f"<link>{base}/a/{key}</link><guid>bench-{key}</guid>"
            f"<pubDate>{published}</pubDate>"
            f"<description><![CDATA[{article_text(rng)}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench {feed}</title><link>{base}/</link><language>id</language>"
        + "".join(entries)
        + "</channel></rss>"
    )


async def serve_feeds(port: int, items: int) -> None:
    """Serve /f/<n>.xml until killed (new articles at every request, so every pass has work);
    prints READY <port> once listening (loopback only)."""
    served: dict[int, int] = {}

    async def handler(request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        served[number] = served.get(number, 0) + 1
        base = f"http://127.0.0.1:{request.url.port}"
        body = feed_xml(base, number, items, utcnow(), served[number]).encode()
        return web.Response(body=body, content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/f/{n}.xml", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    server = site._server
    assert server is not None
    print("READY", server.sockets[0].getsockname()[1], flush=True)  # type: ignore[attr-defined]
    await asyncio.Event().wait()


@dataclass
class IngestLoad:
    """Ingest passes running back to back in this process, over feeds served by another one."""

    reports: list[IngestReport]
    stopping: asyncio.Event
    started: float

    def summary(self) -> str:
        """What the passes did while the phase lasted."""
        took = time.perf_counter() - self.started
        articles = sum(r.new for r in self.reports)
        summarized = sum(r.summarized for r in self.reports)
        return (
            f"ingest: {len(self.reports)} passes in {took:.1f} s, {articles} new articles, "
            f"{summarized} summarized ({articles / took:.0f} articles/s)"
        )


@contextlib.asynccontextmanager
async def running(
    db: Database, settings: Settings, *, feeds: int, items: int
) -> AsyncIterator[IngestLoad]:
    """Serve `feeds` feeds of `items` new articles each time, and run passes with summaries
    one after another until the block ends (the pass under way is finished)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench._bot_load", "--items", str(items),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    svc = Services(settings=settings, db=db)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().split()
        port = int(line[1])
        for n in range(feeds):
            await sources.add_feed(
                db, f"http://127.0.0.1:{port}/f/{n}.xml", topic=TOPICS[n % len(TOPICS)]
            )
        load = IngestLoad([], asyncio.Event(), time.perf_counter())

        async def passes() -> None:
            while not load.stopping.is_set():
                report = await svc.ingestor().run(all_feeds=True, summaries=True)
                if report is not None:
                    load.reports.append(report)

        task = asyncio.create_task(passes())
        await asyncio.sleep(1.0)  # the first fetches are under way
        yield load
        load.stopping.set()
        await task
    finally:
        await svc.aclose()
        process.terminate()
        await process.wait()


def main_serve(argv: list[str]) -> None:
    """`python -m bench._bot_load --items N`: the feed server."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--items", type=int, default=25)
    options = parser.parse_args(argv)
    asyncio.run(serve_feeds(options.port, options.items))


if __name__ == "__main__":
    main_serve(sys.argv[1:])
