"""/start registers the chat; /help explains the commands."""

from __future__ import annotations

from telegram import Update

from bot.context import KabarContext, services
from kabar.chats import ChatRef, get_chat, pick_language, register_chat
from kabar.i18n import t


def chat_ref(update: Update) -> ChatRef | None:
    """What the update says about its chat and user, or None for updates without a chat."""
    chat = update.effective_chat
    if chat is None:
        return None
    user = update.effective_user
    return ChatRef(
        telegram_id=chat.id,
        type=chat.type,
        title=chat.title or (user.full_name if user else None),
        username=chat.username,
        language_code=user.language_code if user else None,
    )


async def start(update: Update, context: KabarContext) -> None:
    """Register (or reactivate) the chat and welcome the user in their language."""
    ref = chat_ref(update)
    if ref is None or update.effective_message is None:
        return
    svc = services(context)
    chat, created = await register_chat(
        svc.db,
        ref,
        default_language=svc.settings.language,
        default_timezone=svc.settings.timezone,
    )
    user = update.effective_user
    name = user.first_name if user else (ref.title or "")
    key = "start.welcome" if created else "start.welcome_back"
    await update.effective_message.reply_text(t(chat.language, key, name=name))


async def help_command(update: Update, context: KabarContext) -> None:
    """Explain the commands in the chat's language."""
    if update.effective_chat is None or update.effective_message is None:
        return
    svc = services(context)
    chat = await get_chat(svc.db, update.effective_chat.id)
    user = update.effective_user
    language = (
        chat.language
        if chat
        else pick_language(user.language_code if user else None, svc.settings.language)
    )
    await update.effective_message.reply_text(t(language, "help.text"))
