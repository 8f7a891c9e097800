"""JSON Feed 1.0 and 1.1 (jsonfeed.org) adapted into the same shape as RSS and Atom."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kabar.errors import ParseError
from kabar.feeds.dates import parse_date, settle
from kabar.feeds.fields import absolute_url, collect_items, make_guid
from kabar.feeds.htmltext import html_to_text, inline_text
from kabar.feeds.language import is_default_english, normalize_language
from kabar.feeds.model import AUTHOR_MAX, TITLE_MAX, FeedItem, ParsedFeed

VERSION_PREFIX = "https://jsonfeed.org/version/1"
_FORMATS = {
    "https://jsonfeed.org/version/1": "json10",
    "https://jsonfeed.org/version/1.1": "json11",
}


def looks_like_json(content: bytes, content_type: str | None) -> bool:
    """Whether the body is JSON: by its media type, or by its first character."""
    if content_type and "json" in content_type.lower():
        return True
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def parse_json_feed(content: bytes, *, url: str, fetched_at: datetime) -> ParsedFeed:
    """A JSON Feed document; ParseError if it is not JSON or not a JSON Feed."""
    document = _load(content)
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        VERSION_PREFIX
    ):
        raise ParseError("JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("JSON Feed without an items list")
    base = absolute_url(document.get("feed_url"), url) or url
    parsed = ParsedFeed(
        format=_FORMATS.get(str(document["version"]).rstrip("/"), "json1x"),
        title=inline_text(_text(document.get("title")), TITLE_MAX) or None,
        site_url=absolute_url(document.get("home_page_url"), base),
        language=normalize_language(_text(document.get("language"))),
        language_suspect=is_default_english(_text(document.get("language"))),
    )
    feed_author = _author(document)
    candidates = (
        _item(raw, base, fetched_at, feed_author) if isinstance(raw, dict) else None
        for raw in items
    )
    collect_items(parsed, candidates, len(items))
    return parsed


def _load(content: bytes) -> Any:
    try:
        return json.loads(content.lstrip(b"\xef\xbb\xbf"))
    except UnicodeDecodeError:
        # The spec says UTF-8; servers sometimes send windows-1252 anyway.
        try:
            return json.loads(content.decode("windows-1252", errors="replace"))
        except ValueError as exc:
            raise ParseError(f"invalid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {str(exc)[:200]}") from None


def _item(
    raw: dict[str, Any], base: str, fetched_at: datetime, feed_author: str | None
) -> FeedItem | None:
    link = absolute_url(raw.get("url"), base) or absolute_url(raw.get("external_url"), base)
    title = inline_text(_text(raw.get("title")), TITLE_MAX)
    if not link and not title:
        return None
    html = _text(raw.get("content_html"))
    text = html_to_text(html) if html else html_to_text(_text(raw.get("content_text")))
    if not text:
        text = html_to_text(_text(raw.get("summary")))
    published = parse_date(_text(raw.get("date_published"))) or parse_date(
        _text(raw.get("date_modified"))
    )
    identifier = raw.get("id")
    return FeedItem(
        guid=make_guid(
            identifier if isinstance(identifier, str | int) else None, link, title, published
        ),
        url=link,
        title=title or inline_text(text, 120),
        published_at=settle(published, fetched_at),
        text=text,
        author=_author(raw) or feed_author,
        image_url=absolute_url(raw.get("image"), base)
        or absolute_url(raw.get("banner_image"), base),
        language=normalize_language(_text(raw.get("language"))),
        dated=published is not None,
    )


def _author(obj: dict[str, Any]) -> str | None:
    """1.1 `authors` list, else the 1.0 `author` object."""
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    for author in candidates:
        if isinstance(author, dict) and _text(author.get("name")):
            return inline_text(_text(author.get("name")), AUTHOR_MAX) or None
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
