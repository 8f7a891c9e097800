"""Build the python-telegram-bot Application: client settings, handlers, commands, errors."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, CommandHandler, Defaults

from bot.context import KabarContext, attach
from bot.handlers.start import help_command, start
from kabar.i18n import LANGUAGES, t
from kabar.services import Services

log = logging.getLogger(__name__)

KabarApp = Application[Any, Any, Any, Any, Any, Any]

COMMANDS = ("start", "help")


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
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_error_handler(_on_error)
    return app


async def publish_commands(app: KabarApp) -> None:
    """Publish the command menu in every interface language."""
    for language in LANGUAGES:
        commands = [BotCommand(c, t(language, f"command.{c}")) for c in COMMANDS]
        try:
            await app.bot.set_my_commands(commands, language_code=language)
            if language == "en":
                await app.bot.set_my_commands(commands)
        except TelegramError as exc:
            log.warning("could not set the command menu (%s): %s", language, exc)


async def _on_error(update: object, context: KabarContext) -> None:
    """Log the error; tell the user something went wrong, never the traceback."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(t("id", "error.generic"))
        except TelegramError:
            log.warning("could not tell the user about the error")
