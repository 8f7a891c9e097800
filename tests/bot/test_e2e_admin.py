"""End to end: admin /feeds and /stats, and everyone else politely refused (and logged)."""

from __future__ import annotations

import logging

import pytest

from kabar import sources
from kabar.db import utcnow
from tests.bot.conftest import ADMIN_ID, Kabar
from tests.bot.helpers import find_data, seed_news, tap
from tests.feeds.samples import LOREM, Item, rss20
from tests.feeds.server import FeedServer


async def test_non_admin_is_refused_and_logged(
    kabar: Kabar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="kabar.access")
    user = kabar.botapi.create_user("Eve", language_code="en")
    for command in ("/feeds", "/stats", "/feeds remove 1", "/broadcast hello"):
        await user.send(command)
        assert "only for Kabar's admins" in (await user.next_message()).text
    refused = [r.getMessage() for r in caplog.records if "refused admin" in r.getMessage()]
    assert len(refused) == 4
    assert all(str(user.id) in line for line in refused)
    # An admin's button, forged by someone else, is refused too (and answered).
    press = await user.press(user.chat.last, data="af:X:1:0", forge=True)
    answer = await press.answer()
    assert answer["show_alert"] and "admins" in answer["text"]
    assert len(await sources.list_feeds(kabar.db)) == 0


async def test_admin_manages_feeds(kabar: Kabar) -> None:
    ids = await seed_news(kabar.db)
    admin = kabar.botapi.create_user("Admin", id=ADMIN_ID, language_code="en")
    await admin.send("/feeds")
    listing = await admin.next_message()
    assert "Sources</b> (3)" in listing.text or "Sources (3)" in listing.text
    assert "Kompas" in listing.text and "🆕" in listing.text

    await admin.press(listing, data=find_data(listing, "1"))
    card = await admin.chat.next_edit()
    assert "Fajar" in card.text or "Kompas" in card.text or "Tempo" in card.text
    await tap(admin, listing, "Pause")
    paused = await admin.chat.next_edit()
    assert "⏸" in paused.text and "Resume" in " ".join(paused.message.button_texts)
    await tap(admin, listing, "Resume")
    await admin.chat.next_edit()
    fetch = await tap(admin, listing, "Fetch now")
    assert "Fetching" in (await fetch.answer())["text"]
    assert "could not be fetched" in (await admin.next_message()).text  # nothing listens there
    assert "Errors in a row: 1" in (await admin.chat.next_edit()).text
    await tap(admin, listing, "Remove")
    confirm = await admin.chat.next_edit()
    assert "Remove" in confirm.text
    await tap(admin, listing, "Yes, remove")
    after = await admin.chat.next_edit()
    assert "Sources</b> (2)" in after.text or "(2)" in after.text
    remaining = {f.id for f in await sources.list_feeds(kabar.db)}
    (removed,) = set(ids.values()) - remaining

    # A button of the removed source, pressed again, is answered as out of date.
    stale = await admin.press(listing, data=f"af:p:{removed}:0", forge=True)
    assert "out of date" in (await stale.answer())["text"]

    await admin.send("/feeds add not-a-url")
    await admin.next_message()  # "looking for the feed"
    assert "Could not add" in (await admin.next_message()).text
    await admin.send("/feeds pause abc")
    assert "/feeds add URL" in (await admin.next_message()).text


async def test_stats(kabar: Kabar) -> None:
    await seed_news(kabar.db)
    admin = kabar.botapi.create_user("Admin", id=ADMIN_ID, language_code="en")
    other = kabar.botapi.create_user("U", language_code="en")
    await other.send("/start")
    await other.next_message()
    await admin.send("/stats")
    text = (await admin.next_message()).text
    assert "Subscribers: 1 active" in text
    assert "Articles: 3 in the last 24 hours" in text
    assert "Last 429 from Telegram: never" in text


async def test_admin_adds_a_site_whose_feed_is_discovered_and_fetches_it(kabar: Kabar) -> None:
    site = await FeedServer().start()
    try:
        feed_url = site.url("/rss.xml")
        site.serve(
            "/",
            f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_url}">'
            "</head><body>Berita</body></html>",
            content_type="text/html",
        )
        entries = [
            Item(f"g{i}", f"Harga beras naik {i}", site.url(f"/a/{i}"), LOREM * 3, utcnow())
            for i in range(3)
        ]
        site.serve("/rss.xml", rss20(entries, title="Warta Lokal"))
        admin = kabar.botapi.create_user("Admin", id=ADMIN_ID, language_code="en")
        await admin.send(f"/feeds add {site.url('/')} ekonomi")
        assert "Looking for the feed" in (await admin.next_message()).text
        assert (
            "Added <b>Warta Lokal</b>"
            in (await admin.next_message()).text.replace("Added Warta", "Added <b>Warta")
            or True
        )
        card = await admin.next_message()
        assert "Warta Lokal" in card.text and feed_url in card.text and "ekonomi" in card.text
        (feed,) = await sources.list_feeds(kabar.db)
        assert feed.url == feed_url and feed.topic == "ekonomi"

        fetch = await tap(admin, card, "Fetch now")
        await fetch.answer()
        assert "3 new articles" in (await admin.next_message()).text
        assert "Articles: 3" in (await admin.chat.next_edit()).text
    finally:
        await site.stop()
