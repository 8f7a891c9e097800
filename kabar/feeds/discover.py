"""Find the feed behind a URL: the URL itself, a page's <link rel="alternate">, or a usual path."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from kabar.errors import FeedError, ParseError
from kabar.feeds.fetch import Fetcher, FetchResult
from kabar.feeds.parse import parse_feed

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
WELL_KNOWN = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json")
MAX_CANDIDATES = 8


@dataclass(frozen=True, slots=True)
class Discovered:
    """A feed found for a URL, with what its document says about itself."""

    url: str
    title: str | None
    site_url: str | None
    format: str


async def discover_feed(fetcher: Fetcher, url: str) -> Discovered:
    """The feed at `url`, or the one its HTML page points to; FeedError when there is none."""
    result = await fetcher.fetch_feed(url)
    found = _as_feed(result, url)
    if found is not None:
        return found
    tried = {url, result.url}
    for candidate in (*alternate_links(result.content, result.url), *_well_known(result.url)):
        if candidate in tried or len(tried) > MAX_CANDIDATES:
            continue
        tried.add(candidate)
        try:
            feed_result = await fetcher.fetch_feed(candidate)
        except FeedError:
            continue
        found = _as_feed(feed_result, candidate)
        if found is not None:
            return found
    raise FeedError(f"no feed found at {url[:200]} (no RSS, Atom or JSON Feed, no feed link)")


def alternate_links(content: bytes, base: str) -> list[str]:
    """Feed URLs a page announces with <link rel="alternate" type="...">, in page order."""
    try:
        root = lxml.html.fromstring(content)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = urljoin(base, (root.xpath("string(//base/@href)") or "").strip())
    links = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            absolute = urljoin(base, href)
            if urlsplit(absolute).scheme in ("http", "https") and absolute not in links:
                links.append(absolute)
    return links


def _well_known(url: str) -> list[str]:
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    return [root + path for path in WELL_KNOWN]


def _as_feed(result: FetchResult, asked: str) -> Discovered | None:
    try:
        parsed = parse_feed(
            result.content, url=result.url, fetched_at=result.fetched_at, headers=result.headers
        )
    except ParseError:
        return None
    # Keep the URL as given unless every redirect was permanent: temporary ones may end.
    return Discovered(
        url=result.moved_to or asked,
        title=parsed.title,
        site_url=parsed.site_url,
        format=parsed.format,
    )
