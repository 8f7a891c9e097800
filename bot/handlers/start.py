"""/start subscribes and onboards (deep links pre-select), /stop unsubscribes, /help explains."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot import prompts
from bot.access import is_kabar_admin
from bot.cb import pack
from bot.context import KabarApp
from bot.dispatch import button, command, register_buttons
from bot.filters import COMMANDS
from bot.handlers.news import send_digest
from bot.keyboards import button as key
from bot.keyboards import markup
from bot.menu import publish_admin_commands
from bot.turn import Turn
from bot.views import settings as views
from bot.views.settings import ONBOARDING
from kabar import chats, subscriptions
from kabar.chats import register_chat, zone_label
from kabar.errors import NotFoundError


async def start(turn: Turn) -> None:
    """Register (or bring back) the chat, apply a deep-link payload, then onboard."""
    chat, created = await register_chat(
        turn.svc.db,
        turn.ref(),
        default_language=turn.svc.settings.language,
        default_timezone=turn.svc.settings.timezone,
    )
    turn.chat, turn.language = chat, chat.language
    prompts.cancel(turn)
    if turn.private and is_kabar_admin(turn):
        await publish_admin_commands(turn.context.bot, turn.chat_id)
    picked = await _apply_payload(turn, turn.context.args or [])
    user = turn.update.effective_user
    name = user.first_name if user else (chat.title or "")
    if chat.onboarded and not created:
        rows = [[key(turn.t("settings.button_open"), pack("v", "s", "main"))]]
        await turn.say(turn.t("start.welcome_back", name=name), markup(rows))
        if picked:
            await turn.say(turn.t("start.picked", name=picked))
        return
    await turn.say(turn.t("start.welcome", name=name))
    screen = await views.topics(turn.svc.db, chat, ONBOARDING, 0)
    await turn.say(screen.text, screen.markup)


async def _apply_payload(turn: Turn, args: list[str]) -> str | None:
    """Follow what a t.me/bot?start=... link names: topic-<slug> or feed-<id>."""
    if not args:
        return None
    payload = args[0][:64]
    kind, _, value = payload.partition("-")
    db = turn.svc.db
    if kind == "feed" and value.isdigit():
        try:
            source = await subscriptions.get_source(db, int(value))
        except NotFoundError:
            return None
        if int(value) not in (await subscriptions.following(db, turn.chat_id)).feed_ids:
            await subscriptions.toggle_source(db, turn.chat_id, int(value))
        return source.name
    topic = await subscriptions.find_topic_by_slug(db, value if kind == "topic" else payload)
    if topic is None:
        return None
    await subscriptions.follow_topic(db, turn.chat_id, topic)
    return topic


async def on_done(turn: Turn, fields: list[str]) -> None:
    """ob:done finishes onboarding: a summary of the choices, then a first taste of the news."""
    chat = await chats.mark_onboarded(turn.svc.db, turn.chat_id)
    turn.chat, turn.language = chat, chat.language
    follows = await subscriptions.following(turn.svc.db, turn.chat_id)
    if follows.empty:
        # Nothing chosen: a digest of nothing would never come, so follow everything.
        await subscriptions.follow_everything(turn.svc.db, turn.chat_id)
        follows = await subscriptions.following(turn.svc.db, turn.chat_id)
    times = ", ".join(chat.digest_times or []) or turn.t("settings.times_none")
    await turn.edit(
        turn.t(
            "onboarding.done",
            topics=len(follows.topics),
            sources=len(follows.feed_ids),
            times=times,
            timezone=zone_label(chat.timezone),
        )
    )
    await turn.answer()
    await send_digest(turn, first=True)


async def stop(turn: Turn) -> None:
    """Unsubscribe; the settings stay for a later /start."""
    prompts.cancel(turn)
    chat = await chats.stop_chat(turn.svc.db, turn.chat_id)
    await turn.say(turn.t("stop.done" if chat is not None else "stop.not_subscribed"))


async def help_command(turn: Turn) -> None:
    """Explain the commands (and the admin ones to admins) in the chat's language."""
    text = turn.t("help.text", bot=turn.context.bot.username or "bot")
    if is_kabar_admin(turn):
        text += "\n\n" + turn.t("help.admin")
    await turn.say(text)


def register(app: KabarApp) -> None:
    """Add /start, /stop, /help and the onboarding's finish button."""
    app.add_handler(CommandHandler("start", command(start, settings=True), COMMANDS))
    app.add_handler(CommandHandler("stop", command(stop, settings=True), COMMANDS))
    app.add_handler(CommandHandler("help", command(help_command), COMMANDS))
    register_buttons(app.bot_data, {"ob": button(on_done, settings=True)})
