"""The SQLite engine: an FTS5 table of analyzed terms, ranked with bm25().

`search_fts(title, summary, body)` holds each article's analyzed terms (space-separated, so the
`ascii` tokenizer splits exactly where the analyzer did) under rowid = article id. ORM writes
index through kabar.search.sync; SQL triggers made by the migration drop an article's row when
it is deleted (any path: ORM, Core, ON DELETE CASCADE) or when its text changes outside the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Float, Integer, String, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from kabar.db.types import UTCDateTime
from kabar.search.analyze import phrase_variants, variants
from kabar.search.cursor import NewestCursor
from kabar.search.model import Candidate, Document, Filters
from kabar.search.query import Clause, Item, Kind, Query
from kabar.search.sql import add_keyset, filter_fragment

EPOCH = "(julianday(a.published_at) - 2440587.5) * 86400.0"  # published_at in epoch seconds
# bm25 column weights: title, summary, body.
WEIGHTS = (10.0, 4.0, 1.0)
# Above this many matches a newest-first page walks articles by date and probes the index per
# row; below it, it sorts the matches. Counting stops at the threshold, so the probe is cheap.
DENSE_MATCHES = 2000


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

    def write(self, connection: Connection, documents: Sequence[Document]) -> None:
        """Replace each document's row in search_fts."""
        if not documents:
            return
        ids = [{"id": d.article_id} for d in documents]
        connection.execute(text("DELETE FROM search_fts WHERE rowid = :id"), ids)
        rows = [
            {
                "id": d.article_id,
                "title": " ".join(d.title),
                "summary": " ".join(d.summary),
                "body": " ".join(d.body),
            }
            for d in documents
        ]
        connection.execute(
            text(
                "INSERT INTO search_fts (rowid, title, summary, body) "
                "VALUES (:id, :title, :summary, :body)"
            ),
            rows,
        )

    async def window(
        self, session: AsyncSession, query: Query, filters: Filters, snapshot: int | None, size: int
    ) -> list[Candidate]:
        """The most recently stored matches with their bm25 relevance."""
        frag = filter_fragment(filters, "sqlite")
        if snapshot is not None:
            frag.add("search_fts.rowid <= :snapshot", bindparam("snapshot", snapshot, Integer()))
        bm25 = "bm25(search_fts, {}, {}, {})".format(*WEIGHTS)
        # CROSS JOIN keeps FTS5 as the outer loop, which yields rowids newest first and stops at
        # LIMIT, so a word found in a million articles costs `size` rows, not a million.
        sql = (
            f"SELECT search_fts.rowid AS id, -{bm25} AS relevance, {EPOCH} AS epoch "  # noqa: S608 (constant fragments; values are bound)
            f"FROM search_fts CROSS JOIN articles a ON a.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q{frag.sql()} ORDER BY search_fts.rowid DESC LIMIT :size"
        )
        params = [*frag.params, _match_param(query, filters), bindparam("size", size, Integer())]
        return await _candidates(session, sql, params)

    async def newest(
        self,
        session: AsyncSession,
        query: Query,
        filters: Filters,
        after: NewestCursor | None,
        limit: int,
    ) -> list[Candidate]:
        """Newest matches first: sort the matches when few, walk by date when many."""
        q = _match_param(query, filters)
        probe = text(
            "SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH :q "
            "LIMIT :dense)"
        ).bindparams(q, bindparam("dense", DENSE_MATCHES, Integer()))
        dense = (await session.scalar(probe) or 0) >= DENSE_MATCHES
        frag = filter_fragment(filters, "sqlite")
        add_keyset(frag, after)
        order = " ORDER BY a.published_at DESC, a.id DESC LIMIT :limit"
        if dense:
            sql = (
                "SELECT a.id AS id, a.published_at AS published_at "  # noqa: S608 (constant fragments; values are bound)
                "FROM articles a WHERE EXISTS (SELECT 1 FROM search_fts "
                "WHERE search_fts MATCH :q AND search_fts.rowid = a.id)" + frag.sql() + order
            )
        else:
            sql = (
                "SELECT a.id AS id, a.published_at AS published_at "
                "FROM search_fts CROSS JOIN articles a ON a.id = search_fts.rowid "
                "WHERE search_fts MATCH :q" + frag.sql() + order
            )
        params = [*frag.params, q, bindparam("limit", limit, Integer())]
        return await _dated(session, sql, params)


def _match_param(query: Query, filters: Filters) -> BindParameter[Any]:
    return bindparam("q", match_expression(query, filters.language), String())


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
    return [Candidate(r.id, 0.0, r.published_at.timestamp(), r.published_at) for r in rows]
