"""The SQLite engine: an FTS5 table of analyzed terms, its newest matches ranked by BM25.

`search_fts(title, summary, body)` holds each article's analyzed terms (space-separated, so the
`ascii` tokenizer splits exactly where the analyzer did). Its rowid is a time key, the minute of
publication times 2^31 plus the article id (KEY_SQL), so FTS5's native rowid order is newest
first: newest-first pages, "the most recent matches" of relevance and since/until ranges all
come straight from the index, whatever the number of matches, and the article id is the low 31
bits. ORM writes index through kabar.search.sync; SQL triggers made by the migration drop an
article's row when it is deleted (any path: ORM, Core, ON DELETE CASCADE) or when its text or
date change outside the ORM.

Relevance is BM25 computed in Python over the window's analyzed texts (kabar.search.bm25), not
FTS5's bm25(), which would count every document holding each term on every query. Each clause's
IDF, needed only when a query has two or more, is counted among the POPULATION newest articles:
rarity in recent news, at a bounded cost.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BindParameter, Float, Integer, String, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.search import bm25
from kabar.search.analyze import phrase_variants, variants
from kabar.search.cursor import NewestCursor
from kabar.search.model import Candidate, Document, Filters
from kabar.search.query import Clause, Item, Kind, Query
from kabar.search.sql import Fragment, filter_fragment, micros

ID_BITS = 31
ID_MASK = 2**ID_BITS - 1
# The rowid of an article's row; the migration's triggers use this very expression, and the
# writer computes keys with it in SQL too, so both always agree (SQLite rounds fractional
# seconds its own way).
KEY_SQL = "(max(0, CAST(strftime('%s', {t}.published_at) AS INTEGER)) / 60) * 2147483648 + {t}.id"
ARTICLE_ID = f"(search_fts.rowid & {ID_MASK})"
# The publication minute, in epoch seconds, read off the rowid: ranking needs no visit to
# `articles` (a random read per candidate, most of a common word's cost) unless a filter does.
EPOCH = f"((search_fts.rowid >> {ID_BITS}) * 60.0)"
# The three fields' analyzed texts as kabar.search.bm25 counts them (see bm25.pad).
PADDED = ", ".join(f"' ' || search_fts.{f} || ' '" for f in ("title", "summary", "body"))
# Field weights: title, summary, body.
WEIGHTS = (10.0, 4.0, 1.0)
# IDF is counted among this many newest articles: about a month of a busy bot's news.
POPULATION = 50_000
POPULATION_TTL_SECONDS = 60.0


def minute_key(moment: datetime) -> int:
    """The smallest rowid of the minute holding `moment` (for since/until ranges)."""
    return max(0, micros(moment) // 60_000_000) << ID_BITS


def _quoted(terms: Sequence[str]) -> str:
    return '"' + " ".join(terms).replace('"', '""') + '"'


def _item(item: Item, language: str | None) -> list[str]:
    if item.kind is Kind.PHRASE:
        return [_quoted(seq) for seq in phrase_variants(item.terms, language)]
    suffix = "*" if item.kind is Kind.PREFIX else ""
    return [_quoted([v]) + suffix for v in variants(item.terms[0], language)]


def _clause(clause: Clause, language: str | None) -> str:
    return "(" + " OR ".join(e for i in clause.items for e in _item(i, language)) + ")"


def match_expression(query: Query, language: str | None = None) -> str:
    """An FTS5 MATCH string built only from analyzed terms that this function quotes."""
    expr = " AND ".join(_clause(c, language) for c in query.positive)
    for clause in query.negative:
        expr = f"({expr}) NOT {_clause(clause, language)}"
    return expr


class SQLiteEngine:
    """FTS5 full-text search."""

    _shared: ClassVar[SQLiteEngine | None] = None

    def __init__(self) -> None:
        # Per database URL: (measured at, documents, lowest rowid) of the IDF population.
        self._populations: dict[str, tuple[float, int, int]] = {}

    @classmethod
    def shared(cls) -> SQLiteEngine:
        """The process-wide engine (it caches the IDF population's bounds)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def write(self, connection: Connection, documents: Sequence[Document]) -> None:
        """Replace each document's row in search_fts."""
        if not documents:
            return
        keys: dict[int, int] = dict(
            connection.execute(
                text(
                    f"SELECT a.id, {KEY_SQL.format(t='a')} FROM articles a WHERE a.id IN :ids"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": [d.article_id for d in documents]},
            ).all()
        )
        rows = [
            {
                "key": keys[d.article_id],
                "title": " ".join(d.title),
                "summary": " ".join(d.summary),
                "body": " ".join(d.body),
            }
            for d in documents
            if d.article_id in keys
        ]
        if not rows:
            return
        connection.execute(text("DELETE FROM search_fts WHERE rowid = :key"), rows)
        connection.execute(
            text(
                "INSERT INTO search_fts (rowid, title, summary, body) "
                "VALUES (:key, :title, :summary, :body)"
            ),
            rows,
        )

    async def window(
        self, session: AsyncSession, query: Query, filters: Filters, snapshot: int | None, size: int
    ) -> list[Candidate]:
        """The most recently published matches with their BM25 relevance."""
        frag, source = _fragment(filters)
        if snapshot is not None:
            frag.add(f"{ARTICLE_ID} <= :snapshot", bindparam("snapshot", snapshot, Integer()))
        # FTS5 yields rowids newest first and stops at LIMIT, so a word found in a million
        # articles costs `size` rows, not a million.
        sql = (
            f"SELECT {ARTICLE_ID} AS id, {EPOCH} AS epoch, search_fts.rowid AS position, "
            f"{PADDED} FROM {source} "
            f"WHERE search_fts MATCH :q{frag.sql()} ORDER BY search_fts.rowid DESC LIMIT :size"
        )
        params = [*frag.params, _match_param(query, filters), bindparam("size", size, Integer())]
        rows = (await session.execute(text(sql).bindparams(*params))).all()
        if not rows:
            return []
        clauses = [bm25.needles(c, filters.language) for c in query.positive]
        weights = await self._idf(session, query, filters.language)
        counted = bm25.count([r[3:] for r in rows], clauses, WEIGHTS)
        relevance = bm25.scores(counted, weights)
        return [
            Candidate(r[0], score, r[1], r[2]) for r, score in zip(rows, relevance, strict=True)
        ]

    async def _idf(self, session: AsyncSession, query: Query, language: str | None) -> list[float]:
        """Each positive clause's IDF among the POPULATION newest articles.

        With one clause the IDF is a constant factor and needs no count.
        """
        if len(query.positive) < 2:
            return [1.0]
        documents, boundary = await self._population(session)
        out = []
        for clause in query.positive:
            holding = await session.scalar(
                text(
                    "SELECT count(*) FROM search_fts "
                    "WHERE search_fts MATCH :q AND search_fts.rowid >= :boundary"
                ),
                {"q": _clause(clause, language), "boundary": boundary},
            )
            out.append(bm25.idf(documents, int(holding or 0)))
        return out

    async def _population(self, session: AsyncSession) -> tuple[int, int]:
        """How many articles the IDF population holds, and its lowest rowid.

        Finding the POPULATION-th newest article walks that many rows (about 10 ms at 50,000),
        so a full population's bound is kept for a minute: it moves by the few articles
        published meanwhile. A smaller archive is cheap to count, and counted exactly each time.
        """
        key = str(getattr(session.bind, "url", ""))
        cached = self._populations.get(key)
        if cached is not None and time.monotonic() - cached[0] < POPULATION_TTL_SECONDS:
            return cached[1], cached[2]
        row = (
            await session.execute(
                text(
                    "SELECT count(*) AS n, min(id) AS low FROM (SELECT id FROM search_fts_docsize "
                    "ORDER BY id DESC LIMIT :population)"
                ),
                {"population": POPULATION},
            )
        ).one()
        documents, boundary = int(row.n), int(row.low or 0)
        if documents >= POPULATION:
            self._populations[key] = (time.monotonic(), documents, boundary)
        return documents, boundary

    async def newest(
        self,
        session: AsyncSession,
        query: Query,
        filters: Filters,
        after: NewestCursor | None,
        limit: int,
    ) -> list[Candidate]:
        """Newest matches first (by publication minute, then id), straight from FTS5's order."""
        frag, source = _fragment(filters)
        if after is not None:
            frag.add("search_fts.rowid < :after", bindparam("after", after.position, Integer()))
        sql = (
            f"SELECT {ARTICLE_ID} AS id, search_fts.rowid AS position, "
            f"{EPOCH} AS epoch FROM {source} "
            f"WHERE search_fts MATCH :q{frag.sql()} ORDER BY search_fts.rowid DESC LIMIT :limit"
        )
        params = [*frag.params, _match_param(query, filters), bindparam("limit", limit, Integer())]
        stmt = (
            text(sql).bindparams(*params).columns(id=Integer(), position=Integer(), epoch=Float())
        )
        rows = (await session.execute(stmt)).all()
        return [Candidate(r.id, 0.0, float(r.epoch), int(r.position)) for r in rows]


def _fragment(filters: Filters) -> tuple[Fragment, str]:
    """The filters (since/until also as rowid ranges that FTS5 applies itself) and the FROM:
    search_fts alone, or joined to `articles a` when a filter reads an article's columns.
    CROSS JOIN keeps FTS5 as the outer loop, so rows still come newest first and stop at LIMIT.
    """
    frag = filter_fragment(filters, "sqlite")
    source = (
        f"search_fts CROSS JOIN articles a ON a.id = {ARTICLE_ID}" if frag.where else "search_fts"
    )
    if filters.since is not None:
        since = minute_key(filters.since)
        frag.add("search_fts.rowid >= :since_key", bindparam("since_key", since, Integer()))
    if filters.until is not None:
        until = minute_key(filters.until) + (1 << ID_BITS)
        frag.add("search_fts.rowid < :until_key", bindparam("until_key", until, Integer()))
    return frag, source


def _match_param(query: Query, filters: Filters) -> BindParameter[Any]:
    return bindparam("q", match_expression(query, filters.language), String())
