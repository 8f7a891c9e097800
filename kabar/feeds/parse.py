"""Parse a fetched feed body (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.x) into one shape.

feedparser only ever receives an in-memory stream: given a string it opens it as a URL or a
file path, and given bytes it still tries them as a file path first (a body that reads
"/etc/passwd" would be that file), so the bytes go in wrapped in BytesIO.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import feedparser

from kabar.errors import ParseError
from kabar.feeds.dates import from_struct, settle
from kabar.feeds.encoding import to_utf8_xml
from kabar.feeds.fields import absolute_url, collect_items, make_guid
from kabar.feeds.htmltext import html_to_text, inline_text
from kabar.feeds.jsonfeed import looks_like_json, parse_json_feed
from kabar.feeds.language import is_default_english, normalize_language
from kabar.feeds.model import AUTHOR_MAX, TITLE_MAX, FeedItem, ParsedFeed

_PROLOG_MAX = 64 * 1024
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?[^\s>]+\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.I)
_CHAR_REF_ONLY = re.compile(rb"^[\"'](?:[^&\"']|&#x?[0-9a-fA-F]{1,6};)*[\"']$")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.I)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.I)
_MAX_ENTITIES = 50


def parse_feed(
    content: bytes,
    *,
    url: str,
    fetched_at: datetime,
    headers: Mapping[str, str] | None = None,
) -> ParsedFeed:
    """The feed in `content`, fetched from `url`; ParseError when it is not a feed at all."""
    headers = headers or {}
    content_type = headers.get("content-type")
    if not content.strip():
        raise ParseError("the server sent an empty body")
    if looks_like_json(content, content_type):
        return parse_json_feed(content, url=url, fetched_at=fetched_at)
    refuse_entities(content)
    data, note = to_utf8_xml(content, content_type)
    result = feedparser.parse(
        io.BytesIO(data),
        # No content-location: links are resolved here against the final URL, and without a
        # base feedparser skips a URL join on every element (a sixth of its time).
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-language": headers.get("content-language", ""),
        },
        sanitize_html=False,  # HTML is reduced to text below; nothing from a feed is rendered
        resolve_relative_uris=False,
    )
    return _from_feedparser(result, content, url, fetched_at, note)


def refuse_entities(content: bytes) -> None:
    """ParseError if the prolog declares external, parameter or nested entities.

    Those are how XXE (reading local files) and billion-laughs (exponential expansion) work;
    real feeds declare at most a few plain character entities.
    """
    first = _FIRST_ELEMENT.search(content, 0, _PROLOG_MAX)
    prolog = content[: first.start()] if first else content[:_PROLOG_MAX]
    if b"<!ENTITY" not in prolog.upper():
        return
    declarations = _ENTITY.findall(prolog)
    if len(declarations) > _MAX_ENTITIES or prolog.upper().count(b"<!ENTITY") != len(declarations):
        raise ParseError("the feed declares XML entities Kabar cannot vet; refused")
    for parameter, value in declarations:
        if parameter or value.upper() in (b"SYSTEM", b"PUBLIC"):
            raise ParseError("the feed declares an external entity (XXE); refused")
        if not _CHAR_REF_ONLY.match(value):
            raise ParseError("the feed declares nested entities (entity expansion); refused")


def _from_feedparser(
    result: Any, content: bytes, url: str, fetched_at: datetime, note: str | None
) -> ParsedFeed:
    version = str(result.get("version") or "")
    entries = list(result.get("entries") or [])
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if not version and not entries:
        if _HTML_START.match(content[:4096]):
            raise ParseError("this is an HTML page, not a feed (add the page to discover its feed)")
        raise ParseError(f"not an RSS, Atom or JSON feed ({_short(problem) or 'no feed found'})")
    feed = result.get("feed") or {}
    parsed = ParsedFeed(
        format=version or "unknown",
        title=inline_text(str(feed.get("title") or ""), TITLE_MAX) or None,
        site_url=absolute_url(feed.get("link"), url),
        language=normalize_language(feed.get("language")),
        language_suspect=is_default_english(feed.get("language")),
        ttl_minutes=_ttl(feed.get("ttl")),
    )
    if note:
        parsed.warnings.append(note)
    if problem is not None:
        parsed.warnings.append(f"feed is not well-formed ({_short(problem)}); kept what parsed")
    collect_items(parsed, (_entry_item(e, url, fetched_at) for e in entries), len(entries))
    return parsed


def _entry_item(entry: Any, base: str, fetched_at: datetime) -> FeedItem | None:
    link = absolute_url(entry.get("link"), base)
    title = inline_text(str(entry.get("title") or ""), TITLE_MAX)
    if not link and not title:
        return None
    body = _body(entry)
    text = html_to_text(body)
    published = from_struct(
        entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    )
    return FeedItem(
        guid=make_guid(entry.get("id"), link, title, published),
        url=link,
        title=title or inline_text(text, 120),
        published_at=settle(published, fetched_at),
        text=text,
        author=_author(entry),
        image_url=_image(entry, body, link or base),
        language=normalize_language((entry.get("title_detail") or {}).get("language")),
        dated=published is not None,
    )


def _body(entry: Any) -> str:
    contents = [str(c.get("value") or "") for c in entry.get("content") or []]
    longest = max(contents, key=len, default="")
    summary = str(entry.get("summary") or "")
    return longest if len(longest) >= len(summary) else summary


def _author(entry: Any) -> str | None:
    name = entry.get("author")
    if not name:
        authors = entry.get("authors") or []
        name = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
    text = inline_text(str(name), AUTHOR_MAX) if name else ""
    return text or None


def _image(entry: Any, body: str, base: str) -> str | None:
    for candidate in _image_candidates(entry):
        absolute = absolute_url(candidate, base)
        if absolute:
            return absolute
    match = _IMG_SRC.search(body)  # last resort: the first picture in the content
    return absolute_url(match.group(1), base) if match else None


def _image_candidates(entry: Any) -> Iterator[object]:
    for media in entry.get("media_content") or []:
        kind = str(media.get("medium") or media.get("type") or "")
        if kind.startswith("image") or _IMAGE_EXT.search(str(media.get("url") or "")):
            yield media.get("url")
    for thumbnail in entry.get("media_thumbnail") or []:
        yield thumbnail.get("url")
    for link in entry.get("enclosures") or []:
        if str(link.get("type") or "").startswith("image"):
            yield link.get("href")


def _ttl(value: object) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= 7 * 24 * 60 else None


def _short(problem: object) -> str:
    return " ".join(str(problem or "").split())[:200]
