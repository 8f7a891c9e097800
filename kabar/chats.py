"""Use cases for chats: register on /start, read and change their settings, stop, migrate."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db import Database, utcnow
from kabar.db.models import Chat
from kabar.errors import InvalidInputError, NotFoundError

SUPPORTED_LANGUAGES = ("id", "en")
# Indonesia's three zones by their everyday names.
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
QUICK_TIMES = ("06:00", "07:00", "12:00", "18:00", "21:00")
MAX_DIGEST_SLOTS = 6
SUMMARY_LENGTHS = (1, 3, 5)
_CONTINENTS = {
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.h]?(\d{2}))?\s*$")


@dataclass(frozen=True, slots=True)
class ChatRef:
    """What Telegram tells us about a chat and the user in it."""

    telegram_id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    language_code: str | None = None
    thread_id: int | None = None


def pick_language(language_code: str | None, default: str) -> str:
    """The interface language for a Telegram language code: id, en, or the default."""
    code = (language_code or "").lower().split("-")[0]
    if code in ("id", "in", "ms"):  # Telegram clients have sent the old "in" code
        return "id"
    if code == "en":
        return "en"
    return default


def parse_time(text: str) -> str:
    """A time of day typed by a user ("6", "06:30", "6.30", "0630") as "HH:MM"."""
    match = _TIME.match(text[:20])
    if not match:
        raise InvalidInputError("settings.time_invalid", text=text[:20])
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidInputError("settings.time_invalid", text=text[:20])
    return f"{hour:02d}:{minute:02d}"


@cache
def _zones_by_key() -> dict[str, str]:
    """Every IANA zone by its lower-case name and by its city (when only one zone has it)."""
    names = {n for n in zoneinfo.available_timezones() if not n.startswith(("posix/", "right/"))}
    zones = {name.lower(): name for name in names}
    cities: dict[str, set[str]] = {}
    for name in names:
        if name.split("/", 1)[0] not in _CONTINENTS:
            continue
        city = name.rsplit("/", 1)[-1].lower()
        cities.setdefault(city, set()).add(name)
    for city, found in cities.items():
        if len(found) == 1:
            zones.setdefault(city, found.pop())
    return zones


def resolve_timezone(text: str) -> str:
    """An IANA zone from what a user typed: WIB/WITA/WIT, a zone name or a city, any case."""
    value = text.strip()[:64]
    alias = ZONE_ALIASES.get(value.upper())
    if alias:
        return alias
    zone = _zones_by_key().get(value.lower()) or _zones_by_key().get(
        value.lower().replace(" ", "_")
    )
    if zone is None:
        raise InvalidInputError("settings.timezone_invalid", text=value)
    return zone


def zone_label(zone: str) -> str:
    """The zone with its Indonesian short name when it has one ("Asia/Jakarta (WIB)")."""
    for short, name in ZONE_ALIASES.items():
        if name == zone:
            return f"{zone} ({short})"
    return zone


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
        if ref.thread_id is not None or created:
            chat.thread_id = ref.thread_id
        chat.active = True
        chat.blocked = False
        chat.updated_at = utcnow()
        await session.flush()
        return chat, created


async def get_chat(db: Database, telegram_id: int) -> Chat | None:
    """The chat with this Telegram id, if known."""
    async with db.session() as session:
        return await session.scalar(select(Chat).where(Chat.telegram_id == telegram_id))


async def _load(session: AsyncSession, telegram_id: int) -> Chat:
    chat = await session.scalar(select(Chat).where(Chat.telegram_id == telegram_id))
    if chat is None:
        raise NotFoundError(f"no chat {telegram_id}")
    return chat


async def update_chat(db: Database, telegram_id: int, **changes: Any) -> Chat:
    """Set plain columns of a known chat (NotFoundError if the chat never used /start)."""
    async with db.transaction() as session:
        chat = await _load(session, telegram_id)
        for name, value in changes.items():
            setattr(chat, name, value)
        chat.updated_at = utcnow()
        return chat


async def set_language(db: Database, telegram_id: int, language: str) -> Chat:
    """Change the interface language (id or en)."""
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidInputError("settings.language_invalid", text=language)
    return await update_chat(db, telegram_id, language=language)


async def set_timezone(db: Database, telegram_id: int, text: str) -> Chat:
    """Change the timezone from a quick pick or anything resolve_timezone accepts."""
    return await update_chat(db, telegram_id, timezone=resolve_timezone(text))


async def toggle_digest_time(db: Database, telegram_id: int, text: str) -> Chat:
    """Add the slot if absent, remove it if present; at most MAX_DIGEST_SLOTS slots."""
    slot = parse_time(text)
    async with db.transaction() as session:
        chat = await _load(session, telegram_id)
        slots = set(chat.digest_times or [])
        if slot in slots:
            slots.discard(slot)
        elif len(slots) >= MAX_DIGEST_SLOTS:
            raise InvalidInputError("settings.times_full", count=MAX_DIGEST_SLOTS)
        else:
            slots.add(slot)
        chat.digest_times = sorted(slots)
        chat.updated_at = utcnow()
        return chat


async def add_digest_time(db: Database, telegram_id: int, text: str) -> Chat:
    """Add a slot (typed as any time of day); adding one already there changes nothing."""
    slot = parse_time(text)
    chat = await get_chat(db, telegram_id)
    if chat is not None and slot in (chat.digest_times or []):
        return chat
    return await toggle_digest_time(db, telegram_id, slot)


async def clear_digest_times(db: Database, telegram_id: int) -> Chat:
    """No scheduled digests (the chat can still ask with /digest)."""
    return await update_chat(db, telegram_id, digest_times=[])


async def set_summary_sentences(db: Database, telegram_id: int, sentences: int) -> Chat:
    """Summary length in sentences, 1 to 10."""
    if not 1 <= sentences <= 10:
        raise InvalidInputError("settings.length_invalid")
    return await update_chat(db, telegram_id, summary_sentences=sentences)


async def set_paused(db: Database, telegram_id: int, paused: bool) -> Chat:
    """Pause or resume scheduled digests and alerts."""
    return await update_chat(db, telegram_id, paused=paused)


async def mark_onboarded(db: Database, telegram_id: int) -> Chat:
    """Onboarding is finished."""
    return await update_chat(db, telegram_id, onboarded=True)


async def stop_chat(db: Database, telegram_id: int) -> Chat | None:
    """Unsubscribe: nothing more is sent, but settings stay for a later /start."""
    async with db.transaction() as session:
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == telegram_id))
        if chat is None:
            return None
        chat.active = False
        chat.updated_at = utcnow()
        return chat


async def mark_blocked(db: Database, telegram_id: int) -> None:
    """The bot was blocked or removed from the chat: stop sending, keep settings."""
    async with db.transaction() as session:
        chat = await session.scalar(select(Chat).where(Chat.telegram_id == telegram_id))
        if chat is not None:
            chat.active = False
            chat.blocked = True
            chat.updated_at = utcnow()


async def migrate_chat(db: Database, old_id: int, new_id: int) -> bool:
    """A group became a supergroup: its settings follow it to the new id.

    If the new id was already registered (a message from it arrived first), that fresh row
    gives way to the old one, which carries the settings. Returns whether anything moved.
    """
    async with db.transaction() as session:
        old = await session.scalar(select(Chat).where(Chat.telegram_id == old_id))
        if old is None:
            return False
        await session.execute(delete(Chat).where(Chat.telegram_id == new_id))
        await session.flush()
        old.telegram_id = new_id
        old.type = "supergroup"
        old.updated_at = utcnow()
        return True
