"""The command menu (setMyCommands) in every interface language, and the admins' own menu."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.context import KabarApp, app_services
from kabar.i18n import LANGUAGES, t

log = logging.getLogger(__name__)

# The command menu, in order; each has a "command.<name>" message in every catalog.
COMMANDS = ("digest", "latest", "search", "cari", "alerts", "settings", "help", "start", "stop")
ADMIN_COMMANDS = ("feeds", "stats", "broadcast")


async def publish_commands(app: KabarApp) -> None:
    """Publish the command menu in every interface language, with admin commands for admins."""
    for language in LANGUAGES:
        menu = [BotCommand(c, t(language, f"command.{c}")) for c in COMMANDS]
        try:
            await app.bot.set_my_commands(menu, language_code=language)
            if language == "en":
                await app.bot.set_my_commands(menu)
        except TelegramError as exc:
            log.warning("could not set the command menu (%s): %s", language, exc)
    for admin_id in sorted(app_services(app).settings.admins):
        await publish_admin_commands(app.bot, admin_id)


async def publish_admin_commands(bot: Bot, chat_id: int) -> None:
    """The admin's own menu (user commands plus admin ones), in every interface language."""
    for language in LANGUAGES:
        menu = [BotCommand(c, t(language, f"command.{c}")) for c in (*COMMANDS, *ADMIN_COMMANDS)]
        try:
            await bot.set_my_commands(
                menu, scope=BotCommandScopeChat(chat_id), language_code=language
            )
            if language == "en":
                await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:  # the admin has not started the bot yet
            log.info("no admin command menu for %s yet: %s", chat_id, exc)
            return
