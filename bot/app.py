"""Build the python-telegram-bot Application: client settings, handlers, commands, errors."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, Defaults

from bot.context import KabarApp, KabarContext, attach, services
from bot.dispatch import on_button
from bot.handlers import (
    admin,
    alerts,
    broadcast,
    chat_events,
    digest_buttons,
    fallback,
    inline,
    news,
    search,
    settings,
    start,
)
from bot.menu import ADMIN_COMMANDS, COMMANDS, publish_commands
from kabar.chats import get_chat
from kabar.errors import KabarError
from kabar.i18n import t
from kabar.services import Services

log = logging.getLogger(__name__)

__all__ = ["ADMIN_COMMANDS", "COMMANDS", "KabarApp", "build_application", "publish_commands"]

# Handler modules, each with register(app); fallback goes last because it takes the rest.
MODULES = (
    start,
    settings,
    news,
    digest_buttons,
    search,
    inline,
    alerts,
    admin,
    broadcast,
    chat_events,
)


def build_application(svc: Services, *, polling: bool = True) -> KabarApp:
    """The Application for `svc`; `polling=False` builds a sender-only app (worker role)."""
    token = svc.settings.token
    if not token:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(svc.settings.telegram_api_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(True)
    )
    if not polling:
        builder = builder.updater(None)
    app = builder.build()
    attach(app, svc)
    for module in MODULES:
        module.register(app)
    fallback.register(app)
    if polling:
        broadcast.resume_at_start(app)
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(_on_error)
    return app


async def _on_error(update: object, context: KabarContext) -> None:
    """Log the error; tell the user something went wrong, never the traceback."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.callback_query is not None:
        return  # dispatch.on_button already answered the button with the apology
    message, chat = update.effective_message, update.effective_chat
    # In groups, only a command earns an apology; a failure on chatter stays silent.
    if message is None or (
        chat is not None and chat.type != "private" and not (message.text or "").startswith("/")
    ):
        return
    svc = services(context)
    language: str = svc.settings.language
    try:
        row = await get_chat(svc.db, message.chat_id)
        language = row.language if row else language
    except KabarError:  # the database may be why we are here
        log.debug("no language for the error message")
    try:
        await message.reply_text(t(language, "error.generic"))
    except TelegramError:
        log.warning("could not tell the user about the error")
