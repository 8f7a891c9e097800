"""A pass end to end: fetch from loopback, parse, dedup, store, full text, summaries, schedule."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import select, update

from kabar import sources
from kabar.db import Database, utcnow
from kabar.db.models import Article, Chat, Feed, Outbox
from tests.feeds import samples
from tests.feeds.server import FeedServer, redirect, static, status
from tests.feeds.test_dedup import OTHER, STORY
from tests.ingest.conftest import MakeIngestor, articles, count_articles, feed_row


async def test_first_pass_stores_then_304_changes_nothing(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.serve("/feed", samples.rss20(samples.items(3)))
    feed_id = await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor()
    report = await ingestor.run()
    assert report is not None
    assert (report.feeds, report.new, report.errors, report.summarized) == (1, 3, 0, 3)
    stored = await articles(db)
    assert [a.guid for a in stored] == ["berita-0", "berita-1", "berita-2"]
    first = stored[0]
    assert first.url == "https://news.example.com/berita/0"
    assert first.canonical_url == "https://news.example.com/berita/0"
    assert first.title == "Judul berita nomor 0"
    assert first.published_at == samples.BASE_DATE
    assert first.language == "id"
    assert first.text.startswith("Paragraf 0.")
    assert first.content_hash and first.simhash is not None
    assert first.story_id == first.id
    assert first.summary
    feed = await feed_row(db, feed_id)
    assert feed.title == "Kabar Test" and feed.site_url == "https://news.example.com/"
    assert feed.etag and feed.last_modified and feed.error_count == 0
    assert feed.last_success_at is not None and feed.last_warning is None
    assert feed.next_check_at >= utcnow() + timedelta(minutes=14)

    assert await ingestor.run() is not None and server.count("/feed") == 1  # nothing due yet
    again = await ingestor.run(all_feeds=True)
    assert again is not None and (again.not_modified, again.new) == (1, 0)
    assert server.hits[-1].headers["If-None-Match"] == feed.etag
    assert await count_articles(db) == 3


async def test_only_new_items_are_added(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    entries = samples.items(3)
    server.serve("/feed", samples.rss20(entries))
    await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor()
    await ingestor.run()
    server.serve("/feed", samples.rss20(samples.items(1, prefix="baru") + entries[:2]))
    report = await ingestor.run(all_feeds=True)
    assert report is not None and report.new == 1
    assert await count_articles(db) == 4


async def test_dedup_across_feeds_by_canonical_url_and_content(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    shared = samples.items(2, prefix="bersama")
    copy = samples.items(2, prefix="salinan")
    copy[0].link = shared[0].link + "?utm_source=rss&utm_medium=feed"  # same article, tracked
    copy[1].title, copy[1].text = shared[1].title, shared[1].text  # same text, another URL
    server.serve("/a", samples.rss20(shared))
    server.serve("/b", samples.rss20(copy))
    await sources.add_feed(db, server.url("/a"))
    await sources.add_feed(db, server.url("/b"))
    ingestor = make_ingestor(fetch_concurrency=1)
    report = await ingestor.run()
    assert report is not None and (report.new, report.duplicates) == (2, 2)
    assert await count_articles(db) == 2


async def test_near_duplicate_stories_share_a_story_id(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    wire = samples.items(2, prefix="antara")
    wire[0].text, wire[1].text = STORY, OTHER
    regional = samples.items(1, prefix="daerah")
    regional[0].title = "KPU Jeneponto gelar pleno rekapitulasi"
    regional[0].text = "JENEPONTO - " + STORY.replace("Kamis", "Jumat") + " (*)"
    server.serve("/wire", samples.rss20(wire))
    server.serve("/regional", samples.rss20(regional))
    await sources.add_feed(db, server.url("/wire"))
    ingestor = make_ingestor()
    await ingestor.run()
    await sources.add_feed(db, server.url("/regional"))
    await ingestor.run()
    by_guid = {a.guid: a for a in await articles(db)}
    assert len(by_guid) == 3
    assert by_guid["daerah-0"].story_id == by_guid["antara-0"].story_id == by_guid["antara-0"].id
    assert by_guid["antara-1"].story_id == by_guid["antara-1"].id


async def test_story_ids_survive_a_new_ingestor(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    wire = samples.items(1, prefix="antara", text=STORY)
    server.serve("/wire", samples.rss20(wire))
    await sources.add_feed(db, server.url("/wire"))
    await make_ingestor().run()
    regional = samples.items(1, prefix="daerah", text="MAKASSAR - " + STORY)
    server.serve("/regional", samples.rss20(regional))
    await sources.add_feed(db, server.url("/regional"))
    await make_ingestor().run()  # a new process: the index is loaded from the database
    stored = await articles(db)
    assert stored[1].story_id == stored[0].id


async def test_teasers_get_the_full_text_of_their_page(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    teasers = samples.items(2, text="Ringkasan pendek... Baca selengkapnya")
    teasers[0].link = server.url("/artikel/0")
    teasers[1].link = server.url("/artikel/hilang")
    server.serve("/feed", samples.rss20(teasers))
    page = (
        "<html><body><article>"
        + "".join(f"<p>{samples.LOREM} Bagian {i}.</p>" for i in range(6))
        + "</article></body></html>"
    )
    server.serve("/artikel/0", page, content_type="text/html")
    feed_id = await sources.add_feed(db, server.url("/feed"))
    report = await make_ingestor(fetch_full_text=True).run()
    assert report is not None and report.new == 2
    full, teaser = await articles(db)
    assert "Bagian 5." in full.text
    assert teaser.text == "Ringkasan pendek... Baca selengkapnya"
    feed = await feed_row(db, feed_id)
    assert feed.last_warning and "full text unavailable for 1 of 2" in feed.last_warning
    assert server.hits[-1].headers["Accept"].startswith("text/")


async def test_known_items_do_not_refetch_their_pages(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    teasers = samples.items(1, text="Pendek.")
    teasers[0].link = server.url("/artikel/0")
    server.serve("/feed", samples.rss20(teasers), etag=False, last_modified=None)
    server.serve("/artikel/0", "<html><body><p>x</p></body></html>", content_type="text/html")
    await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor(fetch_full_text=True)
    await ingestor.run()
    await ingestor.run(all_feeds=True)
    assert server.count("/artikel/0") == 1


async def test_language_from_operator_feed_or_detection(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.serve("/none", samples.rss20(samples.items(1, prefix="a"), language=None))
    server.serve("/wp", samples.rss20(samples.items(1, prefix="b"), language="en-US"))
    server.serve("/declared", samples.rss20(samples.items(1, prefix="c"), language="ms"))
    server.serve("/operator", samples.rss20(samples.items(1, prefix="d"), language="id"))
    for path in ("/none", "/wp", "/declared"):
        await sources.add_feed(db, server.url(path))
    await sources.add_feed(db, server.url("/operator"), language="en")
    await make_ingestor().run()
    languages = {a.guid[0]: a.language for a in await articles(db)}
    assert languages == {"a": "id", "b": "id", "c": "ms", "d": "en"}


async def test_unsummarized_articles_are_picked_up_later(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.serve("/feed", samples.rss20(samples.items(2)))
    await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor()
    report = await ingestor.run(summaries=False)
    assert report is not None and report.summarized == 0
    assert all(a.summary is None for a in await articles(db))
    assert await ingestor.summarize_pending() == 2
    assert all(a.summary for a in await articles(db))


async def test_gone_disables_at_once_and_tells_each_admin(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.serve("/feed", samples.rss20(samples.items(2)))
    feed_id = await sources.add_feed(db, server.url("/feed"), name="Koran Lama")
    async with db.transaction() as session:
        session.add(Chat(telegram_id=111, language="en", digest_times=[]))
    ingestor = make_ingestor()
    await ingestor.run()
    server.route("/feed", status(410))
    report = await ingestor.run(all_feeds=True)
    assert report is not None and report.disabled == 1
    feed = await feed_row(db, feed_id)
    assert feed.disabled and feed.error_count == 1 and "410" in (feed.last_error or "")
    assert await count_articles(db) == 2
    async with db.session() as session:
        rows = (await session.execute(select(Outbox, Chat).join(Chat))).all()
    assert sorted(chat.telegram_id for _, chat in rows) == [111, 222]
    for outbox, chat in rows:
        assert outbox.kind == "notice" and outbox.status == "pending"
        assert outbox.dedupe_key.startswith(f"notice:feed-disabled:{feed_id}:")
        assert "Koran Lama" in outbox.payload["text"]
        assert ("gone for good" if chat.language == "en" else "dihapus") in outbox.payload["text"]
    assert (await ingestor.run(all_feeds=True)).feeds == 0  # type: ignore[union-attr]


async def test_repeated_failures_back_off_then_disable(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.route("/feed", status(500))
    feed_id = await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor(max_feed_errors=3)
    delays = []
    for attempt in range(1, 4):
        report = await ingestor.run(all_feeds=True)
        assert report is not None and report.errors == 1
        feed = await feed_row(db, feed_id)
        assert feed.error_count == attempt
        delays.append(feed.next_check_at - utcnow())
    assert delays[1] > delays[0] + timedelta(minutes=10)
    assert feed.disabled and "HTTP 500" in (feed.last_error or "")
    async with db.session() as session:
        assert len(list(await session.scalars(select(Outbox)))) == 2


async def test_success_clears_the_error_count(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.route("/feed", status(503))
    feed_id = await sources.add_feed(db, server.url("/feed"))
    ingestor = make_ingestor()
    await ingestor.run()
    server.serve("/feed", samples.rss20(samples.items(1)))
    await ingestor.run(all_feeds=True)
    feed = await feed_row(db, feed_id)
    assert (feed.error_count, feed.last_error, feed.disabled) == (0, None, False)


async def test_permanent_redirect_updates_the_stored_url(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.route("/old", redirect("/new", 301))
    server.route("/older", redirect("/new", 308))
    server.route("/temp", redirect("/new", 302))
    server.serve("/new", samples.rss20(samples.items(1)))
    moved = await sources.add_feed(db, server.url("/old"))
    temp = await sources.add_feed(db, server.url("/temp"))
    await make_ingestor(fetch_concurrency=1).run()
    assert (await feed_row(db, moved)).url == server.url("/new")
    assert (await feed_row(db, temp)).url == server.url("/temp")
    clash = await sources.add_feed(db, server.url("/older"))
    await make_ingestor().run()
    assert (await feed_row(db, clash)).url == server.url("/older")
    assert f"which is feed {moved}" in ((await feed_row(db, clash)).last_warning or "")


async def test_retry_after_and_caching_headers_set_the_next_check(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    server.route("/busy", status(429, {"Retry-After": "7200"}))
    server.route(
        "/cached",
        static(samples.rss20(samples.items(1)), headers={"Cache-Control": "max-age=10800"}),
    )
    server.serve(
        "/ttl", samples.rss20(samples.items(1, prefix="t"), extra_channel="<ttl>300</ttl>")
    )
    busy = await sources.add_feed(db, server.url("/busy"))
    cached = await sources.add_feed(db, server.url("/cached"))
    ttl = await sources.add_feed(db, server.url("/ttl"))
    await make_ingestor().run()
    now = utcnow()
    busy_feed = await feed_row(db, busy)
    assert busy_feed.next_check_at >= now + timedelta(minutes=115)
    assert "429" in (busy_feed.last_error or "")
    assert (await feed_row(db, cached)).next_check_at >= now + timedelta(minutes=175)
    ttl_feed = await feed_row(db, ttl)
    assert ttl_feed.ttl_minutes == 300 and ttl_feed.next_check_at >= now + timedelta(minutes=295)


async def test_only_due_active_feeds_are_checked(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    for path in ("/due", "/later", "/paused", "/disabled"):
        server.serve(path, samples.rss20(samples.items(1, prefix=path.strip("/"))))
    ids = {
        p: await sources.add_feed(db, server.url(p))
        for p in ("/due", "/later", "/paused", "/disabled")
    }
    async with db.transaction() as session:
        await session.execute(
            update(Feed)
            .where(Feed.id == ids["/later"])
            .values(next_check_at=utcnow() + timedelta(hours=1))
        )
        await session.execute(update(Feed).where(Feed.id == ids["/paused"]).values(paused=True))
        await session.execute(update(Feed).where(Feed.id == ids["/disabled"]).values(disabled=True))
    ingestor = make_ingestor()
    assert [f.id for f in await ingestor.due_feeds()] == [ids["/due"]]
    assert {f.id for f in await ingestor.due_feeds(all_feeds=True)} == {ids["/due"], ids["/later"]}


async def test_passes_never_overlap(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    release = asyncio.Event()

    arrived = asyncio.Event()

    async def slow(request: web.Request) -> web.StreamResponse:
        arrived.set()
        await release.wait()
        return web.Response(body=samples.rss20(samples.items(1)).encode())

    server.route("/slow", slow)
    await sources.add_feed(db, server.url("/slow"))
    ingestor = make_ingestor()
    first = asyncio.create_task(ingestor.run())
    await arrived.wait()
    assert ingestor.busy
    assert await ingestor.run() is None  # the second tick steps aside
    release.set()
    report = await first
    assert report is not None and report.new == 1 and not ingestor.busy


async def test_a_feed_removed_mid_pass_is_skipped(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    feed_ids: list[int] = []

    async def remove_then_answer(request: web.Request) -> web.StreamResponse:
        await sources.remove_feed(db, feed_ids[0])
        return web.Response(body=samples.rss20(samples.items(1)).encode())

    server.route("/feed", remove_then_answer)
    feed_ids.append(await sources.add_feed(db, server.url("/feed")))
    report = await make_ingestor().run()
    assert report is not None and report.new == 0 and report.errors == 0
    assert await count_articles(db) == 0


async def test_articles_are_added_through_the_orm(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    """Search keeps its index in sync from ORM session events; inserts must go through them."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    seen: list[str] = []

    def after_flush(session: Session, _context: object) -> None:
        seen.extend(obj.guid for obj in session.new if isinstance(obj, Article))

    event.listen(Session, "after_flush", after_flush)
    try:
        server.serve("/feed", samples.rss20(samples.items(2)))
        await sources.add_feed(db, server.url("/feed"))
        await make_ingestor().run()
    finally:
        event.remove(Session, "after_flush", after_flush)
    assert sorted(seen) == ["berita-0", "berita-1"]


