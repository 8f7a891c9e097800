"""The admin's source screens: a paged list with health, and one source with its actions."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton

from bot.cb import pack
from bot.keyboards import button, grid, markup, page_slice, pager
from bot.views.settings import Screen
from kabar.i18n import Safe, t
from kabar.render import clip, esc, when
from kabar.sources import FeedInfo

PER_PAGE = 8


def status_icon(feed: FeedInfo) -> str:
    """One glyph for a source's health."""
    if feed.paused:
        return "⏸"
    if feed.disabled:
        return "⛔"
    if feed.error_count:
        return "⚠️"
    if feed.last_success_at is None:
        return "🆕"
    return "✅"


def _when(moment: datetime | None, language: str, zone: str) -> str:
    return when(moment, language, zone) if moment else "–"


def feed_list(feeds: list[FeedInfo], page: int, language: str, zone: str) -> Screen:
    """A page of sources with their health, and buttons to open each."""
    if not feeds:
        return Screen(t(language, "feeds.empty"), markup([[_add_button(language)]]))
    page, start, pages = page_slice(len(feeds), page, PER_PAGE)
    shown = feeds[start : start + PER_PAGE]
    lines = []
    for n, feed in enumerate(shown, start=1):
        health = (
            t(
                language,
                "feeds.line_failing",
                errors=feed.error_count,
                error=clip(feed.last_error or "", 80),
            )
            if feed.error_count
            else t(language, "feeds.line_ok", success=_when(feed.last_success_at, language, zone))
        )
        lines.append(
            f"{n}. {status_icon(feed)} <b>{esc(clip(feed.name, 60))}</b>"
            f" · {esc(feed.topic or '–')}\n    {health}"
            f" · {t(language, 'feeds.next', next=_when(feed.next_check_at, language, zone))}"
        )
    text = t(
        language,
        "feeds.list",
        count=len(feeds),
        page=page + 1,
        pages=pages,
        feeds=Safe("\n".join(lines)),
    )
    opens = [button(str(n), pack("af", "v", f.id, page)) for n, f in enumerate(shown, start=1)]
    rows = [
        *grid(opens, 4),
        pager(page, pages, lambda p: pack("af", "l", p)),
        [_add_button(language)],
    ]
    return Screen(text, markup(rows))


def _add_button(language: str) -> InlineKeyboardButton:
    return button(t(language, "feeds.button_add"), pack("af", "add"))


def feed_detail(feed: FeedInfo, page: int, language: str, zone: str) -> Screen:
    """One source in full, with pause/resume, fetch now and remove."""
    text = t(
        language,
        "feeds.detail",
        icon=status_icon(feed),
        name=clip(feed.name, 200),
        id=feed.id,
        url=feed.url,
        topic=feed.topic or "–",
        region=feed.region or "–",
        language=feed.language or "–",
        articles=feed.articles,
        success=_when(feed.last_success_at, language, zone),
        next=_when(feed.next_check_at, language, zone),
        errors=feed.error_count,
        error=clip(feed.last_error or "–", 300),
    )
    toggle = (
        button(t(language, "feeds.button_resume"), pack("af", "r", feed.id, page))
        if feed.paused or feed.disabled
        else button(t(language, "feeds.button_pause"), pack("af", "p", feed.id, page))
    )
    rows = [
        [toggle, button(t(language, "feeds.button_fetch"), pack("af", "f", feed.id, page))],
        [button(t(language, "feeds.button_remove"), pack("af", "x", feed.id, page))],
        [button(t(language, "button.back"), pack("af", "l", page))],
    ]
    return Screen(text, markup(rows))


def confirm_remove(feed: FeedInfo, page: int, language: str) -> Screen:
    """Are you sure? Removing a source deletes its articles."""
    text = t(language, "feeds.confirm_remove", name=clip(feed.name, 200), articles=feed.articles)
    rows = [
        [
            button(t(language, "feeds.button_remove_yes"), pack("af", "X", feed.id, page)),
            button(t(language, "button.cancel"), pack("af", "v", feed.id, page)),
        ]
    ]
    return Screen(text, markup(rows))
