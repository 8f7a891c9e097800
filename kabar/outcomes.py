"""What one send attempt came to, and what each outcome does to the row, its chat and broadcast.

sent          the row is done, with Telegram's message id
retry         5xx or a network error before an answer: back off, then dead after a limit
rate_limited  429: wait retry_after (the sender decides: that chat, or everything)
uncertain     the request went out and no answer came: recorded, never resent blindly
blocked       403 blocked / deactivated / kicked: the chat is inactive, its rows cancelled
chat_gone     400 chat not found: the chat is inactive, its rows cancelled
migrated      the group became a supergroup: follow the new id and send again
rejected      any other 400: this row failed; a broadcast's stops (it would fail for all)
unauthorized  the token is wrong: nothing can be sent; rows go back untouched
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kabar import broadcast, outbox
from kabar.db import Database, utcnow
from kabar.db.models import Chat, Outbox, OutboxKind, OutboxStatus

log = logging.getLogger(__name__)


class Result(StrEnum):
    """The kinds of outcome."""

    SENT = "sent"
    RETRY = "retry"
    RATE_LIMITED = "rate_limited"
    UNCERTAIN = "uncertain"
    BLOCKED = "blocked"
    CHAT_GONE = "chat_gone"
    MIGRATED = "migrated"
    REJECTED = "rejected"
    UNAUTHORIZED = "unauthorized"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's outcome, in Telegram-free terms."""

    result: Result
    message_id: int | None = None
    retry_after: float = 0.0
    new_chat_id: int | None = None
    error: str = ""
    chat_specific: bool = False  # a 400 about this chat only (no rights, topic gone)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry 5xx and network errors."""

    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failure, with jitter against thundering."""
        delay = min(self.cap_seconds, self.base_seconds * float(2 ** max(0, attempts - 1)))
        return delay * random.uniform(0.8, 1.2)


@dataclass(slots=True)
class Effects:
    """What the sender must drop from memory after the results were written."""

    closed_chats: set[int] = field(default_factory=set)
    stopped_broadcasts: set[int] = field(default_factory=set)


async def record(
    db: Database,
    items: Sequence[tuple[outbox.Delivery, Outcome]],
    policy: RetryPolicy,
    *,
    now: datetime | None = None,
) -> Effects:
    """Write the outcomes of many attempts in one transaction (group commit)."""
    now = now or utcnow()
    effects = Effects()
    async with db.transaction() as session:
        sent = [
            {"row": d.id, "message": o.message_id, "attempts": d.attempts + 1}
            for d, o in items
            if o.result == Result.SENT
        ]
        if sent:
            await session.execute(_mark_sent(now), sent)
        for d, o in items:
            if o.result != Result.SENT:
                await _apply(session, d, o, policy=policy, now=now, effects=effects)
    return effects


def _mark_sent(now: datetime) -> Any:
    """One executemany UPDATE for a batch of sent rows (Core: the ORM's bulk path costs more)."""
    table = Outbox.__table__
    assert isinstance(table, Table)
    return (
        update(table)
        .where(table.c.id == bindparam("row"))
        .values(
            status=OutboxStatus.SENT.value,
            telegram_message_id=bindparam("message"),
            sent_at=now,
            attempts=bindparam("attempts"),
            lease_owner=None,
            lease_until=None,
            last_error=None,
        )
    )


async def _set(session: AsyncSession, row_id: int, **values: object) -> None:
    values.setdefault("lease_owner", None)
    values.setdefault("lease_until", None)
    await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


async def _apply(
    session: AsyncSession,
    d: outbox.Delivery,
    o: Outcome,
    *,
    policy: RetryPolicy,
    now: datetime,
    effects: Effects,
) -> None:
    match o.result:
        case Result.RETRY:
            attempts = d.attempts + 1
            if attempts >= policy.max_attempts:
                await _set(
                    session, d.id, status=OutboxStatus.DEAD, attempts=attempts, last_error=o.error
                )
            else:
                wait = timedelta(seconds=policy.backoff(attempts))
                await _set(
                    session,
                    d.id,
                    status=OutboxStatus.PENDING,
                    attempts=attempts,
                    not_before=now + wait,
                    last_error=o.error,
                )
        case Result.RATE_LIMITED:
            await _set(
                session,
                d.id,
                status=OutboxStatus.PENDING,
                not_before=now + timedelta(seconds=o.retry_after),
                last_error=o.error,
            )
        case Result.UNCERTAIN:
            await _set(
                session,
                d.id,
                status=OutboxStatus.UNCERTAIN,
                attempts=d.attempts + 1,
                last_error=o.error,
            )
        case Result.BLOCKED | Result.CHAT_GONE:
            blocked = o.result == Result.BLOCKED
            await _set(
                session,
                d.id,
                status=OutboxStatus.BLOCKED if blocked else OutboxStatus.FAILED,
                attempts=d.attempts + 1,
                last_error=o.error,
            )
            await close_chat(session, d.chat_id, blocked=blocked, reason=o.error)
            effects.closed_chats.add(d.chat_id)
        case Result.REJECTED:
            await _set(
                session,
                d.id,
                status=OutboxStatus.FAILED,
                attempts=d.attempts + 1,
                last_error=o.error,
            )
            if d.kind == OutboxKind.BROADCAST and d.broadcast_id and not o.chat_specific:
                if await broadcast.stop(session, d.broadcast_id, o.error):
                    log.warning("broadcast %s stopped: %s", d.broadcast_id, o.error)
                effects.stopped_broadcasts.add(d.broadcast_id)
        case Result.MIGRATED | Result.UNAUTHORIZED | Result.SENT:
            # Handled by the sender before recording: nothing to write here.
            pass


async def close_chat(session: AsyncSession, chat_id: int, *, blocked: bool, reason: str) -> None:
    """Mark a chat inactive (and blocked for a 403) and cancel everything queued for it."""
    values: dict[str, object] = {"active": False, "updated_at": utcnow()}
    if blocked:
        values["blocked"] = True
    await session.execute(update(Chat).where(Chat.id == chat_id).values(**values))
    await outbox.cancel_for_chat(session, chat_id, f"chat closed: {reason}")


async def follow_migration(db: Database, chat_id: int, new_telegram_id: int) -> int:
    """Point the chat at its new supergroup id; returns the chat to send to from now on.

    If the bot already knows the supergroup as a chat of its own (it saw the migration update
    first), that chat is kept, the old one is closed, and the row is sent there.
    """
    async with db.transaction() as session:
        other = await session.scalar(select(Chat.id).where(Chat.telegram_id == new_telegram_id))
        if other is not None and other != chat_id:
            await session.execute(
                update(Chat).where(Chat.id == chat_id).values(active=False, updated_at=utcnow())
            )
            return other
        await session.execute(
            update(Chat)
            .where(Chat.id == chat_id)
            .values(telegram_id=new_telegram_id, type="supergroup", updated_at=utcnow())
        )
        return chat_id
