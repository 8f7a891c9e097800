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
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from sqlalchemy import BindParameter, Float, Integer, String, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db.types import UTCDateTime
from kabar.search.analyze import phrase_variants, variants
from kabar.search.cursor import NewestCursor
from kabar.search.model import Candidate, Document, Filters
from kabar.search.query import Clause, Item, Kind, Query
from kabar.search.sql import Fragment, filter_fragment, from_micros, micros

# Newest first from search_documents' own (published_at, article_id) index: for a common word
# the planner walks it and stops at LIMIT; for a rare one it takes GIN's few rows and sorts.
ORDER = "ORDER BY d.published_at DESC, d.article_id DESC"
FIELD_GAP = 64  # positions between fields, so a phrase never spans title and summary
MAX_POSITION = 16383  # PostgreSQL's limit
MAX_POSITIONS_PER_TERM = 255
MAX_LEXEME_BYTES = 256_000
RANK_WEIGHTS = "'{0.1, 0.1, 0.4, 1.0}'::float4[]"  # D, C (body), B (summary), A (title)
STATS_TTL_SECONDS = 300.0
SPARSE_ROWS = 5000  # a query that can match at most this many articles sorts GIN's matches
WALK_ROWS = 50_000  # otherwise it may first look among this many newest articles
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
        # Per database URL: (loaded at, term -> share of documents, share of an unlisted term,
        # number of documents).
        self._stats: dict[str, tuple[float, dict[str, float], float, float]] = {}

    @classmethod
    def shared(cls) -> PostgresEngine:
        """The process-wide engine (it caches term statistics)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def forget_statistics(self) -> None:
        """Read term statistics afresh on the next query (after an ANALYZE)."""
        self._stats.clear()

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
        place = Fragment()
        if snapshot is not None:
            place.add("d.article_id <= :snapshot", bindparam("snapshot", snapshot, Integer()))
        terms, params = await self._relevance(session, query, filters.language)
        inner = await self._recent(session, query, filters, place, size)
        sql = f"SELECT d.article_id AS id, {terms} AS relevance, d.published_at AS published_at "
        sql += f"FROM ({inner.sql}) d"
        return await _candidates(session, sql, [*inner.params, *params])

    async def newest(
        self,
        session: AsyncSession,
        query: Query,
        filters: Filters,
        after: NewestCursor | None,
        limit: int,
    ) -> list[Candidate]:
        """Newest matches first, after the cursor's (published_at, id)."""
        place = Fragment()
        if after is not None:
            try:
                moment = from_micros(after.position)
            except (OverflowError, ValueError):  # not a date: a cursor no page made
                return []
            place.add(
                "(d.published_at, d.article_id) < (:after_at, :after_id)",
                bindparam("after_at", moment, UTCDateTime()),
                bindparam("after_id", after.article_id, Integer()),
            )
        inner = await self._recent(session, query, filters, place, limit)
        sql = f"SELECT d.article_id AS id, d.published_at AS published_at FROM ({inner.sql}) d"
        return await _dated(session, sql, inner.params)

    async def _recent(
        self, session: AsyncSession, query: Query, filters: Filters, place: Fragment, want: int
    ) -> _Select:
        """The SQL of the `want` newest matches (article_id, published_at, tsv), and a plan.

        The planner's guess at how many articles match decides between walking the published
        index and sorting GIN's matches, and a wrong guess (two common words that never meet)
        walks a million rows. So Kabar decides from ANALYZE's term shares instead: a query that
        can match only a few thousand articles sorts GIN's matches; any other first walks the
        WALK_ROWS newest articles and keeps that answer when it found `want` matches, which are
        then exactly the newest; otherwise it sorts GIN's matches after all.
        """
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        frequencies, floor, rows = await self._statistics(session)
        dated = replace(filters, sources=(), language=None, topic=None)
        dates = filter_fragment(dated, "postgresql", "d.published_at")
        place = Fragment([*place.where, *dates.where], [*place.params, *dates.params])
        other = filter_fragment(replace(filters, since=None, until=None), "postgresql")
        match = f"d.tsv @@ CAST(:q AS tsquery){other.sql()}"
        params = [*place.params, *other.params, _query_param(query, filters)]
        params.append(bindparam("want", want, Integer()))
        columns = "d.article_id, d.published_at, d.tsv"
        join = "JOIN articles a ON a.id = d.article_id"
        share = _upper_bound(query, filters.language, frequencies, floor)
        if share * rows > SPARSE_ROWS and share * WALK_ROWS >= want:
            walk = Fragment(list(place.where), [])
            sql = (
                f"SELECT {columns} FROM (SELECT {columns} FROM search_documents d "
                f"WHERE true{walk.sql()} {ORDER} LIMIT :walk) d {join} "
                f"WHERE {match} {ORDER} LIMIT :want"
            )
            walked = _Select(sql, [*params, bindparam("walk", WALK_ROWS, Integer())])
            found = (await session.execute(text(sql).bindparams(*walked.params))).all()
            if len(found) >= want:
                return walked
        # Sort GIN's matches by an ORDER BY the published index cannot serve, with no seq scan;
        # only ids and dates go through the sort, the tsvectors of the few kept are read after.
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        sql = (
            f"SELECT {columns} FROM (SELECT d.article_id, d.published_at FROM search_documents d "
            f"{join} WHERE {match}{place.sql()} "
            "ORDER BY d.published_at + interval '0 s' DESC, d.article_id DESC LIMIT :want) k "
            f"JOIN search_documents d ON d.article_id = k.article_id {ORDER}"
        )
        return _Select(sql, params)

    async def _relevance(
        self, session: AsyncSession, query: Query, language: str | None
    ) -> tuple[str, list[BindParameter[Any]]]:
        frequencies, floor, _rows = await self._statistics(session)
        parts: list[str] = []
        params: list[BindParameter[Any]] = []
        for n, clause in enumerate(query.positive):
            idf = _idf(clause, language, frequencies, floor)
            parts.append(f"{idf!r} * ts_rank({RANK_WEIGHTS}, d.tsv, CAST(:t{n} AS tsquery), 1)")
            params.append(bindparam(f"t{n}", clause_tsquery(clause, language), String()))
        return "(" + " + ".join(parts) + ")", params

    async def _statistics(self, session: AsyncSession) -> tuple[dict[str, float], float, float]:
        key = str(db_url) if (db_url := getattr(session.bind, "url", None)) else ""
        cached = self._stats.get(key)
        if cached is not None and time.monotonic() - cached[0] < STATS_TTL_SECONDS:
            return cached[1], cached[2], cached[3]
        rows = await session.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = 'search_documents'::regclass")
        )
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
        count = max(float(rows or 0), 0.0)  # -1 before the first ANALYZE
        self._stats[key] = (time.monotonic(), frequencies, floor, count)
        return frequencies, floor, count


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


