"""Every hostile answer from the issue, through a whole pass against a loopback server.

Each case starts from a feed that was fetched fine once (three articles stored); then the
server turns hostile. The pass must finish in bounded time without raising, record an error
(or, for a survivable oddity, a warning) on the feed, and leave the stored articles alone.
"""

from __future__ import annotations

import asyncio
import codecs
import zlib
from dataclasses import dataclass
from datetime import timedelta

import pytest

from kabar import sources
from kabar.db import Database, utcnow
from kabar.feeds.fetch import Fetcher
from kabar.ingest import Ingestor
from tests.feeds import samples
from tests.feeds.conftest import fixed_resolver
from tests.feeds.server import FeedServer, Handler, drip, redirect, static, status, stream
from tests.feeds.test_parse import BILLION_LAUGHS
from tests.ingest.conftest import MakeIngestor, articles, feed_row, make_settings


def _bomb() -> Handler:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    piece = compressor.compress(b"\0" * 10_000_000) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return stream(len(piece) * 100, piece, headers={"Content-Encoding": "gzip"})


def _xxe() -> str:
    return (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
        "<link>https://x.example/1</link></item></channel></rss>"
    )


def _truncated() -> str:
    doc = samples.rss20(samples.items(3) + samples.items(2, prefix="baru"))
    return doc[: doc.index("baru-1") + 10]


def _dup_guids() -> str:
    entries = samples.items(2, prefix="dup") + samples.items(1, prefix="dup")
    return samples.rss20(entries)


def _dates() -> str:
    entries = samples.items(2, prefix="tanggal")
    entries[0].date = None
    entries[1].date = utcnow() + timedelta(days=3650)
    return samples.rss20(entries)


def _long_title() -> str:
    entries = samples.items(1, prefix="panjang")
    entries[0].title = "x" * 100_000
    return samples.rss20(entries)


def _emoji_rtl() -> str:
    entries = samples.items(
        1,
        prefix="emoji",
        text="<p>\u0645\u0631\u062d\u0628\u0627 \U0001f600 \u05e9\u05dc\u05d5\u05dd</p>",
    )
    entries[
        0
    ].title = "\U0001f4f0 \u0627\u0644\u0623\u062e\u0628\u0627\u0631 \u05d7\u05d3\u05e9\u05d5\u05ea"
    return samples.rss20(entries)


@dataclass
class Case:
    handler: Handler
    outcome: str  # "error", "warning", "ok", "disabled"
    message: str = ""  # expected in last_error / last_warning
    new: int = 0


CASES: dict[str, Case] = {
    "html page": Case(
        static("<!DOCTYPE html><html><body>hi</body></html>", content_type="text/html"),
        "error",
        "HTML page",
    ),
    # The cut falls inside the last item after its title and link: both new items are kept.
    "truncated xml": Case(static(_truncated()), "warning", "not well-formed", new=2),
    "billion laughs": Case(static(BILLION_LAUGHS), "error", "entit"),
    "xxe": Case(static(_xxe()), "error", "external entity"),
    "50 MB body": Case(stream(50_000_000, b"<" * 65_536), "error", "larger than"),
    "gzip bomb": Case(_bomb(), "error", "larger than"),
    "slow drip": Case(drip(interval=0.05), "error", "no complete answer"),
    "redirect loop": Case(redirect("/loop2"), "error", "redirect loop"),
    "404": Case(status(404), "error", "HTTP 404"),
    "410": Case(status(410), "disabled", "HTTP 410"),
    "500": Case(status(500), "error", "HTTP 500"),
    "429": Case(status(429, {"Retry-After": "3600"}), "error", "HTTP 429"),
    "empty body": Case(static(b""), "error", "empty body"),
    "empty feed": Case(static(samples.rss20([])), "ok"),
    "304": Case(status(304), "ok"),
    "duplicate guids": Case(static(_dup_guids()), "warning", "repeating a GUID", new=2),
    "missing and future dates": Case(static(_dates()), "ok", new=2),
    "100 KB title": Case(static(_long_title()), "ok", new=1),
    "emoji and rtl": Case(static(_emoji_rtl()), "ok", new=1),
    "cp1252 declared utf-8": Case(
        static(
            samples.rss20(samples.items(1, prefix="cp", text="Caf\u00e9")).encode("cp1252"),
            headers={"Content-Type": "application/rss+xml; charset=utf-8"},
        ),
        "warning",
        "windows-1252",
        new=1,
    ),
    "utf-8 declared cp1252": Case(
        static(
            samples.rss20(
                samples.items(1, prefix="u8", text="Caf\u00e9"), encoding="windows-1252"
            ).encode(),
            headers={"Content-Type": "text/xml; charset=windows-1252"},
        ),
        "warning",
        "UTF-8",
        new=1,
    ),
    "bom": Case(
        static(codecs.BOM_UTF8 + samples.rss20(samples.items(1, prefix="bom")).encode()),
        "ok",
        new=1,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_hostile_answer(
    name: str, db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    case = CASES[name]
    server.serve("/feed", samples.rss20(samples.items(3)))
    server.route("/loop2", redirect("/feed"))
    feed_id = await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor(fetch_timeout_seconds=0.5)
    await ingestor.run()
    before = [(a.id, a.guid, a.title, a.text, a.summary) for a in await articles(db)]
    assert len(before) == 3

    server.route("/feed", case.handler)
    report = await asyncio.wait_for(ingestor.run(all_feeds=True), 30)

    assert report is not None and report.feeds == 1 and report.new == case.new
    after = [(a.id, a.guid, a.title, a.text, a.summary) for a in await articles(db)]
    assert after[:3] == before  # nothing already stored was lost or changed
    feed = await feed_row(db, feed_id)
    if case.outcome in ("error", "disabled"):
        assert feed.error_count == 1 and case.message in (feed.last_error or "")
        assert feed.disabled == (case.outcome == "disabled")
        assert feed.next_check_at > utcnow()
    else:
        assert feed.error_count == 0 and feed.last_error is None and not feed.disabled
    if case.outcome == "warning":
        assert case.message in (feed.last_warning or "")
    for article in await articles(db):
        assert len(article.title) <= 500 and "\x00" not in article.text
        assert article.published_at <= utcnow() + timedelta(minutes=15)


async def test_redirect_to_loopback_with_protection_on(db: Database, server: FeedServer) -> None:
    """Allowed by host name at first; a redirect to the literal 127.0.0.1 is then refused."""
    settings = make_settings(db, allow_private_networks=False, allowed_hosts="feeds.test")
    fetcher = Fetcher.from_settings(
        settings, resolver=fixed_resolver({"feeds.test": ["127.0.0.1"]})
    )
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1)
    ingestor = Ingestor(settings, db, fetcher, pool)
    try:
        server.serve("/feed", samples.rss20(samples.items(3)))
        server.serve("/internal", samples.rss20(samples.items(1, prefix="rahasia")))
        feed_id = await sources.add_feed(db, server.url("/feed", "feeds.test"))
        await ingestor.run()
        assert len(await articles(db)) == 3
        server.route("/feed", redirect(server.url("/internal"), 302))
        report = await ingestor.run(all_feeds=True)
        assert report is not None and report.errors == 1 and report.new == 0
        feed = await feed_row(db, feed_id)
        assert "loopback" in (feed.last_error or "") and feed.error_count == 1
        assert server.count("/internal") == 0
        assert [a.guid for a in await articles(db)] == ["berita-0", "berita-1", "berita-2"]
    finally:
        await fetcher.aclose()
        pool.shutdown()
