"""/settings and the buttons of the settings and onboarding screens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram.ext import CommandHandler

from bot import prompts
from bot.cb import as_int
from bot.context import KabarApp
from bot.dispatch import StaleButton, button, command, register_buttons
from bot.filters import COMMANDS
from bot.handlers.fallback import on_prompt
from bot.turn import Turn
from bot.views import settings as views
from bot.views.settings import ONBOARDING, SETTINGS, Screen
from kabar import chats, subscriptions
from kabar.chats import ZONE_ALIASES


async def settings_command(turn: Turn) -> None:
    """Show every setting with buttons to change them."""
    assert turn.chat is not None
    screen = await views.main_menu(turn.svc.db, turn.chat)
    await turn.say(screen.text, screen.markup)


def _mode(value: str) -> str:
    if value not in (ONBOARDING, SETTINGS):
        raise StaleButton(value)
    return value


async def _reload(turn: Turn) -> None:
    turn.chat = await chats.get_chat(turn.svc.db, turn.chat_id)
    if turn.chat is None:
        raise StaleButton("chat gone")
    turn.language = turn.chat.language


async def show(turn: Turn, mode: str, screen: str, args: list[str]) -> None:
    """Edit the pressed message into another screen."""
    await _reload(turn)
    found = await _screen(turn, mode, screen, args)
    await turn.edit(found.text, found.markup)


async def _screen(turn: Turn, mode: str, name: str, args: list[str]) -> Screen:
    chat, db = turn.chat, turn.svc.db
    assert chat is not None
    page = (as_int(args[-1], high=10_000) or 0) if args else 0
    plain: dict[str, Callable[[], Screen]] = {
        "tm": lambda: views.times(chat, mode),
        "tz": lambda: views.zones(chat, mode),
        "lg": lambda: views.languages(chat),
        "ln": lambda: views.lengths(chat),
    }
    built: dict[str, Callable[[], Awaitable[Screen]]] = {
        "main": lambda: views.main_menu(db, chat),
        "tp": lambda: views.topics(db, chat, mode, page),
        "gr": lambda: views.source_groups(db, chat, mode, args[0], page),
        "src": lambda: _sources(turn, mode, args[0], args[1], page),
        "mu": lambda: views.muted(db, chat),
    }
    if name in plain:
        return plain[name]()
    if name in built:
        return await built[name]()
    raise StaleButton(name)


async def _sources(turn: Turn, mode: str, kind: str, group_token: str, page: int) -> Screen:
    assert turn.chat is not None
    group = await subscriptions.find_group(
        turn.svc.db, "region" if kind == "r" else "topic", group_token
    )
    if group is None:
        raise StaleButton("group gone")
    return await views.sources(turn.svc.db, turn.chat, mode, kind, group.name, page=page)


async def on_view(turn: Turn, fields: list[str]) -> None:
    """v:<mode>:<screen>[:args] opens a screen; v:s:x closes the menu."""
    mode, name = _mode(fields[0]), fields[1]
    if name == "x":
        await turn.edit(turn.t("settings.closed"))
        return
    await show(turn, mode, name, fields[2:])


async def on_topic(turn: Turn, fields: list[str]) -> None:
    """tp:<mode>:<token>:<page> follows or unfollows a topic."""
    mode = _mode(fields[0])
    group = await subscriptions.find_group(turn.svc.db, "topic", fields[1])
    if group is None:
        raise StaleButton("topic gone")
    on = await subscriptions.toggle_topic(turn.svc.db, turn.chat_id, group.name)
    await turn.answer(turn.t("settings.followed" if on else "settings.unfollowed", name=group.name))
    await show(turn, mode, "tp", fields[2:3])


async def on_all_topics(turn: Turn, fields: list[str]) -> None:
    """ta:<mode>:1 follows everything, ta:<mode>:0 nothing."""
    mode = _mode(fields[0])
    if fields[1] == "1":
        await subscriptions.follow_everything(turn.svc.db, turn.chat_id)
    else:
        await subscriptions.unfollow_everything(turn.svc.db, turn.chat_id)
    await show(turn, mode, "tp", ["0"])


async def on_source(turn: Turn, fields: list[str]) -> None:
    """fs:<mode>:<kind>:<group>:<page>:<feed> follows or unfollows one source."""
    mode, kind, gtok, page = _mode(fields[0]), fields[1], fields[2], fields[3]
    feed_id = as_int(fields[4])
    if feed_id is None:
        raise StaleButton("feed id")
    source = await subscriptions.get_source(turn.svc.db, feed_id)
    on = await subscriptions.toggle_source(turn.svc.db, turn.chat_id, feed_id)
    await turn.answer(
        turn.t("settings.followed" if on else "settings.unfollowed", name=source.name)
    )
    await show(turn, mode, "src", [kind, gtok, page])


async def on_time(turn: Turn, fields: list[str]) -> None:
    """tm:<mode>:<HHMM> adds or removes a digest slot."""
    mode, value = _mode(fields[0]), fields[1]
    if len(value) != 4 or not value.isdigit():
        raise StaleButton(value)
    await chats.toggle_digest_time(turn.svc.db, turn.chat_id, f"{value[:2]}:{value[2:]}")
    await show(turn, mode, "tm", [])


async def on_clear_times(turn: Turn, fields: list[str]) -> None:
    """tc:<mode> removes every slot."""
    mode = _mode(fields[0])
    await chats.clear_digest_times(turn.svc.db, turn.chat_id)
    await show(turn, mode, "tm", [])


async def on_zone(turn: Turn, fields: list[str]) -> None:
    """tz:<mode>:<WIB|WITA|WIT> sets the timezone."""
    mode, short = _mode(fields[0]), fields[1]
    if short not in ZONE_ALIASES:
        raise StaleButton(short)
    await chats.set_timezone(turn.svc.db, turn.chat_id, short)
    await show(turn, mode, "tz", [])


async def on_language(turn: Turn, fields: list[str]) -> None:
    """lg:<mode>:<id|en> sets the interface language."""
    mode, code = _mode(fields[0]), fields[1]
    if code not in chats.SUPPORTED_LANGUAGES:
        raise StaleButton(code)
    await chats.set_language(turn.svc.db, turn.chat_id, code)
    await show(turn, mode, "tp" if mode == ONBOARDING else "lg", ["0"])


async def on_length(turn: Turn, fields: list[str]) -> None:
    """ln:<n> sets the summary length in sentences."""
    sentences = as_int(fields[0], low=1, high=10)
    if sentences is None:
        raise StaleButton(fields[0])
    await chats.set_summary_sentences(turn.svc.db, turn.chat_id, sentences)
    await show(turn, SETTINGS, "ln", [])


async def on_pause(turn: Turn, fields: list[str]) -> None:
    """pz:1 pauses digests and alerts, pz:0 resumes them."""
    paused = fields[0] == "1"
    await chats.set_paused(turn.svc.db, turn.chat_id, paused)
    await turn.answer(turn.t("settings.paused" if paused else "settings.resumed"))
    await show(turn, SETTINGS, "main", [])


async def on_ask(turn: Turn, fields: list[str]) -> None:
    """ask:<mode>:<time|tz> asks the user to type a time or a zone."""
    mode, what = _mode(fields[0]), fields[1]
    if what not in ("time", "tz"):
        raise StaleButton(what)
    await turn.answer()
    key = "settings.ask_time" if what == "time" else "settings.ask_zone"
    await prompts.ask(turn, what, turn.t(key), mode=mode)


async def answer_prompt(turn: Turn, prompt: prompts.Prompt, text: str) -> None:
    """The user typed the time or zone asked for: store it and show the screen again."""
    mode = prompt.data.get("mode", SETTINGS)
    if prompt.kind == "time":
        chat = await chats.add_digest_time(turn.svc.db, turn.chat_id, text)
        turn.chat, turn.language = chat, chat.language
        screen = views.times(chat, mode)
    else:
        chat = await chats.set_timezone(turn.svc.db, turn.chat_id, text)
        turn.chat, turn.language = chat, chat.language
        screen = views.zones(chat, mode)
    await turn.say(screen.text, screen.markup)


def register(app: KabarApp) -> None:
    """Add /settings, the settings buttons, and the answers to "type a time / a zone"."""
    on_prompt(app, "time", answer_prompt)
    on_prompt(app, "tz", answer_prompt)
    app.add_handler(
        CommandHandler(
            "settings", command(settings_command, settings=True, needs_chat=True), COMMANDS
        )
    )
    register_buttons(
        app.bot_data,
        {
            "v": button(on_view, settings=True),
            "tp": button(on_topic, settings=True),
            "ta": button(on_all_topics, settings=True),
            "fs": button(on_source, settings=True),
            "tm": button(on_time, settings=True),
            "tc": button(on_clear_times, settings=True),
            "tz": button(on_zone, settings=True),
            "lg": button(on_language, settings=True),
            "ln": button(on_length, settings=True),
            "pz": button(on_pause, settings=True),
            "ask": button(on_ask, settings=True),
        },
    )