@dataclass(frozen=True, slots=True)
class _Select:
    """SQL text and its bound parameters."""

    sql: str
    params: list[BindParameter[Any]]


def _share(term: str, language: str | None, frequencies: dict[str, float], floor: float) -> float:
    return sum(frequencies.get(v, floor) for v in variants(term, language))


def _upper_bound(
    query: Query, language: str | None, frequencies: dict[str, float], floor: float
) -> float:
    """At most this share of documents can match (from ANALYZE's term shares)."""
    bound = 1.0
    for clause in query.positive:
        total = 0.0
        for item in clause.items:
            if item.kind is Kind.PREFIX:
                total = 1.0  # any number of terms may start so
            else:
                total += min(_share(t, language, frequencies, floor) for t in item.terms)
        bound = min(bound, total)
    return bound


def _query_param(query: Query, filters: Filters) -> BindParameter[Any]:
    return bindparam("q", tsquery_text(query, filters.language), String())


async def _dated(
    session: AsyncSession, sql: str, params: list[BindParameter[Any]]
) -> list[Candidate]:
    stmt = text(sql).bindparams(*params).columns(id=Integer(), published_at=UTCDateTime())
    rows = (await session.execute(stmt)).all()
    return [Candidate(r.id, 0.0, r.published_at.timestamp(), micros(r.published_at)) for r in rows]


async def _candidates(
    session: AsyncSession, sql: str, params: list[BindParameter[Any]]
) -> list[Candidate]:
    """Run the candidate query: rows of article id, relevance and publication time."""
    stmt = (
        text(sql)
        .bindparams(*params)
        .columns(id=Integer(), relevance=Float(), published_at=UTCDateTime())
    )
    rows = (await session.execute(stmt)).all()
    return [
        Candidate(r.id, float(r.relevance), r.published_at.timestamp(), micros(r.published_at))
        for r in rows
    ]
