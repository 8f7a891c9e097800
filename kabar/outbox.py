"""The outbox: every bulk message is a row first; a sender claims rows under a lease.

Rows are queued with a unique dedupe key (one per digest slot and chat, per broadcast and chat,
per alert article and chat), so queueing twice is a no-op. A sender claims due rows in priority
order (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single-writer transaction serializes
claims), marks them `sending` with its name and a lease, and renews the lease while it holds them.
Rows whose lease ran out (their sender died) are put back and claimed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db import Database, utcnow
from kabar.db.models import (
    PRIORITY,
    AppState,
    Broadcast,
    Chat,
    Outbox,
    OutboxKind,
    OutboxStatus,
)

OPEN = (OutboxStatus.PENDING, OutboxStatus.SENDING)
LAST_429_KEY = "telegram.last_429"  # AppState: when Telegram last said 429, and for whom


def digest_key(chat_id: int, slot_key: str) -> str:
    """One digest per chat and slot ("2026-03-08T06:00" local)."""
    return f"digest:{chat_id}:{slot_key}"


def broadcast_key_prefix(broadcast_id: int) -> str:
    """One copy of a broadcast per chat: this prefix, then the chat's id (joined in SQL)."""
    return f"broadcast:{broadcast_id}:"


def alert_key(article_id: int, chat_id: int) -> str:
    """One alert per article and chat, however many of its keywords match."""
    return f"alert:{article_id}:{chat_id}"


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a callback (see kabar.callbacks) or a link."""

    text: str
    data: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, str]:
        """The payload form."""
        out = {"text": self.text}
        if self.data is not None:
            out["data"] = self.data
        if self.url is not None:
            out["url"] = self.url
        return out


@dataclass(frozen=True, slots=True)
class Message:
    """What one outbox row sends: Telegram HTML text and inline buttons in rows."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    preview: bool = False  # link preview

    def to_payload(self) -> dict[str, Any]:
        """The JSON stored in Outbox.payload."""
        payload: dict[str, Any] = {"text": self.text}
        if self.buttons:
            payload["buttons"] = [[b.to_json() for b in row] for row in self.buttons]
        if self.preview:
            payload["preview"] = True
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        """Read back what to_payload wrote."""
        rows = tuple(
            tuple(Button(b["text"], b.get("data"), b.get("url")) for b in row)
            for row in payload.get("buttons") or ()
        )
        return cls(str(payload.get("text", "")), rows, bool(payload.get("preview")))


@dataclass(frozen=True, slots=True)
class NewRow:
    """A row to queue."""

    kind: OutboxKind
    chat_id: int  # Chat.id, not the Telegram id
    dedupe_key: str
    message: Message | None = None  # None: the text is the broadcast's
    broadcast_id: int | None = None
    article_id: int | None = None
    not_before: datetime | None = None


def insert_ignoring_duplicates(session: AsyncSession) -> Any:
    """The dialect's `insert`, which has `on_conflict_do_nothing` on both engines."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def enqueue(session: AsyncSession, rows: Sequence[NewRow]) -> int:
    """Queue `rows` inside the caller's transaction; returns how many were new."""
    if not rows:
        return 0
    now = utcnow()
    values = [
        {
            "dedupe_key": r.dedupe_key,
            "kind": r.kind.value,
            "priority": PRIORITY[r.kind],
            "chat_id": r.chat_id,
            "broadcast_id": r.broadcast_id,
            "article_id": r.article_id,
            "payload": r.message.to_payload() if r.message else {},
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "not_before": r.not_before or now,
            "created_at": now,
        }
        for r in rows
    ]
    insert = insert_ignoring_duplicates(session)
    table = Outbox.__table__
    stmt = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(stmt.returning(table.c.id), values)
    return len(result.all())


async def queue_alert(
    session: AsyncSession, chat_id: int, article_id: int, message: Message
) -> bool:
    """Queue an alert about one article for one chat, once however many keywords matched."""
    row = NewRow(
        OutboxKind.ALERT, chat_id, alert_key(article_id, chat_id), message, article_id=article_id
    )
    return await enqueue(session, [row]) == 1


async def enqueue_one(db: Database, row: NewRow) -> bool:
    """Queue one row in its own transaction; False if its key was already queued."""
    async with db.transaction() as session:
        return await enqueue(session, [row]) == 1


