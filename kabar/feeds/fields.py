"""Field clean-ups every feed adapter shares: absolute URLs, stable GUIDs, the item list."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from kabar.feeds.htmltext import clean_line
from kabar.feeds.model import GUID_MAX, MAX_ITEMS, URL_MAX, FeedItem, ParsedFeed


def absolute_url(value: object, base: str) -> str | None:
    """`value` resolved against `base`, if it is an http(s) URL that fits the column."""
    raw = clean_line(value if isinstance(value, str) else None, URL_MAX)
    if not raw:
        return None
    try:
        resolved = urljoin(base, raw)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(resolved) > URL_MAX:
        return None
    return resolved


def make_guid(raw: object, link: str | None, title: str, published: datetime | None) -> str:
    """The item's id, else its link, else a hash of its title and date; long ids are hashed."""
    guid = clean_line(str(raw), 100_000) if raw not in (None, "") else None
    guid = guid or link
    if not guid:
        basis = f"{title}\n{published.isoformat() if published else ''}"
        guid = "title:" + hashlib.sha256(basis.encode()).hexdigest()
    if len(guid) > GUID_MAX:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def collect_items(parsed: ParsedFeed, candidates: Iterable[FeedItem | None], total: int) -> None:
    """Keep the usable items (at most MAX_ITEMS, unique GUIDs); note what was dropped."""
    seen: set[str] = set()
    skipped = duplicates = 0
    for item in candidates:
        if len(parsed.items) >= MAX_ITEMS:
            break
        if item is None:
            skipped += 1
            continue
        if item.guid in seen:
            duplicates += 1
            continue
        seen.add(item.guid)
        parsed.items.append(item)
    if skipped:
        parsed.warnings.append(f"skipped {skipped} items with neither link nor title")
    if duplicates:
        parsed.warnings.append(f"skipped {duplicates} items repeating a GUID")
    if total > MAX_ITEMS:
        parsed.warnings.append(f"the feed lists {total} items; kept the first {MAX_ITEMS}")
