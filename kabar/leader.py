"""One sender at a time: a lease on a named AppState row that the holder renews.

Telegram's limits are per bot, so two senders each pacing at the full rate would together
exceed it. Whichever process holds the lease sends; the others wait. A holder that died on this
host (its pid is gone) is replaced at once; elsewhere its lease has to run out first.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from sqlalchemy import select

from kabar.db import Database, utcnow
from kabar.db.models import AppState
from kabar.outbox import insert_ignoring_duplicates

SENDER_KEY = "outbox.sender"


def new_owner() -> str:
    """A name for this process: host, pid and a random tag (pids are reused)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


def _dead_here(owner: str) -> bool:
    """Whether `owner` is a process on this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:32] or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else
        return False
    return False


async def acquire(
    db: Database,
    owner: str,
    lease: timedelta,
    *,
    key: str = SENDER_KEY,
    now: datetime | None = None,
) -> bool:
    """Take or renew the lease; False while another live holder has it."""
    now = now or utcnow()
    async with db.transaction() as session:
        insert = insert_ignoring_duplicates(session)
        await session.execute(
            insert(AppState.__table__)
            .values(key=key, value={}, updated_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = await session.scalar(select(AppState).where(AppState.key == key).with_for_update())
        assert row is not None
        holder = str(row.value.get("owner") or "")
        until = row.value.get("until")
        expired = until is None or datetime.fromisoformat(until) <= now
        if holder and holder != owner and not expired and not _dead_here(holder):
            return False
        row.value = {
            "owner": owner,
            "until": (now + lease).isoformat(),
            "since": _since(row, owner, now),
        }
        row.updated_at = now
        return True


def _since(row: AppState, owner: str, now: datetime) -> str:
    if row.value.get("owner") == owner and row.value.get("since"):
        return str(row.value["since"])
    return now.isoformat()


async def release(db: Database, owner: str, *, key: str = SENDER_KEY) -> None:
    """Give the lease up (clean shutdown), so a successor need not wait for it to expire."""
    async with db.transaction() as session:
        row = await session.scalar(select(AppState).where(AppState.key == key).with_for_update())
        if row is not None and row.value.get("owner") == owner:
            row.value = {}
            row.updated_at = utcnow()


async def holder(db: Database, *, key: str = SENDER_KEY) -> str | None:
    """Who holds the lease now, if anyone."""
    async with db.session() as session:
        value = await session.scalar(select(AppState.value).where(AppState.key == key))
    if not value or not value.get("owner"):
        return None
    until = value.get("until")
    if until and datetime.fromisoformat(until) <= utcnow():
        return None
    return str(value["owner"])
