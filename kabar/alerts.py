"""Use cases for keyword alerts: a chat's saved queries, added, listed and removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from kabar.db import Database
from kabar.db.models import Alert, Chat
from kabar.errors import InvalidInputError, NotFoundError
from kabar.search.query import parse

MAX_ALERTS = 20
MAX_QUERY_CHARS = 200


@dataclass(frozen=True, slots=True)
class AlertInfo:
    """A saved alert as shown to its chat."""

    id: int
    query: str
    created_at: datetime
    last_matched_at: datetime | None


def normalize_query(text: str) -> str:
    """The query as stored: one line, single spaces, at most MAX_QUERY_CHARS characters."""
    query = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if not query:
        raise InvalidInputError("alerts.empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInputError("alerts.too_long", limit=MAX_QUERY_CHARS)
    if parse(query).is_empty:
        # Nothing positive to look for: only exclusions ("-politik") or only stop signs.
        raise InvalidInputError("alerts.needs_word")
    return query


async def _chat_pk(db: Database, telegram_id: int) -> int:
    async with db.session() as session:
        pk = await session.scalar(select(Chat.id).where(Chat.telegram_id == telegram_id))
    if pk is None:
        raise NotFoundError(f"no chat {telegram_id}")
    return pk


async def add_alert(db: Database, telegram_id: int, text: str) -> AlertInfo:
    """Save a query for the chat; a duplicate or one too many is an InvalidInputError."""
    query = normalize_query(text)
    pk = await _chat_pk(db, telegram_id)
    async with db.transaction() as session:
        existing = (await session.scalars(select(Alert.query).where(Alert.chat_id == pk))).all()
        if any(q.casefold() == query.casefold() for q in existing):
            raise InvalidInputError("alerts.exists", query=query)
        if len(existing) >= MAX_ALERTS:
            raise InvalidInputError("alerts.full", limit=MAX_ALERTS)
        alert = Alert(chat_id=pk, query=query)
        session.add(alert)
        await session.flush()
        return _info(alert)


def _info(alert: Alert) -> AlertInfo:
    return AlertInfo(
        id=alert.id,
        query=alert.query,
        created_at=alert.created_at,
        last_matched_at=alert.last_matched_at,
    )


async def list_alerts(db: Database, telegram_id: int) -> list[AlertInfo]:
    """The chat's alerts, oldest first."""
    pk = await _chat_pk(db, telegram_id)
    async with db.session() as session:
        alerts = (
            await session.scalars(select(Alert).where(Alert.chat_id == pk).order_by(Alert.id))
        ).all()
    return [_info(a) for a in alerts]


async def remove_alert(db: Database, telegram_id: int, alert_id: int) -> AlertInfo:
    """Delete one of the chat's alerts by id; NotFoundError if it is not (or no longer) there."""
    pk = await _chat_pk(db, telegram_id)
    async with db.transaction() as session:
        alert = await session.scalar(select(Alert).where(Alert.id == alert_id, Alert.chat_id == pk))
        if alert is None:
            raise NotFoundError(f"no alert {alert_id}")
        info = _info(alert)
        await session.delete(alert)
        return info


async def remove_alert_by_text(db: Database, telegram_id: int, text: str) -> AlertInfo:
    """Delete the alert whose query is `text` (any case), or the n-th alert when `text` is n."""
    text = text.strip()
    alerts = await list_alerts(db, telegram_id)
    if text.isdigit() and 1 <= int(text) <= len(alerts):
        return await remove_alert(db, telegram_id, alerts[int(text) - 1].id)
    wanted = " ".join(text.split()).casefold()
    for alert in alerts:
        if alert.query.casefold() == wanted:
            return await remove_alert(db, telegram_id, alert.id)
    raise InvalidInputError("alerts.not_found", query=text[:MAX_QUERY_CHARS])


async def count_alerts(db: Database, telegram_id: int) -> int:
    """How many alerts the chat has."""
    stmt = (
        select(func.count())
        .select_from(Alert)
        .join(Chat, Chat.id == Alert.chat_id)
        .where(Chat.telegram_id == telegram_id)
    )
    async with db.session() as session:
        return int(await session.scalar(stmt) or 0)
