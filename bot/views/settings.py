"""The settings and onboarding screens: text plus inline keyboard, shared by both flows.

Mode "o" is onboarding (screens lead on with "Next"), mode "s" is /settings (screens lead
back to the main menu). Every button's data is built with bot.cb.pack.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.cb import pack
from bot.keyboards import Row, button, grid, markup, page_slice, pager, toggle
from kabar import alerts, callbacks, subscriptions
from kabar.chats import QUICK_TIMES, SUMMARY_LENGTHS, ZONE_ALIASES, zone_label
from kabar.db import Database
from kabar.db.models import Chat
from kabar.i18n import t

ONBOARDING = "o"
SETTINGS = "s"
GROUPS_PER_PAGE = 12
SOURCES_PER_PAGE = 10
LANGUAGE_NAMES = {"id": "🇮🇩 Bahasa Indonesia", "en": "🇬🇧 English"}
LENGTH_KEYS = {1: "settings.length_short", 3: "settings.length_medium", 5: "settings.length_long"}


@dataclass(frozen=True, slots=True)
class Screen:
    """A message text and its keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None


def _step(language: str, mode: str, step: int) -> str:
    """The "Step n of 3" line above an onboarding screen."""
    return t(language, "onboarding.step", step=step) + "\n" if mode == ONBOARDING else ""


def _nav(chat: Chat, mode: str, back: str | None, forward: str | None) -> Row:
    """◀ Back and Next ▶ for onboarding; ◀ Back to the menu for settings."""
    lang = chat.language
    if mode == SETTINGS:
        return [button(t(lang, "button.back"), back or pack("v", SETTINGS, "main"))]
    row: Row = []
    if back:
        row.append(button(t(lang, "button.previous"), back))
    if forward:
        row.append(button(t(lang, "button.next"), forward))
    return row


async def main_menu(db: Database, chat: Chat) -> Screen:
    """Every setting at a glance, with a button to change each."""
    lang = chat.language
    follows = await subscriptions.following(db, chat.telegram_id)
    alert_count = await alerts.count_alerts(db, chat.telegram_id)
    times = ", ".join(chat.digest_times or []) or t(lang, "settings.times_none")
    status = t(lang, "settings.status_paused" if chat.paused else "settings.status_active")
    text = t(
        lang,
        "settings.main",
        language=LANGUAGE_NAMES.get(lang, lang),
        timezone=zone_label(chat.timezone),
        times=times,
        length=chat.summary_sentences,
        topics=len(follows.topics),
        sources=len(follows.feed_ids),
        muted=len(follows.muted),
        alerts=alert_count,
        status=status,
    )
    s = SETTINGS
    rows = [
        [
            button(t(lang, "settings.button_language"), pack("v", s, "lg")),
            button(t(lang, "settings.button_timezone"), pack("v", s, "tz")),
        ],
        [
            button(t(lang, "settings.button_times"), pack("v", s, "tm")),
            button(t(lang, "settings.button_length"), pack("v", s, "ln")),
        ],
        [
            button(t(lang, "settings.button_topics"), pack("v", s, "tp", 0)),
            button(t(lang, "settings.button_sources"), pack("v", s, "gr", "t", 0)),
        ],
        [
            button(t(lang, "settings.button_muted"), pack("v", s, "mu")),
            button(t(lang, "settings.button_alerts"), pack("al", "ls")),
        ],
        [
            button(
                t(lang, "settings.button_resume" if chat.paused else "settings.button_pause"),
                pack("pz", 0 if chat.paused else 1),
            ),
            button(t(lang, "button.close"), pack("v", s, "x")),
        ],
    ]
    return Screen(text, markup(rows))


async def topics(db: Database, chat: Chat, mode: str, page: int) -> Screen:
    """Toggle topics; onboarding also offers a language switch and "Next"."""
    lang = chat.language
    groups = await subscriptions.list_groups(db, "topic")
    follows = await subscriptions.following(db, chat.telegram_id)
    if not groups:
        nav = _nav(chat, mode, None, pack("v", mode, "tm"))
        text = t(lang, "settings.no_sources")
        if mode == ONBOARDING:
            text = t(lang, "onboarding.topics", topics=0, sources=0) + "\n\n" + text
        return Screen(text, markup([nav]))
    page, start, pages = page_slice(len(groups), page, GROUPS_PER_PAGE)
    shown = groups[start : start + GROUPS_PER_PAGE]
    toggles = [
        toggle(f"{g.name} ({g.feeds})", g.name in follows.topics, pack("tp", mode, g.token, page))
        for g in shown
    ]
    everything = all(g.name in follows.topics for g in groups)
    rows = [
        *grid(toggles, 2),
        pager(page, pages, lambda p: pack("v", mode, "tp", p)),
        [
            button(
                t(lang, "settings.none" if everything else "settings.all"),
                pack("ta", mode, 0 if everything else 1),
            ),
            button(t(lang, "settings.by_source"), pack("v", mode, "gr", "t", 0)),
        ],
    ]
    if mode == ONBOARDING:
        other = "en" if lang == "id" else "id"
        rows.append([button(LANGUAGE_NAMES[other], pack("lg", mode, other))])
    rows.append(_nav(chat, mode, None, pack("v", mode, "tm")))
    key = "onboarding.topics" if mode == ONBOARDING else "settings.topics"
    text = t(lang, key, topics=len(follows.topics), sources=len(follows.feed_ids))
    return Screen(text, markup(rows))


