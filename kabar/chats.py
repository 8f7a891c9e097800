"""Use cases for chats: register on /start, read and change their settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kabar.db import Database, utcnow
from kabar.db.models import Chat

SUPPORTED_LANGUAGES = ("id", "en")


@dataclass(frozen=True, slots=True)
class ChatRef:
    """What Telegram tells us about a chat and the user in it."""

    telegram_id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    language_code: str | None = None


def pick_language(language_code: str | None, default: str) -> str:
    """The interface language for a Telegram language code: id, en, or the default."""
    code = (language_code or "").lower().split("-")[0]
    if code in ("id", "in", "ms"):  # Telegram clients have sent the old "in" code
        return "id"
    if code == "en":
        return "en"
    return default


async def register_chat(
    db: Database, ref: ChatRef, *, default_language: str, default_timezone: str
) -> tuple[Chat, bool]:
    """Create the chat or reactivate it with its old settings; returns (chat, created)."""
    async with db.transaction() as session:
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == ref.telegram_id))
        created = chat is None
        if chat is None:
            chat = Chat(
                telegram_id=ref.telegram_id,
                language=pick_language(ref.language_code, default_language),
                timezone=default_timezone,
                digest_times=[],
            )
            session.add(chat)
        chat.type = ref.type
        chat.title = ref.title
        chat.username = ref.username
        chat.active = True
        chat.blocked = False
        chat.updated_at = utcnow()
        await session.flush()
        return chat, created


async def get_chat(db: Database, telegram_id: int) -> Chat | None:
    """The chat with this Telegram id, if known."""
    async with db.session() as session:
        return await session.scalar(select(Chat).where(Chat.telegram_id == telegram_id))
