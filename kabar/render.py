"""Telegram HTML for articles and lists of them, fitted to the 4096-character message limit."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

MESSAGE_LIMIT = 4096
# Room left for a header or footer line when a single item must be cut down.
ITEM_LIMIT = 3600
TITLE_CHARS = 300
SOURCE_CHARS = 80
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class ArticleView:
    """What a message shows of one article."""

    id: int
    feed_id: int
    title: str
    url: str | None
    source: str
    published_at: datetime
    summary: str  # sentences joined by "\n"
    language: str | None = None


def plain(markup: str) -> str:
    """The visible text of Telegram HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", markup))


def tg_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts characters."""
    return len(text.encode("utf-16-le")) // 2


def visible_len(markup: str) -> int:
    """What Telegram's 4096 limit counts: the text after entity parsing, in UTF-16 units."""
    return tg_len(plain(markup))


def esc(text: str) -> str:
    """Escape text for Telegram HTML."""
    return html.escape(text, quote=False)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, else None; never a javascript: or tg: link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.strip()


def link(text: str, url: str | None) -> str:
    """Escaped `text`, linked to `url` when that is a safe web address."""
    target = safe_url(url)
    if target is None:
        return esc(text)
    return f'<a href="{html.escape(target, quote=True)}">{esc(text)}</a>'


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def when(moment: datetime, language: str, zone: str) -> str:
    """A short local date and time ("29 Nov 14.05") in the chat's zone and language."""
    local = moment.astimezone(ZoneInfo(zone))
    return str(format_datetime(local, "d MMM HH:mm", locale=language))


def summary_text(summary: str | None, sentences: int) -> str:
    """The first `sentences` sentences of a stored summary, as one paragraph."""
    parts = [s.strip() for s in (summary or "").split("\n") if s.strip()]
    return " ".join(parts[: max(1, sentences)])


def article_html(
    view: ArticleView,
    *,
    language: str,
    zone: str,
    sentences: int = 3,
    snippet_html: str | None = None,
    limit: int = ITEM_LIMIT,
) -> str:
    """One article: linked title, source and date, then its summary (or a search snippet)."""
    title = link(clip(view.title or view.url or "…", TITLE_CHARS), view.url)
    source = esc(clip(view.source, SOURCE_CHARS))
    meta = f"<i>{source}</i> · {esc(when(view.published_at, language, zone))}"
    head = f"<b>{title}</b>\n{meta}"
    if snippet_html is not None and visible_len(head) + visible_len(snippet_html) + 1 <= limit:
        return f"{head}\n{snippet_html}" if snippet_html else head
    body = summary_text(view.summary, sentences)
    chars = len(body)
    while chars > 0:
        text = f"{head}\n{esc(clip(body, chars))}"
        if visible_len(text) <= limit:
            return text
        chars //= 2
    return head if visible_len(head) <= limit else esc(clip(view.title, 200))


def pack(
    items: Sequence[str], *, header: str = "", footer: str = "", limit: int = MESSAGE_LIMIT
) -> list[str]:
    """Messages of whole items separated by blank lines, each within `limit` with its
    header (first message) and footer (last message); never splits an item."""
    messages: list[str] = []
    current = header
    for item in items:
        candidate = f"{current}\n\n{item}" if current else item
        if visible_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
        current = item if visible_len(item) <= limit else esc(clip(plain(item), limit // 2))
    if footer:
        candidate = f"{current}\n\n{footer}" if current else footer
        if visible_len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = footer
    if current:
        messages.append(current)
    return messages