@dataclass(slots=True)
class Delivery:
    """A claimed row with everything the sender needs to send it."""

    id: int
    kind: str
    priority: int
    chat_id: int
    telegram_id: int
    chat_type: str
    thread_id: int | None
    broadcast_id: int | None
    payload: dict[str, Any]
    attempts: int
    not_before: datetime
    text: str = ""  # filled by the sender (payload text, or the broadcast's text)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        """Groups, supergroups and channels have the 20 messages a minute limit."""
        return self.telegram_id < 0 or self.chat_type in ("group", "supergroup", "channel")


def _due(now: datetime) -> Any:
    return and_(Outbox.status == OutboxStatus.PENDING, Outbox.not_before <= now)


async def claim(
    db: Database, owner: str, limit: int, lease: timedelta, *, now: datetime | None = None
) -> list[Delivery]:
    """Claim up to `limit` due rows, most urgent first, for `owner` until now + `lease`."""
    now = now or utcnow()
    async with db.transaction() as session:
        candidates = (
            select(Outbox.id)
            .where(_due(now))
            .order_by(Outbox.priority, Outbox.not_before)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await session.scalars(candidates)).all())
        if not ids:
            return []
        await session.execute(
            update(Outbox)
            .where(Outbox.id.in_(ids))
            .values(status=OutboxStatus.SENDING, lease_owner=owner, lease_until=now + lease)
        )
        rows = (
            await session.execute(
                select(
                    Outbox.id,
                    Outbox.kind,
                    Outbox.priority,
                    Outbox.chat_id,
                    Chat.telegram_id,
                    Chat.type,
                    Chat.thread_id,
                    Outbox.broadcast_id,
                    Outbox.payload,
                    Outbox.attempts,
                    Outbox.not_before,
                    Chat.active,
                    Chat.blocked,
                )
                .join(Chat, Chat.id == Outbox.chat_id)
                .where(Outbox.id.in_(ids))
            )
        ).all()
        gone = [r.id for r in rows if not _reachable(r.kind, r.active, r.blocked)]
        if gone:
            # The chat left (blocked the bot, /stop, deleted) after the row was queued.
            await _finish(session, gone, OutboxStatus.CANCELLED, "chat is inactive")
    out = [
        Delivery(
            id=r.id,
            kind=r.kind,
            priority=r.priority,
            chat_id=r.chat_id,
            telegram_id=r.telegram_id,
            chat_type=r.type,
            thread_id=r.thread_id,
            broadcast_id=r.broadcast_id,
            payload=r.payload or {},
            attempts=r.attempts,
            not_before=r.not_before,
        )
        for r in rows
        if _reachable(r.kind, r.active, r.blocked)
    ]
    out.sort(key=lambda d: (d.priority, d.not_before, d.id))
    return out


def _reachable(kind: str, active: bool, blocked: bool) -> bool:
    """Whether a row may still go to its chat: admins get notices even after /stop."""
    return active or (kind == OutboxKind.NOTICE and not blocked)


async def _finish(
    session: AsyncSession, ids: Sequence[int], status: OutboxStatus, error: str | None
) -> None:
    await session.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids))
        .values(status=status, lease_owner=None, lease_until=None, last_error=error)
    )


async def renew(db: Database, owner: str, ids: Iterable[int], lease: timedelta) -> int:
    """Extend the lease on rows `owner` still holds; returns how many it holds."""
    id_list = list(ids)
    if not id_list:
        return 0
    async with db.transaction() as session:
        result = await session.execute(
            update(Outbox)
            .where(
                Outbox.id.in_(id_list),
                Outbox.status == OutboxStatus.SENDING,
                Outbox.lease_owner == owner,
            )
            .values(lease_until=utcnow() + lease)
        )
        return int(getattr(result, "rowcount", 0) or 0)


# A row given back unsent: pending again, no lease (release, release_owned, reclaim).
_UNCLAIMED: dict[str, Any] = {
    "status": OutboxStatus.PENDING,
    "lease_owner": None,
    "lease_until": None,
}


async def release(
    db: Database, owner: str, ids: Iterable[int], *, not_before: datetime | None = None
) -> None:
    """Give rows back unsent (shutdown, lost leadership, a chat's 429 wait)."""
    id_list = list(ids)
    if not id_list:
        return
    values: dict[str, Any] = dict(_UNCLAIMED)
    if not_before is not None:
        values["not_before"] = not_before
    async with db.transaction() as session:
        await session.execute(
            update(Outbox)
            .where(
                Outbox.id.in_(id_list),
                Outbox.status == OutboxStatus.SENDING,
                Outbox.lease_owner == owner,
            )
            .values(**values)
        )


