"""CPU work between fetching and storing, done in the process pool: parse, text, keys, language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kabar.feeds.dates import settle
from kabar.feeds.dedup import canonical_url, fingerprints
from kabar.feeds.extract import extract_page
from kabar.feeds.model import FeedItem, ParsedFeed
from kabar.feeds.parse import parse_feed
from kabar.text.language import detect_language

TEASER_CHARS = 600  # shorter than this, a feed's text is a teaser, not the article
_TEASER_END = re.compile(
    r"(\.\.\.|…|\[…\]|\[\.\.\.\]|»|read more|continue reading|baca selengkapnya|selengkapnya)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class LanguageRule:
    """Where an article's language comes from: the operator, the feed, or detection."""

    fixed: str | None = None  # the operator set it on the feed: always used
    declared: str | None = None  # the feed document says so: used unless it is suspect
    suspect: bool = False  # the declaration is a tool's default ("en-US"), so it is checked

    def choose(self, item: FeedItem) -> str | None:
        """The language for `item`."""
        if self.fixed:
            return self.fixed
        if item.language:
            return item.language
        if self.declared and not self.suspect:
            return self.declared
        return detect_language(f"{item.title}\n{item.text}") or self.declared


def is_teaser(text: str) -> bool:
    """Whether `text` looks like the start of an article rather than the article."""
    return len(text) < TEASER_CHARS or bool(_TEASER_END.search(text[-40:]))


def enrich(item: FeedItem, rule: LanguageRule) -> FeedItem:
    """Fill in the dedup keys, the teaser flag and the language."""
    item.canonical_url = canonical_url(item.url)
    item.content_hash, item.simhash = fingerprints(item.title, item.text)
    item.teaser = is_teaser(item.text)
    item.language = rule.choose(item)
    return item


def prepare_feed(
    content: bytes,
    url: str,
    headers: Mapping[str, str],
    fetched_at: datetime,
    fixed_language: str | None,
) -> ParsedFeed:
    """Parse a fetched feed and enrich every item (a pool task: arguments and result pickle)."""
    parsed = parse_feed(content, url=url, fetched_at=fetched_at, headers=headers)
    rule = LanguageRule(fixed_language, parsed.language, parsed.language_suspect)
    for item in parsed.items:
        enrich(item, rule)
    return parsed


def complete_item(
    item: FeedItem, content: bytes, url: str, rule: LanguageRule, fetched_at: datetime
) -> FeedItem:
    """`item` with its page's full text and metadata, when the page yields more (a pool task)."""
    page = extract_page(content, url)
    if page is None or len(page.text) <= len(item.text):
        return item
    item.text = page.text
    item.author = item.author or page.author
    item.image_url = item.image_url or page.image_url
    if not item.dated and page.published_at is not None:
        item.published_at = settle(page.published_at, fetched_at)
        item.dated = True
    item.language = None  # decided again on the full text
    enrich(item, rule)
    page_canonical = canonical_url(page.canonical_url)
    if page_canonical:
        item.canonical_url = page_canonical
    return item
