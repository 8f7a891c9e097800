"""Chat life events: a group upgraded to a supergroup, the bot added, removed or blocked."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.context import KabarApp, KabarContext, services
from kabar.chats import get_chat, mark_blocked, migrate_chat, pick_language
from kabar.i18n import t

log = logging.getLogger(__name__)

GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)


async def on_migrate(update: Update, context: KabarContext) -> None:
    """Follow a group to its new supergroup id, keeping every setting."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat_id
    else:
        return
    if await migrate_chat(services(context).db, old, new):
        log.info("chat %s migrated to %s", old, new)


async def on_my_member(update: Update, context: KabarContext) -> None:
    """Removed or blocked: stop sending. Added to a group: say how to start."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    svc = services(context)
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in GONE:
        await mark_blocked(svc.db, change.chat.id)
        log.info("bot removed from or blocked in chat %s", change.chat.id)
        return
    if old in GONE and new in PRESENT and change.chat.type != "private":
        chat = await get_chat(svc.db, change.chat.id)
        language = (
            chat.language
            if chat
            else pick_language(change.from_user.language_code, svc.settings.language)
        )
        await context.bot.send_message(change.chat.id, t(language, "group.added"))


def register(app: KabarApp) -> None:
    """Add the chat life-event handlers."""
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    app.add_handler(ChatMemberHandler(on_my_member, ChatMemberHandler.MY_CHAT_MEMBER))