def test_a_text_the_summarizer_chokes_on_gets_an_empty_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kabar import pool

    real = pool.summarize

    def flaky(text: str, **kwargs: object) -> object:
        if "racun" in text:
            raise ValueError("boom")
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pool, "summarize", flaky)
    when = utcnow()
    results = pool.summarize_batch(
        [(1, "t", "Kalimat pertama. Kalimat kedua.", "id", when), (2, "t", "racun", None, when)], 2
    )
    assert results[0][0] == 1 and results[0][1]
    assert results[1][:3] == (2, "", None)
    assert results[1][3].body == ("racun",)  # still indexed, with no summary


async def test_items_older_than_retention_are_not_stored_again(
    db: Database, server: FeedServer, make_ingestor: MakeIngestor
) -> None:
    entries = samples.items(3)
    server.serve("/feed", samples.rss20(entries))
    await sources.add_feed(db, server.url("/feed"))
    age = (utcnow() - samples.BASE_DATE).days
    # The sample items are `age` days old: a window one day shorter leaves them out, since
    # retention would delete them and every pass would bring them back as new.
    report = await make_ingestor(retention_days=age - 1).run(all_feeds=True)
    assert report is not None
    assert (report.new, await count_articles(db)) == (0, 0)
    async with db.transaction() as session:  # forget the validators, so the feed is re-read
        await session.execute(update(Feed).values(etag=None, last_modified=None))
    report = await make_ingestor(retention_days=age + 30).run(all_feeds=True)
    assert report is not None
    assert report.new == 3
