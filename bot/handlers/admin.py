"""Admin commands: /feeds (list with health, add, remove, pause, resume, fetch now) and /stats."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot import prompts
from bot.cb import as_int
from bot.context import KabarApp
from bot.dispatch import StaleButton, button, command, register_buttons
from bot.filters import COMMANDS
from bot.handlers.fallback import on_prompt
from bot.turn import Turn
from bot.views import feeds as views
from kabar import feed_admin, sources, stats
from kabar.errors import FeedError, InvalidInputError
from kabar.render import clip, when

VERBS = {
    "add": "add",
    "tambah": "add",
    "remove": "remove",
    "rm": "remove",
    "hapus": "remove",
    "pause": "pause",
    "jeda": "pause",
    "resume": "resume",
    "lanjut": "resume",
    "fetch": "fetch",
    "ambil": "fetch",
}


def _zone(turn: Turn) -> str:
    return turn.chat.timezone if turn.chat else turn.svc.settings.timezone


async def feeds_command(turn: Turn) -> None:
    """/feeds [page] lists; /feeds add URL [topic]; /feeds remove|pause|resume|fetch ID."""
    args = turn.context.args or []
    verb = VERBS.get(args[0].lower()) if args else None
    if verb is None:
        page = (as_int(args[0], low=1, high=10_000) or 1) - 1 if args else 0
        screen = views.feed_list(
            await sources.list_feeds(turn.svc.db), page, turn.language, _zone(turn)
        )
        await turn.say(screen.text, screen.markup)
        return
    if verb == "add":
        if len(args) < 2:
            await prompts.ask(turn, "feed", turn.t("feeds.ask_url"))
            return
        await add_feed(turn, args[1], " ".join(args[2:]) or None)
        return
    feed_id = as_int(args[1]) if len(args) > 1 else None
    if feed_id is None:
        raise InvalidInputError("feeds.usage")
    info = await _act(turn, verb, feed_id)
    if info is not None:
        screen = views.feed_detail(info, 0, turn.language, _zone(turn))
        await turn.say(screen.text, screen.markup)


async def add_feed(turn: Turn, url: str, topic: str | None) -> None:
    """Find the feed at `url` (a feed, or a page announcing one), store it, show its card."""
    await turn.say(turn.t("feeds.adding", url=clip(url, 300)))
    try:
        feed_id, _ = await sources.discover_and_add(
            turn.svc.db, turn.svc.fetcher(), url, topic=topic
        )
    except FeedError as exc:
        await turn.say(turn.t("feeds.add_failed", error=clip(str(exc), 500)))
        return
    info = await feed_admin.feed_info(turn.svc.db, feed_id)
    await turn.say(turn.t("feeds.added", name=info.name, id=feed_id))
    screen = views.feed_detail(info, 0, turn.language, _zone(turn))
    await turn.say(screen.text, screen.markup)


async def _act(turn: Turn, verb: str, feed_id: int) -> sources.FeedInfo | None:
    """Do one action on a source; returns its card afterwards (None once removed)."""
    db = turn.svc.db
    if verb == "remove":
        removed = await sources.remove_feed(db, feed_id)
        await _tell(turn, turn.t("feeds.removed", name=removed.display_name))
        return None
    if verb in ("pause", "resume"):
        await sources.set_paused(db, feed_id, verb == "pause")
        await _tell(turn, turn.t("feeds.paused" if verb == "pause" else "feeds.resumed"))
        return await feed_admin.feed_info(db, feed_id)
    if verb == "fetch":
        await _tell(turn, turn.t("feeds.fetching"))
        outcome = await feed_admin.fetch_now(db, turn.svc.ingestor(), feed_id)
        info = await feed_admin.feed_info(db, feed_id)
        if outcome.status in ("error", "disabled"):
            await turn.say(turn.t("feeds.fetch_failed", name=info.name, error=outcome.error or "?"))
        else:
            await turn.say(turn.t("feeds.fetched", name=info.name, new=outcome.new))
        return info
    raise StaleButton(verb)


async def _tell(turn: Turn, text: str) -> None:
    if turn.query is not None:
        await turn.answer(text)
    else:
        await turn.say(text)


async def on_feeds_button(turn: Turn, fields: list[str]) -> None:
    """af:l:<page>, af:v:<id>:<page>, af:p|r|f|x|X:<id>:<page>, af:add."""
    action = fields[0]
    db, lang, zone = turn.svc.db, turn.language, _zone(turn)
    if action == "add":
        await turn.answer()
        await prompts.ask(turn, "feed", turn.t("feeds.ask_url"))
        return
    if action == "l":
        page = as_int(fields[1], high=10_000) or 0
        screen = views.feed_list(await sources.list_feeds(db), page, lang, zone)
        await turn.edit(screen.text, screen.markup)
        return
    feed_id, page = as_int(fields[1]), as_int(fields[2], high=10_000) or 0
    if feed_id is None:
        raise StaleButton(fields[1])
    if action == "v":
        screen = views.feed_detail(await feed_admin.feed_info(db, feed_id), page, lang, zone)
    elif action == "x":
        screen = views.confirm_remove(await feed_admin.feed_info(db, feed_id), page, lang)
    else:
        verb = {"p": "pause", "r": "resume", "f": "fetch", "X": "remove"}.get(action)
        if verb is None:
            raise StaleButton(action)
        info = await _act(turn, verb, feed_id)
        screen = (
            views.feed_detail(info, page, lang, zone)
            if info is not None
            else views.feed_list(await sources.list_feeds(db), page, lang, zone)
        )
    await turn.edit(screen.text, screen.markup)


async def stats_command(turn: Turn) -> None:
    """/stats: subscribers, articles, failing feeds, outbox depth, rate, last 429."""
    figures = await stats.collect(turn.svc.db)
    last_429 = (
        when(figures.last_429, turn.language, _zone(turn))
        if figures.last_429
        else turn.t("stats.never")
    )
    await turn.say(
        turn.t(
            "stats.text",
            active=figures.active,
            paused=figures.paused,
            blocked=figures.blocked,
            inactive=figures.inactive,
            articles_today=figures.articles_today,
            articles_total=figures.articles_total,
            feeds=figures.feeds,
            failing=figures.failing_feeds,
            pending=figures.outbox_pending,
            uncertain=figures.outbox_uncertain,
            per_minute=figures.per_minute,
            sent_today=figures.sent_today,
            last_429=last_429,
        )
    )


async def answer_prompt(turn: Turn, prompt: prompts.Prompt, text: str) -> None:
    """The URL (and optional topic) typed after "Add a source"."""
    url, _, topic = text.strip().partition(" ")
    await add_feed(turn, url, topic.strip() or None)


def register(app: KabarApp) -> None:
    """Add /feeds, /stats, the source buttons (admins only) and the "which URL?" answer."""
    on_prompt(app, "feed", answer_prompt)
    app.add_handler(
        CommandHandler(["feeds", "sumber"], command(feeds_command, admin=True), COMMANDS)
    )
    app.add_handler(CommandHandler("stats", command(stats_command, admin=True), COMMANDS))
    register_buttons(app.bot_data, {"af": button(on_feeds_button, admin=True)})
