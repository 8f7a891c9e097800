"""The PostgreSQL engine: a tsvector of analyzed terms per article with a GIN index.

`search_documents(article_id, published_at, tsv)` holds each article's analyzed terms, written
by Kabar as a
tsvector literal (title weight A, summary B, body C, positions kept for phrases), so PostgreSQL
never re-parses the text with a configuration of its own. Rows vanish with their article through
ON DELETE CASCADE; a trigger drops the row when the text changes outside the ORM.

Relevance has BM25's shape: for each query clause, its inverse document frequency times a
saturating, field-weighted term frequency (ts_rank with the weights 1.0/0.4/0.1 and length
normalization). Document frequencies come from ANALYZE's statistics of the tsv column (the same
numbers the planner uses), cached for a few minutes, so ranking costs no extra scan.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import BindParameter, Float, Integer, String, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db.types import UTCDateTime
from kabar.search.analyze import phrase_variants, variants
from kabar.search.cursor import NewestCursor
from kabar.search.model import Candidate, Document, Filters
from kabar.search.query import Clause, Item, Kind, Query
from kabar.search.sql import filter_fragment, from_micros, micros

EPOCH = "CAST(extract(epoch FROM d.published_at) AS float8)"
# Newest first from search_documents' own (published_at, article_id) index: for a common word
# the planner walks it and stops at LIMIT; for a rare one it takes GIN's few rows and sorts.
ORDER = "ORDER BY d.published_at DESC, d.article_id DESC"
FIELD_GAP = 64  # positions between fields, so a phrase never spans title and summary
MAX_POSITION = 16383  # PostgreSQL's limit
MAX_POSITIONS_PER_TERM = 255
MAX_LEXEME_BYTES = 256_000
RANK_WEIGHTS = "'{0.1, 0.1, 0.4, 1.0}'::float4[]"  # D, C (body), B (summary), A (title)
STATS_TTL_SECONDS = 300.0
UNSEEN_FREQUENCY = 1e-4  # a term ANALYZE did not list is rarer than those it did


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: Document) -> str:
    """The document as tsvector input text with positions and field weights."""
    positions: dict[str, list[str]] = {}
    start = 1
    budget = MAX_LEXEME_BYTES
    for field_terms, weight in ((doc.title, "A"), (doc.summary, "B"), (doc.body, "C")):
        for offset, term in enumerate(field_terms):
            pos = start + offset
            if pos > MAX_POSITION:
                break
            slots = positions.get(term)
            if slots is None:
                budget -= len(term.encode())
                if budget < 0:  # a tsvector holds at most 1 MB: junk text must not fail a write
                    continue
                slots = positions[term] = []
            if len(slots) < MAX_POSITIONS_PER_TERM:
                slots.append(f"{pos}{weight}")
        start += len(field_terms) + FIELD_GAP
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def _item(item: Item, language: str | None) -> list[str]:
    if item.kind is Kind.PHRASE:
        return [
            "(" + " <-> ".join(_lexeme(t) for t in seq) + ")"
            for seq in phrase_variants(item.terms, language)
        ]
    suffix = ":*" if item.kind is Kind.PREFIX else ""
    return [_lexeme(v) + suffix for v in variants(item.terms[0], language)]


def clause_tsquery(clause: Clause, language: str | None) -> str:
    """One clause as tsquery text: its alternatives ORed."""
    return "(" + " | ".join(e for i in clause.items for e in _item(i, language)) + ")"


def tsquery_text(query: Query, language: str | None = None) -> str:
    """tsquery input built only from analyzed terms that this function quotes."""
    parts = [clause_tsquery(c, language) for c in query.positive]
    parts += ["!" + clause_tsquery(c, language) for c in query.negative]
    return " & ".join(parts)


class PostgresEngine:
    """tsvector + GIN full-text search."""

    _shared: ClassVar[PostgresEngine | None] = None

    def __init__(self) -> None:
        # Per database URL: (loaded at, term -> share of documents, share of an unlisted term).
        self._stats: dict[str, tuple[float, dict[str, float], float]] = {}

    @classmethod
    def shared(cls) -> PostgresEngine:
        """The process-wide engine (it caches term statistics)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def write(self, connection: Connection, documents: Sequence[Document]) -> None:
        """Upsert each document's tsvector."""
        if not documents:
            return
        rows = [
            {"id": d.article_id, "published_at": d.published_at, "tsv": tsvector_literal(d)}
            for d in documents
        ]
        connection.execute(
            text(
                "INSERT INTO search_documents (article_id, published_at, tsv) "
                "VALUES (:id, :published_at, CAST(:tsv AS tsvector)) "
                "ON CONFLICT (article_id) DO UPDATE "
                "SET published_at = EXCLUDED.published_at, tsv = EXCLUDED.tsv"
            ).bindparams(bindparam("published_at", type_=UTCDateTime())),
            rows,
        )

    async def window(
        self, session: AsyncSession, query: Query, filters: Filters, snapshot: int | None, size: int
    ) -> list[Candidate]:
        """The most recently published matches with their BM25-shaped relevance."""
        await _custom_plans(session)
        frag = filter_fragment(filters, "postgresql", "d.published_at")
        if snapshot is not None:
            frag.add("d.article_id <= :snapshot", bindparam("snapshot", snapshot, Integer()))
        terms, params = await self._relevance(session, query, filters.language)
        sql = (
            f"SELECT d.article_id AS id, {terms} AS relevance, {EPOCH} AS epoch "
            f"FROM search_documents d JOIN articles a ON a.id = d.article_id "
            f"WHERE d.tsv @@ CAST(:q AS tsquery){frag.sql()} "
            f"{ORDER} LIMIT :size"
        )
        bound = [*frag.params, *params, _query_param(query, filters)]
        return await _candidates(session, sql, [*bound, bindparam("size", size, Integer())])

    async def newest(
        self,
        session: AsyncSession,
        query: Query,
        filters: Filters,
        after: NewestCursor | None,
        limit: int,
    ) -> list[Candidate]:
        """Newest matches first; the planner picks GIN-then-sort or a walk by date."""
        await _custom_plans(session)
        frag = filter_fragment(filters, "postgresql", "d.published_at")
        if after is not None:
            try:
                moment = from_micros(after.position)
            except (OverflowError, ValueError):  # not a date: a cursor no page made
                return []
            frag.add(
                "(d.published_at, d.article_id) < (:after_at, :after_id)",
                bindparam("after_at", moment, UTCDateTime()),
                bindparam("after_id", after.article_id, Integer()),
            )
        sql = (
            "SELECT d.article_id AS id, d.published_at AS published_at "
            f"FROM search_documents d JOIN articles a ON a.id = d.article_id "
            f"WHERE d.tsv @@ CAST(:q AS tsquery){frag.sql()} "
            f"{ORDER} LIMIT :limit"
        )
        params = [*frag.params, _query_param(query, filters), bindparam("limit", limit, Integer())]
        return await _dated(session, sql, params)

    async def _relevance(
        self, session: AsyncSession, query: Query, language: str | None
    ) -> tuple[str, list[BindParameter[Any]]]:
        frequencies, floor = await self._statistics(session)
        parts: list[str] = []
        params: list[BindParameter[Any]] = []
        for n, clause in enumerate(query.positive):
            idf = _idf(clause, language, frequencies, floor)
            parts.append(f"{idf!r} * ts_rank({RANK_WEIGHTS}, d.tsv, CAST(:t{n} AS tsquery), 1)")
            params.append(bindparam(f"t{n}", clause_tsquery(clause, language), String()))
        return "(" + " + ".join(parts) + ")", params

    async def _statistics(self, session: AsyncSession) -> tuple[dict[str, float], float]:
        key = str(db_url) if (db_url := getattr(session.bind, "url", None)) else ""
        cached = self._stats.get(key)
        if cached is not None and time.monotonic() - cached[0] < STATS_TTL_SECONDS:
            return cached[1], cached[2]
        row = (
            await session.execute(
                text(
                    "SELECT most_common_elems::text::text[] AS elems, "
                    "most_common_elem_freqs AS freqs FROM pg_stats "
                    "WHERE tablename = 'search_documents' AND attname = 'tsv' "
                    "AND schemaname = current_schema()"
                )
            )
        ).first()
        frequencies: dict[str, float] = {}
        floor = UNSEEN_FREQUENCY
        if row is not None and row.elems:
            elems, freqs = list(row.elems), [float(f) for f in row.freqs]
            frequencies = dict(zip(elems, freqs[: len(elems)], strict=False))
            # After the per-term shares ANALYZE stores the lowest one it kept; an unlisted
            # term is rarer than that.
            if len(freqs) > len(elems):
                floor = max(freqs[len(elems)] / 2, 1e-7)
        self._stats[key] = (time.monotonic(), frequencies, floor)
        return frequencies, floor


