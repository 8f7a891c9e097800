"""Finding a feed from a page URL: the URL itself, <link rel="alternate">, or a usual path."""

from __future__ import annotations

import pytest

from kabar.errors import FeedError
from kabar.feeds.discover import alternate_links, discover_feed
from tests.feeds import samples
from tests.feeds.conftest import MakeFetcher
from tests.feeds.server import FeedServer, redirect

PAGE = """<!DOCTYPE html><html><head><title>Portal</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss/terkini.xml">
<link rel="alternate" type="application/atom+xml" href="https://other.example/atom">
</head><body>Berita</body></html>"""


def test_alternate_links_in_page_order_resolved() -> None:
    links = alternate_links(PAGE.encode(), "https://portal.example/berita/")
    assert links == ["https://portal.example/rss/terkini.xml", "https://other.example/atom"]
    based = PAGE.replace("<head>", '<head><base href="https://cdn.example/x/">')
    assert alternate_links(based.encode(), "https://portal.example/")[0] == (
        "https://cdn.example/rss/terkini.xml"
    )
    assert alternate_links(b"", "https://x.example/") == []


async def test_a_feed_url_is_its_own_feed(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    server.serve("/rss", samples.rss20(samples.items(1), title="Langsung"))
    found = await discover_feed(make_fetcher(), server.url("/rss"))
    assert found.url == server.url("/rss") and found.title == "Langsung"


async def test_a_page_leads_to_its_feed(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    server.serve("/", PAGE, content_type="text/html")
    server.serve("/rss/terkini.xml", samples.rss20(samples.items(1), title="Terkini"))
    found = await discover_feed(make_fetcher(), server.url("/"))
    assert found.url == server.url("/rss/terkini.xml")
    assert found.title == "Terkini" and found.format == "rss20"


async def test_well_known_paths_when_the_page_names_none(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.serve("/home", "<html><body>no links</body></html>", content_type="text/html")
    server.serve("/feed", samples.atom10(samples.items(1)))
    found = await discover_feed(make_fetcher(), server.url("/home"))
    assert found.url == server.url("/feed")


async def test_permanent_redirect_gives_the_new_url(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/old", redirect("/rss", 301))
    server.serve("/rss", samples.rss20(samples.items(1)))
    found = await discover_feed(make_fetcher(), server.url("/old"))
    assert found.url == server.url("/rss")


async def test_no_feed_anywhere(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    server.serve("/", "<html><body>nothing</body></html>", content_type="text/html")
    with pytest.raises(FeedError, match="no feed found"):
        await discover_feed(make_fetcher(), server.url("/"))
    with pytest.raises(FeedError, match="HTTP 404"):
        await discover_feed(make_fetcher(), server.url("/missing"))
