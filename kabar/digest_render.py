"""A digest as Telegram HTML pages: escaped, each page within 4096, split between items.

Pages are cut greedily from the ranked items, so the same items always give the same pages (the
page buttons re-render a page from the same window later). Each page has buttons to mute the
sources on it and, when there is more than one page, to move between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date

from kabar import callbacks
from kabar.digest_rank import Candidate, Item
from kabar.i18n import Safe, t
from kabar.outbox import Button
from kabar.tghtml import MAX_MESSAGE, attr, escape, utf16_len

MAX_ITEM = 1400  # one item's HTML, so that a page always holds at least one
TITLE_CHARS = 300
MIN_BODY = 200  # room kept for the summary when links are long
SOURCE_CHARS = 60
LEAD_CHARS = 280  # text shown for an article that has no summary
BUTTON_SOURCE_CHARS = 24
MUTE_BUTTONS_PER_ROW = 2


@dataclass(frozen=True, slots=True)
class Window:
    """The digest's articles: fetched in (since, until]; `until` is also the digest's time."""

    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class Style:
    """How one chat reads its digests."""

    language: str
    tz: ZoneInfo
    sentences: int


@dataclass(frozen=True, slots=True)
class Page:
    """One message of a digest."""

    text: str
    buttons: tuple[tuple[Button, ...], ...]
    index: int
    count: int
    items: int  # stories on this page


def _link(url: str | None, label: str) -> str:
    if url and urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{attr(url)}">{escape(label)}</a>'
    return escape(label)


def _when(moment: datetime, style: Style, day: datetime) -> str:
    local = moment.astimezone(style.tz)
    if local.date() == day.astimezone(style.tz).date():
        return local.strftime("%H:%M")
    date = format_date(local, "d MMM", locale=style.language)
    return f"{date} {local.strftime('%H:%M')}"


def _summary(c: Candidate, sentences: int) -> list[str]:
    if c.summary:
        parts = [s.strip() for s in c.summary.split("\n") if s.strip()]
        return parts[: max(1, sentences)]
    lead = " ".join(c.lead.split())
    if len(lead) > LEAD_CHARS:
        lead = lead[:LEAD_CHARS].rsplit(" ", 1)[0] + "…"
    return [lead] if lead else []


def _clip(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + "…"


def _fit(sentence: str, budget: int) -> str:
    """`sentence` escaped and cut (on a word, with "…") to at most `budget` UTF-16 units."""
    text = sentence
    while text and utf16_len(escape(text + "…")) > budget:
        overflow = utf16_len(escape(text + "…")) - budget
        text = text[: len(text) - max(1, overflow)]
    if text != sentence:
        text = text.rsplit(" ", 1)[0] if " " in text else text
        return escape(text + "…") if text else ""
    return escape(text)


def render_item(number: int, item: Item, style: Style, day: datetime) -> str:
    """One story: numbered linked title, source and time, summary, "also in" links."""
    c = item.main
    title = _clip(c.title, TITLE_CHARS) or t(style.language, "digest.untitled")
    meta = f"<i>{escape(_clip(c.source, SOURCE_CHARS))} · {_when(c.published_at, style, day)}</i>"
    also = list(item.also)
    url = c.url
    while True:
        head = f"<b>{number}. {_link(url, title)}</b>"
        tail = ""
        if also:
            links = ", ".join(_link(o.url, _clip(o.source, SOURCE_CHARS)) for o in also)
            tail = t(style.language, "digest.also_in", links=Safe(links))
        frame = "\n".join(p for p in (head, meta, tail) if p)
        if utf16_len(frame) <= MAX_ITEM - MIN_BODY:
            break
        # Absurdly long URLs: drop "also in" links first, then the title's link.
        if also:
            also.pop()
        elif url:
            url = None
        else:
            break
    sentences = _summary(c, style.sentences)
    frame = "\n".join(p for p in (head, meta, tail) if p)
    budget = MAX_ITEM - utf16_len(frame) - 1
    while len(sentences) > 1 and utf16_len(escape(" ".join(sentences))) > budget:
        sentences = sentences[:-1]
    body = _fit(" ".join(sentences), budget) if sentences else ""
    return "\n".join(p for p in (head, meta, body, tail) if p)


def header(style: Style, window: Window, count: int, page: int, pages: int) -> str:
    """The first line of every page."""
    local = window.until.astimezone(style.tz)
    text = t(
        style.language,
        "digest.header",
        date=format_date(local, "EEEE, d MMMM y", locale=style.language),
        time=local.strftime("%H:%M"),
        count=count,
    )
    if pages > 1:
        text += " " + t(style.language, "digest.page", page=page + 1, pages=pages)
    return text


def paginate(items: list[Item], style: Style, window: Window, page_items: int) -> list[list[int]]:
    """Item indexes per page: at most `page_items` each, each page within 4096."""
    return _paginate(_render_all(items, style, window), style, window, page_items)


def _render_all(items: list[Item], style: Style, window: Window) -> list[str]:
    return [render_item(i + 1, item, style, window.until) for i, item in enumerate(items)]


def _paginate(
    rendered: list[str], style: Style, window: Window, page_items: int
) -> list[list[int]]:
    # The header is longest on a many-page digest: size pages against a generous header.
    head = utf16_len(header(style, window, len(rendered), 98, 99)) + 2
    pages: list[list[int]] = []
    current: list[int] = []
    size = head
    for index, text in enumerate(rendered):
        cost = utf16_len(text) + 2
        if current and (len(current) >= page_items or size + cost > MAX_MESSAGE):
            pages.append(current)
            current, size = [], head
        current.append(index)
        size += cost
    if current:
        pages.append(current)
    return pages


def render_page(
    items: list[Item], style: Style, window: Window, page_items: int, page: int
) -> Page | None:
    """Page `page` (0-based) of the digest of `items`, or None past the last page."""
    rendered = _render_all(items, style, window)
    pages = _paginate(rendered, style, window, page_items)
    if not 0 <= page < len(pages):
        return None
    chosen = pages[page]
    text = "\n\n".join(
        [header(style, window, len(items), page, len(pages)), *(rendered[i] for i in chosen)]
    )
    return Page(
        text,
        _buttons(items, chosen, style, window, page=page, pages=len(pages)),
        page,
        len(pages),
        len(chosen),
    )


def _buttons(
    items: list[Item], chosen: list[int], style: Style, window: Window, *, page: int, pages: int
) -> tuple[tuple[Button, ...], ...]:
    seen: dict[int, str] = {}
    for i in chosen:
        seen.setdefault(items[i].main.feed_id, items[i].main.source)
    mutes = [
        Button(
            t(style.language, "digest.mute", source=Safe(_short(name))),
            callbacks.encode(callbacks.MuteSource(feed_id)),
        )
        for feed_id, name in seen.items()
    ]
    rows = [
        tuple(mutes[i : i + MUTE_BUTTONS_PER_ROW])
        for i in range(0, len(mutes), MUTE_BUTTONS_PER_ROW)
    ]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(_nav(style, window, page - 1, "digest.prev"))
        nav.append(Button(f"{page + 1}/{pages}", callbacks.encode(callbacks.Noop())))
        if page + 1 < pages:
            nav.append(_nav(style, window, page + 1, "digest.next"))
        rows.append(tuple(nav))
    return tuple(rows)


def _nav(style: Style, window: Window, page: int, key: str) -> Button:
    data = callbacks.encode(callbacks.DigestPage(window.since, window.until, page))
    return Button(t(style.language, key), data)


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= BUTTON_SOURCE_CHARS else name[: BUTTON_SOURCE_CHARS - 1] + "…"