async def source_groups(db: Database, chat: Chat, mode: str, kind: str, page: int) -> Screen:
    """Sources by topic or by region: pick a group to see its sources."""
    lang = chat.language
    kind_name = "region" if kind == "r" else "topic"
    groups = await subscriptions.list_groups(db, kind_name)
    page, start, pages = page_slice(len(groups), page, GROUPS_PER_PAGE)
    picks = [
        button(f"{g.name} ({g.feeds})", pack("v", mode, "src", kind, g.token, 0))
        for g in groups[start : start + GROUPS_PER_PAGE]
    ]
    other = "t" if kind == "r" else "r"
    switch = t(lang, "settings.by_topic" if kind == "r" else "settings.by_region")
    back = pack("v", mode, "tp", 0) if mode == ONBOARDING else None
    rows = [
        *grid(picks, 2),
        pager(page, pages, lambda p: pack("v", mode, "gr", kind, p)),
        [button(switch, pack("v", mode, "gr", other, 0))],
        _nav(chat, mode, back, pack("v", mode, "tm") if mode == ONBOARDING else None),
    ]
    key = "settings.groups_region" if kind == "r" else "settings.groups_topic"
    text = t(lang, key) if groups else t(lang, "settings.no_sources")
    return Screen(text, markup(rows))


async def sources(
    db: Database, chat: Chat, mode: str, kind: str, group: str, *, page: int
) -> Screen:
    """Toggle the sources of one topic or region."""
    lang = chat.language
    kind_name = "region" if kind == "r" else "topic"
    found = await subscriptions.sources_in(db, kind_name, group)
    follows = await subscriptions.following(db, chat.telegram_id)
    page, start, pages = page_slice(len(found), page, SOURCES_PER_PAGE)
    gtok = subscriptions.token(group)
    toggles = [
        toggle(s.name[:40], s.id in follows.feed_ids, pack("fs", mode, kind, gtok, page, s.id))
        for s in found[start : start + SOURCES_PER_PAGE]
    ]
    rows = [
        *grid(toggles, 1),
        pager(page, pages, lambda p: pack("v", mode, "src", kind, gtok, p)),
        [button(t(lang, "button.back"), pack("v", mode, "gr", kind, 0))],
    ]
    text = t(lang, "settings.sources", group=group, count=len(found))
    return Screen(text, markup(rows))


def times(chat: Chat, mode: str) -> Screen:
    """Digest times: quick picks and any time typed, several slots."""
    lang = chat.language
    chosen = set(chat.digest_times or [])
    slots = sorted(set(QUICK_TIMES) | chosen)
    toggles = [toggle(s, s in chosen, pack("tm", mode, s.replace(":", ""))) for s in slots]
    rows = [
        *grid(toggles, 3),
        [
            button(t(lang, "settings.other_time"), pack("ask", mode, "time")),
            button(t(lang, "settings.clear_times"), pack("tc", mode)),
        ],
        _nav(
            chat,
            mode,
            pack("v", mode, "tp", 0) if mode == ONBOARDING else None,
            pack("v", mode, "tz") if mode == ONBOARDING else None,
        ),
    ]
    listed = ", ".join(sorted(chosen)) or t(lang, "settings.times_none")
    text = t(lang, "settings.times", times=listed, timezone=zone_label(chat.timezone))
    return Screen(_step(lang, mode, 2) + text, markup(rows))


def zones(chat: Chat, mode: str) -> Screen:
    """Timezone: WIB, WITA, WIT, or any IANA zone typed."""
    lang = chat.language
    picks = [
        toggle(f"{short} ({zone.split('/')[1]})", chat.timezone == zone, pack("tz", mode, short))
        for short, zone in ZONE_ALIASES.items()
    ]
    rows = [
        picks,
        [button(t(lang, "settings.other_zone"), pack("ask", mode, "tz"))],
        _nav(
            chat,
            mode,
            pack("v", mode, "tm") if mode == ONBOARDING else None,
            pack("ob", "done") if mode == ONBOARDING else None,
        ),
    ]
    text = t(lang, "settings.timezone", timezone=zone_label(chat.timezone))
    return Screen(_step(lang, mode, 3) + text, markup(rows))


def languages(chat: Chat) -> Screen:
    """Interface language."""
    picks = [
        toggle(name, chat.language == code, pack("lg", SETTINGS, code))
        for code, name in LANGUAGE_NAMES.items()
    ]
    return Screen(
        t(chat.language, "settings.language"), markup([picks, _nav(chat, SETTINGS, None, None)])
    )


def lengths(chat: Chat) -> Screen:
    """Summary length: short, medium or long."""
    lang = chat.language
    picks = [
        toggle(t(lang, LENGTH_KEYS[n]), chat.summary_sentences == n, pack("ln", n))
        for n in SUMMARY_LENGTHS
    ]
    text = t(lang, "settings.length", sentences=chat.summary_sentences)
    return Screen(text, markup([picks, _nav(chat, SETTINGS, None, None)]))


async def muted(db: Database, chat: Chat) -> Screen:
    """Muted sources, each with a button to let it back in."""
    lang = chat.language
    found = await subscriptions.muted_sources(db, chat.telegram_id)
    unmute = [
        button(f"🔈 {s.name[:40]}", callbacks.encode(callbacks.UnmuteSource(s.id)))
        for s in found[:40]
    ]
    text = t(lang, "settings.muted" if found else "settings.muted_none")
    return Screen(text, markup([*grid(unmute, 1), _nav(chat, SETTINGS, None, None)]))
