"""The safe fetcher against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import pytest
from aiohttp import web

from kabar.errors import FetchError, UnsafeURLError
from kabar.feeds.fetch import FEED_ACCEPT
from kabar.feeds.netsafety import IPAddress, parse_ip
from tests.feeds.conftest import MakeFetcher, fixed_resolver
from tests.feeds.server import FeedServer, Streamed, drip, redirect, static, status, stream

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


async def test_plain_get_sends_a_clear_user_agent_and_accept(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.serve("/feed", FEED)
    result = await make_fetcher().fetch_feed(server.url("/feed"))
    assert result.status == 200 and result.content == FEED
    assert result.url == server.url("/feed") and result.moved_to is None
    hit = server.hits[-1]
    assert hit.headers["User-Agent"].startswith("Kabar/")
    assert hit.headers["Accept"] == FEED_ACCEPT
    assert "gzip" in hit.headers["Accept-Encoding"]


async def test_conditional_get_gives_304(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    server.serve("/feed", FEED)
    fetcher = make_fetcher()
    first = await fetcher.fetch_feed(server.url("/feed"))
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    second = await fetcher.fetch_feed(server.url("/feed"), etag=etag, last_modified=modified)
    assert second.not_modified and second.content == b""
    assert server.hits[-1].headers["If-None-Match"] == etag
    assert server.hits[-1].headers["If-Modified-Since"] == modified
    server.serve("/lm", FEED, etag=False)
    third = await fetcher.fetch_feed(server.url("/lm"), last_modified=modified)
    assert third.not_modified


async def test_compressed_bodies_are_decoded(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    server.serve("/gz", gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    server.serve("/deflate", zlib.compress(FEED), headers={"Content-Encoding": "deflate"})
    fetcher = make_fetcher()
    assert (await fetcher.fetch_feed(server.url("/gz"))).content == FEED
    assert (await fetcher.fetch_feed(server.url("/deflate"))).content == FEED


async def test_redirects_are_followed_and_permanent_ones_reported(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.serve("/new", FEED)
    server.route("/p1", redirect("/p2", 301))
    server.route("/p2", redirect(server.url("/new"), 308))
    server.route("/t1", redirect("/new", 302))
    server.route("/mixed", redirect("/t1", 301))
    fetcher = make_fetcher()
    moved = await fetcher.fetch_feed(server.url("/p1"))
    assert moved.url == server.url("/new") and moved.moved_to == server.url("/new")
    temporary = await fetcher.fetch_feed(server.url("/t1"))
    assert temporary.url == server.url("/new") and temporary.moved_to is None
    assert (await fetcher.fetch_feed(server.url("/mixed"))).moved_to is None


async def test_redirect_loops_and_long_chains_fail(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))
    for n in range(7):
        server.route(f"/r{n}", redirect(f"/r{n + 1}"))
    server.serve("/r7", FEED)
    fetcher = make_fetcher()
    with pytest.raises(FetchError, match="redirect loop"):
        await fetcher.fetch_feed(server.url("/a"))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        await fetcher.fetch_feed(server.url("/r0"))
    assert server.count("/r6") == 0  # stopped after five
    assert (await fetcher.fetch_feed(server.url("/r2"))).content == FEED  # exactly five is fine


async def test_redirect_to_another_scheme_is_refused(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/file", redirect("file:///etc/passwd"))
    server.route("/ftp", redirect("ftp://127.0.0.1/feed"))
    fetcher = make_fetcher()
    for path in ("/file", "/ftp"):
        with pytest.raises(UnsafeURLError, match="only http and https"):
            await fetcher.fetch_feed(server.url(path))


async def test_redirect_to_loopback_is_refused_with_protection_on(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    """The first hop is allowed by name; the redirect to the literal 127.0.0.1 is not."""
    resolver = fixed_resolver({"feeds.test": ["127.0.0.1"]})
    fetcher = make_fetcher(
        allow_private=False, allowed=frozenset({"feeds.test"}), resolver=resolver
    )
    server.serve("/ok", FEED)
    server.route("/evil", redirect(server.url("/ok"), 302))
    assert (await fetcher.fetch_feed(server.url("/ok", "feeds.test"))).content == FEED
    before = server.count("/ok")
    with pytest.raises(UnsafeURLError, match="loopback"):
        await fetcher.fetch_feed(server.url("/evil", "feeds.test"))
    assert server.count("/evil") == 1 and server.count("/ok") == before  # never reached


async def test_the_system_resolver_is_checked_too(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.serve("/ok", FEED)
    with pytest.raises(UnsafeURLError, match="loopback"):
        await make_fetcher(allow_private=False).fetch_feed(server.url("/ok", "localhost"))
    assert server.count("/ok") == 0
    allowed = make_fetcher(allow_private=False, allowed=frozenset({"localhost"}))
    assert (await allowed.fetch_feed(server.url("/ok", "localhost"))).content == FEED


@pytest.fixture
async def two_ip_server() -> FeedServer:
    """One server on 127.0.0.1 and 127.0.0.2 with the same port, to tell which was reached."""
    srv = FeedServer(hosts=("127.0.0.2", "127.0.0.1"))
    try:
        await srv.start()
    except OSError:
        pytest.skip("cannot bind 127.0.0.2 here")
    yield srv  # type: ignore[misc]
    await srv.stop()


async def test_dns_rebinding_cannot_swap_the_address_after_the_check(
    two_ip_server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    """The allowlisted answer is the address connected to; a second lookup never happens."""
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[IPAddress]:
        calls.append(host)
        answer = "127.0.0.2" if len(calls) == 1 else "127.0.0.1"  # then "rebinds"
        address = parse_ip(answer)
        assert address is not None
        return [address]

    two_ip_server.serve("/feed", FEED)
    fetcher = make_fetcher(
        allow_private=False, allowed=frozenset({"127.0.0.2/32"}), resolver=rebinding
    )
    result = await fetcher.fetch_feed(two_ip_server.url("/feed", "rebind.test"))
    assert result.content == FEED
    assert calls == ["rebind.test"]
    assert [h.local_ip for h in two_ip_server.hits] == ["127.0.0.2"]
    await fetcher.aclose()
    # A fresh client resolves again, gets the rebound answer, and is refused before connecting.
    again = make_fetcher(
        allow_private=False, allowed=frozenset({"127.0.0.2/32"}), resolver=rebinding
    )
    with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1"):
        await again.fetch_feed(two_ip_server.url("/feed", "rebind.test"))
    assert len(two_ip_server.hits) == 1


async def test_every_resolved_address_is_checked(
    two_ip_server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    resolver = fixed_resolver({"mixed.test": ["127.0.0.2", "127.0.0.1"]})
    two_ip_server.serve("/feed", FEED)
    fetcher = make_fetcher(
        allow_private=False, allowed=frozenset({"127.0.0.2/32"}), resolver=resolver
    )
    with pytest.raises(UnsafeURLError):
        await fetcher.fetch_feed(two_ip_server.url("/feed", "mixed.test"))
    assert two_ip_server.hits == []


@pytest.mark.parametrize("code", [404, 410, 500, 502, 403])
async def test_error_statuses(server: FeedServer, make_fetcher: MakeFetcher, code: int) -> None:
    server.route("/x", status(code))
    with pytest.raises(FetchError, match=f"HTTP {code}") as info:
        await make_fetcher().fetch_feed(server.url("/x"))
    assert info.value.status == code and info.value.retry_after is None


async def test_429_and_503_carry_retry_after(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    server.route("/busy", status(429, {"Retry-After": "120"}))
    server.route("/down", status(503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    fetcher = make_fetcher()
    with pytest.raises(FetchError) as busy:
        await fetcher.fetch_feed(server.url("/busy"))
    assert busy.value.status == 429 and busy.value.retry_after == 120
    with pytest.raises(FetchError) as down:
        await fetcher.fetch_feed(server.url("/down"))
    assert down.value.status == 503 and down.value.retry_after == 7 * 24 * 3600


async def test_a_slow_drip_hits_the_whole_request_deadline(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/drip", drip(interval=0.05))
    with pytest.raises(FetchError, match=r"no complete answer within 0\.5 s"):
        await asyncio.wait_for(make_fetcher(timeout=0.5).fetch_feed(server.url("/drip")), 10)


async def test_a_50_mb_body_stops_at_the_cap(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    sent = Streamed()
    server.route("/huge", stream(50_000_000, b"x" * 65_536, counter=sent))
    with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
        await make_fetcher(max_bytes=1_000_000).fetch_feed(server.url("/huge"))
    await asyncio.sleep(0.1)
    assert sent.sent < 20_000_000  # the server was cut off long before 50 MB


async def test_a_gzip_bomb_stops_early(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    piece = compressor.compress(b"\0" * 10_000_000) + compressor.flush(zlib.Z_SYNC_FLUSH)
    sent = Streamed()
    server.route(
        "/bomb", stream(len(piece) * 100, piece, headers={"Content-Encoding": "gzip"}, counter=sent)
    )  # a gigabyte decoded
    with pytest.raises(FetchError, match="larger than 1,000,000 bytes"):
        await make_fetcher(max_bytes=1_000_000).fetch_feed(server.url("/bomb"))


async def test_per_host_and_global_limits(server: FeedServer, make_fetcher: MakeFetcher) -> None:
    active = {"now": 0, "peak": 0}

    async def slow(request: web.Request) -> web.StreamResponse:
        active["now"] += 1
        active["peak"] = max(active["peak"], active["now"])
        await asyncio.sleep(0.05)
        active["now"] -= 1
        return web.Response(body=FEED)

    server.route("/slow", slow)
    resolver = fixed_resolver({f"h{i}.test": ["127.0.0.1"] for i in range(4)})
    per_host = make_fetcher(resolver=resolver, per_host=2, concurrency=10)
    await asyncio.gather(*(per_host.fetch_feed(server.url("/slow", "h0.test")) for _ in range(6)))
    assert active["peak"] == 2
    active["peak"] = 0
    overall = make_fetcher(resolver=resolver, per_host=5, concurrency=3)
    urls = [server.url("/slow", f"h{i % 4}.test") for i in range(12)]
    await asyncio.gather(*(overall.fetch_feed(u) for u in urls))
    assert active["peak"] == 3


async def test_connection_refused_is_a_fetch_error(make_fetcher: MakeFetcher) -> None:
    with pytest.raises(FetchError, match="cannot connect"):
        await make_fetcher().fetch_feed("http://127.0.0.1:9/feed")


async def test_non_http_urls_are_refused(make_fetcher: MakeFetcher) -> None:
    fetcher = make_fetcher()
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/", "http://u:p@127.0.0.1/"):
        with pytest.raises(UnsafeURLError):
            await fetcher.fetch_feed(url)


async def test_page_fetch_uses_its_own_accept(
    server: FeedServer, make_fetcher: MakeFetcher
) -> None:
    server.route("/page", static("<html><body>hi</body></html>", content_type="text/html"))
    result = await make_fetcher().fetch_page(server.url("/page"))
    assert result.content.startswith(b"<html>")
    assert server.hits[-1].headers["Accept"].startswith("text/html")


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1", "017700000001"])
async def test_numeric_spellings_of_loopback_are_refused(
    server: FeedServer, make_fetcher: MakeFetcher, host: str
) -> None:
    """The C resolver reads these as 127.0.0.1 (no network involved); the check sees that."""
    server.serve("/feed", FEED)
    with pytest.raises(UnsafeURLError, match=r"\(127\.0\.0\.1\): the address is loopback"):
        await make_fetcher(allow_private=False).fetch_feed(server.url("/feed", host))
    assert server.hits == []