async def release_owned(db: Database, owner: str, *, keep: Iterable[int] = ()) -> None:
    """Give back every row `owner` holds except `keep` (a sender stopping cleanly).

    By the owner, not by the ids the sender knows: a claim cut short by the stop may have
    committed rows the sender never saw, and those were never sent either.
    """
    keep_ids = list(keep)
    async with db.transaction() as session:
        await session.execute(
            update(Outbox)
            .where(
                Outbox.status == OutboxStatus.SENDING,
                Outbox.lease_owner == owner,
                Outbox.id.not_in(keep_ids),
            )
            .values(**_UNCLAIMED)
        )


async def reclaim(
    db: Database, *, now: datetime | None = None, not_owner: str | None = None
) -> int:
    """Put back rows whose lease expired, or (with `not_owner`) every row another sender holds.

    A new sole sender calls it with its own name when it takes over: whoever held those rows is
    dead. The one message that was in flight when it died may then be sent a second time; that
    is the price of having no idempotency key at Telegram.
    """
    now = now or utcnow()
    condition = Outbox.lease_until < now
    if not_owner is not None:
        condition = or_(condition, Outbox.lease_owner != not_owner, Outbox.lease_owner.is_(None))
    async with db.transaction() as session:
        result = await session.execute(
            update(Outbox)
            .where(Outbox.status == OutboxStatus.SENDING, condition)
            .values(**_UNCLAIMED)
        )
        return int(getattr(result, "rowcount", 0) or 0)


async def broadcast_texts(db: Database, ids: Iterable[int]) -> dict[int, str]:
    """The text of each broadcast in `ids`."""
    id_list = list(set(ids))
    if not id_list:
        return {}
    async with db.session() as session:
        rows = await session.execute(
            select(Broadcast.id, Broadcast.text).where(Broadcast.id.in_(id_list))
        )
        return {r.id: r.text for r in rows}


async def cancel_for_chat(session: AsyncSession, chat_id: int, reason: str) -> int:
    """Cancel every queued row of one chat (it blocked the bot or is gone)."""
    result = await session.execute(
        update(Outbox)
        .where(Outbox.chat_id == chat_id, Outbox.status.in_(OPEN))
        .values(
            status=OutboxStatus.CANCELLED, lease_owner=None, lease_until=None, last_error=reason
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class Depth:
    """Rows not yet sent, by kind."""

    by_kind: dict[str, int]

    @property
    def total(self) -> int:
        """All of them."""
        return sum(self.by_kind.values())


async def depth(db: Database) -> Depth:
    """How many rows wait (pending or being sent), by kind."""
    async with db.session() as session:
        rows = await session.execute(
            select(Outbox.kind, func.count()).where(Outbox.status.in_(OPEN)).group_by(Outbox.kind)
        )
        return Depth({kind: int(n) for kind, n in rows})


async def sent_since(db: Database, since: datetime) -> int:
    """Messages sent since `since` (for messages per minute)."""
    async with db.session() as session:
        n = await session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.sent_at > since)
        )
        return int(n or 0)


@dataclass(frozen=True, slots=True)
class Stats:
    """The delivery figures of /stats."""

    depth: Depth
    per_minute: int  # messages sent in the last minute
    sent_today: int  # in the last 24 hours
    uncertain_today: int
    dead_today: int
    last_429: dict[str, Any] | None  # {"at", "retry_after", "scope", "chat"}


async def stats(db: Database, *, now: datetime | None = None) -> Stats:
    """Outbox depth, messages per minute, trouble in the last day, and the last 429."""
    now = now or utcnow()
    day = now - timedelta(days=1)
    async with db.session() as session:
        troubled = await session.execute(
            select(Outbox.status, func.count())
            .where(
                Outbox.status.in_((OutboxStatus.UNCERTAIN, OutboxStatus.DEAD)),
                Outbox.created_at > day,
            )
            .group_by(Outbox.status)
        )
        trouble = {str(status): int(n) for status, n in troubled}
        last_429 = await session.scalar(select(AppState.value).where(AppState.key == LAST_429_KEY))
    return Stats(
        depth=await depth(db),
        per_minute=await sent_since(db, now - timedelta(minutes=1)),
        sent_today=await sent_since(db, day),
        uncertain_today=trouble.get(OutboxStatus.UNCERTAIN, 0),
        dead_today=trouble.get(OutboxStatus.DEAD, 0),
        last_429=last_429 or None,
    )
