"""The one internal shape every feed format is adapted into: a feed and its items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TITLE_MAX = 500
AUTHOR_MAX = 200
GUID_MAX = 1024
URL_MAX = 2048
MAX_ITEMS = 1000  # a feed offering more is either an archive dump or an attack


@dataclass(slots=True)
class FeedItem:
    """One entry, normalized: plain-text title and text, absolute URL, aware UTC date."""

    guid: str
    url: str | None
    title: str
    published_at: datetime
    text: str = ""
    author: str | None = None
    image_url: str | None = None
    language: str | None = None
    dated: bool = True  # False when the feed gave no usable date and the fetch time stands in
    # Filled by kabar.feeds.prepare: dedup keys and whether the text is only a teaser.
    canonical_url: str | None = None
    content_hash: str | None = None
    simhash: int | None = None
    teaser: bool = False


@dataclass(slots=True)
class ParsedFeed:
    """A parsed feed document; `warnings` say what was odd but survivable."""

    format: str  # "rss20", "atom10", "json11"...: feedparser's version names
    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    language_suspect: bool = False  # declared "en-US", the default of blogging tools
    ttl_minutes: int | None = None
    items: list[FeedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def warning(self) -> str | None:
        """All warnings in one line, for Feed.last_warning."""
        return "; ".join(self.warnings)[:1000] if self.warnings else None
