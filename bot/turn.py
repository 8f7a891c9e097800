"""One update's conversation turn: who and where, in which language, and how to answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import KabarContext, services
from kabar.chats import ChatRef, get_chat, pick_language
from kabar.db.models import Chat
from kabar.i18n import t
from kabar.render import clip, plain
from kabar.services import Services

log = logging.getLogger(__name__)

ANSWER_CHARS = 200


@dataclass(slots=True)
class Turn:
    """Everything a handler needs about the update it answers."""

    update: Update
    context: KabarContext
    svc: Services
    chat_id: int
    chat_type: str
    user_id: int | None
    language: str
    chat: Chat | None
    answered: bool = field(default=False)

    @classmethod
    async def load(cls, update: Update, context: KabarContext) -> Turn | None:
        """The turn for an update that has a chat, with its stored settings if any."""
        chat = update.effective_chat
        if chat is None:
            return None
        svc = services(context)
        row = await get_chat(svc.db, chat.id)
        user = update.effective_user
        language = (
            row.language
            if row is not None
            else pick_language(user.language_code if user else None, svc.settings.language)
        )
        return cls(
            update=update,
            context=context,
            svc=svc,
            chat_id=chat.id,
            chat_type=chat.type,
            user_id=user.id if user else None,
            language=language,
            chat=row,
        )

    @property
    def private(self) -> bool:
        """Whether this is a one-to-one chat with the bot."""
        return self.chat_type == ChatType.PRIVATE

    @property
    def message(self) -> Message | None:
        """The message the update carries (or the one a pressed button sits on)."""
        query = self.update.callback_query
        if query is not None:
            return query.message if isinstance(query.message, Message) else None
        return self.update.effective_message

    @property
    def query(self) -> CallbackQuery | None:
        """The pressed button, if this turn is one."""
        return self.update.callback_query

    @property
    def thread_id(self) -> int | None:
        """The forum topic this turn happens in, if any."""
        message = self.message
        if message is not None and message.is_topic_message:
            return message.message_thread_id
        return None

    @property
    def active(self) -> bool:
        """Whether the chat is subscribed (used /start and not /stop)."""
        return self.chat is not None and self.chat.active

    def ref(self) -> ChatRef:
        """What Telegram says about this chat, for registering it."""
        chat = self.update.effective_chat
        user = self.update.effective_user
        return ChatRef(
            telegram_id=self.chat_id,
            type=self.chat_type,
            title=(chat.title if chat else None) or (user.full_name if user else None),
            username=chat.username if chat else None,
            language_code=user.language_code if user else None,
            thread_id=self.thread_id,
        )

    def t(self, key: str, /, **params: Any) -> str:
        """A message in this chat's language."""
        return t(self.language, key, **params)

    def label(self, key: str, /, **params: Any) -> str:
        """A button's text in this chat's language (plain text: no HTML, nothing escaped)."""
        return plain(t(self.language, key, **params))

    async def say(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
        """Send a new message into this chat (and forum topic); None if Telegram refused."""
        if not text:  # PTB with Defaults would send "" as the text "[]"
            return None
        message = self.message
        try:
            if message is not None:
                return await message.reply_text(text, reply_markup=markup, do_quote=False)
            return await self.context.bot.send_message(self.chat_id, text, reply_markup=markup)
        except Forbidden:
            log.info("chat %s does not accept messages from the bot", self.chat_id)
        except BadRequest as exc:
            log.warning("could not send to chat %s: %s", self.chat_id, exc)
        return None

    async def edit(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Replace the pressed button's message; send a new one if it cannot be edited."""
        message = self.message
        if message is None or not text:
            await self.say(text, markup)
            return
        try:
            await message.edit_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit message in chat %s (%s); sending a new one", self.chat_id, exc)
            await self.say(text, markup)

    async def answer(self, text: str | None = None, *, alert: bool = False) -> None:
        """Answer the pressed button once (a toast, an alert box, or just stop the spinner)."""
        query = self.query
        if query is None or self.answered:
            return
        self.answered = True
        # A toast is plain text (no HTML), at most 200 characters.
        shown = clip(plain(text), ANSWER_CHARS) if text else None
        try:
            await query.answer(shown, show_alert=alert)
        except TelegramError as exc:  # too old, or already answered elsewhere
            log.debug("could not answer callback query: %s", exc)
