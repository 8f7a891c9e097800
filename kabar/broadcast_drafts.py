"""An admin composing a broadcast in chat: the draft's audience, its label and count, and the
broadcasts whose progress message the bot keeps up to date (kabar.broadcast does the rest)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kabar import broadcast
from kabar.broadcast import Audience
from kabar.db import Database
from kabar.db.models import Broadcast, BroadcastStatus
from kabar.errors import NotFoundError
from kabar.i18n import t

LANGUAGE_KEYS = {"id": "broadcast_admin.audience_id", "en": "broadcast_admin.audience_en"}


@dataclass(frozen=True, slots=True)
class Draft:
    """A broadcast not queued yet."""

    id: int
    text: str
    audience: Audience
    count: int  # chats the audience holds now


@dataclass(frozen=True, slots=True)
class Tracked:
    """A broadcast under way with a progress message to keep current."""

    id: int
    chat_id: int  # Telegram ids
    message_id: int


async def draft(db: Database, broadcast_id: int) -> Draft:
    """The draft with its audience's size; NotFoundError once it was queued or discarded."""
    async with db.session() as session:
        row = await session.get(Broadcast, broadcast_id)
    if row is None or row.status != BroadcastStatus.DRAFT:
        raise NotFoundError(f"no draft broadcast {broadcast_id}")
    audience = Audience.from_json(row.audience)
    return Draft(row.id, row.text, audience, await broadcast.count_audience(db, audience))


async def set_audience(db: Database, broadcast_id: int, audience: Audience) -> Draft:
    """Choose who gets the draft; NotFoundError if it is no longer a draft."""
    async with db.transaction() as session:
        row = await session.get(Broadcast, broadcast_id)
        if row is None or row.status != BroadcastStatus.DRAFT:
            raise NotFoundError(f"no draft broadcast {broadcast_id}")
        row.audience = audience.to_json()
    return await draft(db, broadcast_id)


async def discard(db: Database, broadcast_id: int) -> None:
    """Drop a draft (it is marked cancelled, so its buttons go stale)."""
    await draft(db, broadcast_id)
    await broadcast.cancel(db, broadcast_id)


async def tracked(db: Database) -> list[Tracked]:
    """Broadcasts queued or running that have a progress message (to resume after a restart)."""
    stmt = select(Broadcast).where(
        Broadcast.status.in_(broadcast.ACTIVE),
        Broadcast.progress_chat_id.is_not(None),
        Broadcast.progress_message_id.is_not(None),
    )
    async with db.session() as session:
        rows = (await session.scalars(stmt)).all()
    return [
        Tracked(r.id, int(r.progress_chat_id or 0), int(r.progress_message_id or 0)) for r in rows
    ]


def audience_label(language: str, audience: Audience) -> str:
    """Who the audience is, in words."""
    if audience.kind == "language":
        return t(language, LANGUAGE_KEYS.get(audience.value or "", "broadcast_admin.audience_all"))
    if audience.kind == "topic":
        return t(language, "broadcast_admin.audience_topic", topic=audience.value or "")
    return t(language, "broadcast_admin.audience_all")