def _idf(
    clause: Clause, language: str | None, frequencies: dict[str, float], floor: float
) -> float:
    """BM25's idf from the share of documents holding the clause's commonest variant."""
    share = floor
    for item in clause.items:
        for term in item.terms:
            for v in variants(term, language):
                share = max(share, frequencies.get(v, floor))
    share = min(share, 0.999)
    return max(math.log((1.0 - share) / share), 1e-6)


async def _custom_plans(session: AsyncSession) -> None:
    # Whether GIN or a walk by id/date is cheaper depends on how common the terms are; a
    # generic plan cached for a prepared statement would not know, so plan every query.
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def _query_param(query: Query, filters: Filters) -> BindParameter[Any]:
    return bindparam("q", tsquery_text(query, filters.language), String())


async def _candidates(
    session: AsyncSession, sql: str, params: list[BindParameter[Any]]
) -> list[Candidate]:
    stmt = text(sql).bindparams(*params).columns(id=Integer(), relevance=Float(), epoch=Float())
    rows = (await session.execute(stmt)).all()
    return [Candidate(r.id, float(r.relevance), float(r.epoch)) for r in rows]


async def _dated(
    session: AsyncSession, sql: str, params: list[BindParameter[Any]]
) -> list[Candidate]:
    stmt = text(sql).bindparams(*params).columns(id=Integer(), published_at=UTCDateTime())
    rows = (await session.execute(stmt)).all()
    return [Candidate(r.id, 0.0, r.published_at.timestamp(), micros(r.published_at)) for r in rows]
