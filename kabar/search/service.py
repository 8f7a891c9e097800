"""The search use case: parse, match on the database's engine, rank, page and excerpt."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db import Database, utcnow
from kabar.db.models import Article, Feed
from kabar.search.cursor import (
    Cursor,
    NewestCursor,
    RelevanceCursor,
    check_bytes,
    decode,
    encode,
)
from kabar.search.engine import Engine, engine_for
from kabar.search.model import Candidate, Filters, Order, SearchHit, SearchPage
from kabar.search.query import Query, parse
from kabar.search.snippet import Highlighter, excerpt

MAX_LIMIT = 50
# Relevance ranks the most recently published WINDOW matches (25 pages of 10), which bounds the
# cost of a word found in every article; older matches follow by date, so none is out of reach.
WINDOW = 250
RECENCY_HALF_LIFE_DAYS = 14.0  # a fresh article counts up to twice, fading with this half-life
BODY_SCAN_CHARS = 5000  # a snippet comes from the start of a long body


def recency_boost(epoch: float, ref_minute: int) -> float:
    """1 + 2^(-age/half-life): 2 for an article published now, towards 1 for old ones."""
    age_days = max(0.0, (ref_minute * 60 - epoch) / 86_400)
    return 1.0 + math.pow(2.0, -age_days / RECENCY_HALF_LIFE_DAYS)


def rank(candidates: Sequence[Candidate], ref_minute: int) -> list[Candidate]:
    """Candidates by boosted relevance, best first; ties by newer id."""
    return sorted(
        candidates,
        key=lambda c: (-c.relevance * recency_boost(c.epoch, ref_minute), -c.article_id),
    )


async def search(
    db: Database,
    query: str,
    *,
    filters: Filters | None = None,
    order: Order = Order.RELEVANCE,
    cursor: str | None = None,
    limit: int = 10,
) -> SearchPage:
    """One page of articles matching `query`; `cursor` is a previous page's `next_cursor`.

    Never raises for what a user typed: an empty or unusable query, or a cursor that is
    malformed or belongs to another query, gives an empty page.
    """
    filters = filters or Filters()
    limit = max(1, min(limit, MAX_LIMIT))
    parsed = parse(query)
    if parsed.is_empty:
        return SearchPage()
    check = check_bytes(parsed, filters, order.value)
    after = decode(cursor, check) if cursor else None
    if cursor and after is None:
        return SearchPage()
    nxt: Cursor | None
    engine = engine_for(db.dialect)
    async with db.session() as session:  # one read transaction: the page and its rows agree
        if order is Order.NEWEST:
            if after is not None and not isinstance(after, NewestCursor):
                return SearchPage()
            ids, nxt = await _newest_page(
                session, engine, query=parsed, filters=filters, after=after, limit=limit
            )
        else:
            ids, nxt = await _relevance_page(
                session, engine, query=parsed, filters=filters, after=after, limit=limit
            )
        rows = await _rows(session, ids)
    hits = _hits(ids, rows, parsed)
    return SearchPage(hits, encode(nxt, check) if nxt else None)


async def _newest_page(
    session: AsyncSession,
    engine: Engine,
    *,
    query: Query,
    filters: Filters,
    after: NewestCursor | None,
    limit: int,
) -> tuple[list[int], NewestCursor | None]:
    found = await engine.newest(session, query, filters, after, limit + 1)
    page = found[:limit]
    if len(found) <= limit:
        return [c.article_id for c in page], None
    last = page[-1]
    return [c.article_id for c in page], NewestCursor(last.position, last.article_id)


async def _relevance_page(
    session: AsyncSession,
    engine: Engine,
    *,
    query: Query,
    filters: Filters,
    after: Cursor | None,
    limit: int,
) -> tuple[list[int], Cursor | None]:
    if isinstance(after, NewestCursor):  # past the window: the older matches, by date
        return await _newest_page(
            session, engine, query=query, filters=filters, after=after, limit=limit
        )
    snapshot = after.snapshot if after else None
    found = await engine.window(session, query, filters, snapshot, WINDOW)
    if not found:
        return [], None
    if after is None:
        snapshot = max(c.article_id for c in found)
        ref_minute = int(utcnow().timestamp() // 60)
    else:
        ref_minute = after.ref_minute
    ranked = rank(found, ref_minute)
    start = 0
    if after is not None:
        ranked_ids = [c.article_id for c in ranked]
        try:
            start = ranked_ids.index(after.article_id) + 1
        except ValueError:  # the last item shown was deleted meanwhile
            start = after.offset
    page = ranked[start : start + limit]
    ids = [c.article_id for c in page]
    if start + limit < len(ranked):
        assert snapshot is not None
        return ids, RelevanceCursor(snapshot, ref_minute, start + len(page), page[-1].article_id)
    if len(found) < WINDOW:  # the window held every match
        return ids, None
    return await _past_window(
        session, engine, query=query, filters=filters, found=found, ids=ids, room=limit - len(page)
    )


async def _past_window(
    session: AsyncSession,
    engine: Engine,
    *,
    query: Query,
    filters: Filters,
    found: Sequence[Candidate],
    ids: list[int],
    room: int,
) -> tuple[list[int], Cursor | None]:
    """The last page of a full window, filled up with the matches older than all of it."""
    oldest = min(found, key=lambda c: (c.position, c.article_id))
    rest = NewestCursor(oldest.position, oldest.article_id)
    if room == 0:
        more = await engine.newest(session, query, filters, rest, 1)
        return ids, rest if more else None
    extra, nxt = await _newest_page(
        session, engine, query=query, filters=filters, after=rest, limit=room
    )
    return ids + extra, nxt


async def _rows(session: AsyncSession, ids: list[int]) -> dict[int, Row[Any]]:
    if not ids:
        return {}
    stmt = (
        select(
            Article.id,
            Article.title,
            Article.url,
            Article.published_at,
            Article.summary,
            Article.language,
            func.substr(Article.text, 1, BODY_SCAN_CHARS).label("body"),
            func.coalesce(Feed.name, Feed.title, Feed.url).label("feed_name"),
        )
        .join(Feed, Feed.id == Article.feed_id)
        .where(Article.id.in_(ids))
    )
    return {row.id: row for row in (await session.execute(stmt)).all()}


def _hits(ids: list[int], rows: dict[int, Row[Any]], query: Query) -> list[SearchHit]:
    highlighter = Highlighter.of(query)
    return [
        SearchHit(
            article_id=row.id,
            title=row.title,
            url=row.url,
            feed_name=row.feed_name,
            published_at=row.published_at,
            snippet=_excerpt(row.summary or "", row.body or "", row.language, highlighter),
            summary=row.summary,
        )
        for row in (rows.get(i) for i in ids)
        if row is not None
    ]


def _excerpt(summary: str, body: str, language: str | None, highlighter: Highlighter) -> str:
    """From the summary when it holds a match, else from the body, else the summary's start."""
    return excerpt([t for t in (summary, body) if t], highlighter, language)
