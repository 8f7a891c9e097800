"""Forget what is old: articles past the retention window and finished outbox rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import InstrumentedAttribute

from kabar.db import Database
from kabar.db.models import Article, Outbox, OutboxStatus

log = logging.getLogger(__name__)

BATCH = 2000  # rows per transaction: SQLite's single writer is never held for long
OUTBOX_KEEP = timedelta(days=30)  # long enough for /stats and for a broadcast's report
FINISHED = (
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.DEAD,
    OutboxStatus.CANCELLED,
    OutboxStatus.UNCERTAIN,
)


@dataclass(frozen=True, slots=True)
class Pruned:
    """How many rows one pass removed."""

    articles: int
    outbox: int


def retention_cutoff(days: int, now: datetime) -> datetime | None:
    """Articles published before this are pruned; None keeps everything (days = 0)."""
    return now - timedelta(days=days) if days > 0 else None


async def prune(db: Database, *, retention_days: int, now: datetime) -> Pruned:
    """Delete articles past the window and outbox rows finished more than 30 days ago.

    Deleting through SQL keeps the search index in step by its triggers and cascades.
    """
    cutoff = retention_cutoff(retention_days, now)
    articles = 0
    if cutoff is not None:
        articles = await _in_batches(
            db, select(Article.id).where(Article.published_at < cutoff), Article.id
        )
    outbox = await _in_batches(
        db,
        select(Outbox.id).where(
            Outbox.status.in_([s.value for s in FINISHED]), Outbox.created_at < now - OUTBOX_KEEP
        ),
        Outbox.id,
    )
    if articles or outbox:
        log.info("pruned %d articles and %d outbox rows", articles, outbox)
    return Pruned(articles, outbox)


async def _in_batches(db: Database, ids: Select[int], column: InstrumentedAttribute[int]) -> int:
    """Delete the rows whose `column` is among `ids`, BATCH at a time; returns the count."""
    total = 0
    while True:
        async with db.transaction() as session:
            batch = list(await session.scalars(ids.limit(BATCH)))
            if not batch:
                return total
            await session.execute(delete(column.class_).where(column.in_(batch)))
        total += len(batch)
