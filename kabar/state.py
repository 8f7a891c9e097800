"""Small named values shared between processes (heartbeats, last 429, one-time flags)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kabar.db import Database, utcnow
from kabar.db.models import AppState

HEARTBEAT_KEY = "worker.heartbeat"


async def get_state(db: Database, key: str) -> dict[str, Any] | None:
    """The value stored under `key`, or None."""
    async with db.session() as session:
        return await session.scalar(select(AppState.value).where(AppState.key == key))


async def set_state(db: Database, key: str, value: dict[str, Any]) -> None:
    """Store `value` under `key`, replacing what was there."""
    async with db.transaction() as session:
        row = await session.get(AppState, key)
        if row is None:
            session.add(AppState(key=key, value=value, updated_at=utcnow()))
        else:
            row.value = value
            row.updated_at = utcnow()
